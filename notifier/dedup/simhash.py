"""SimHash fingerprints of item titles, for near-duplicate detection across sources.

The title is folded (``notifier.folding.fold_text``: NFKC, case folding, format characters
removed, Traditional → Simplified Chinese) and cut into units: a word of a script written
with spaces (``openai``, ``gpt``), a number (``5.1``), or one character of a script written
without (``发``, ``布``). Punctuation, symbols and emoji only separate units. Decorations a
publisher adds to a headline it carries are dropped first: a leading column tag
(``【IT之家评测室】``, ``[开源推荐]``), a retweet prefix (``RT Cursor:``) and a trailing
publisher name (`` | Fortune``, `` - 36氪``, at most 4 units).

The features are the unit bigrams (Chinese character bigrams, English word bigrams, and the
bigram across a change of script) plus each word and number on its own; each is hashed
with BLAKE2b (stable across runs and machines, unlike ``hash()``) and the 64 bit columns
are decided by majority (Charikar's SimHash, uniform weights). See ``docs/dedup.md`` for
the thresholds and how they were chosen on the corpus.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from typing import TYPE_CHECKING

from notifier.folding import fold_text

if TYPE_CHECKING:
    from notifier.items import Item

__all__ = [
    "MAX_DISTANCE",
    "MAX_UNITS",
    "MIN_UNITS",
    "fingerprint",
    "fingerprint_text",
    "fingerprint_units",
    "fold_units",
    "hamming",
    "title_units",
    "to_signed",
]

#: Titles with fewer units get no fingerprint: too little text to tell stories apart.
MIN_UNITS = 5
#: Only the first units count, so one long title cut by two publishers at two lengths
#: (``…``, ``...``) fingerprints the same when both cuts are past this.
MAX_UNITS = 32
#: Fingerprints at most this many bits apart (of 64) are the same story.
MAX_DISTANCE = 6

_MASK = (1 << 64) - 1
_SIGN = 1 << 63

# Scripts written without spaces (the ranges of ``notifier.folding``): a unit per character.
_NO_SPACE = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u2e80-\ua4cf\ua960-\ua97f"
    "\uac00-\ud7ff\uf900-\ufaff\uff66-\uffdc\U0001b000-\U0001b2ff\U00020000-\U0003ffff"
)
_UNIT_RE = re.compile(
    rf"(?=[^\W_])[{_NO_SPACE}]"  # one CJK (kana, Hangul, Thai ...) letter, not 。「」
    r"|\d+(?:[.,]\d+)*"  # a number, decimals kept: 5.1, 2,300
    rf"|[^\W\d_{_NO_SPACE}]+"  # a word of letters
)
# Applied to folded text (lower case, full-width forms already ASCII).
_LEADING_RE = re.compile(
    r"^\s*(?:rt\s+@?[^\s:：]{1,30}\s*[:：]"  # RT name:
    r"|[【\[〔][^】\]〕]{1,16}[】\]〕])\s*"  # 【tag】, [tag]
)
_TRAILING_RE = re.compile(r"\s+[|｜\-–—]\s+([^|｜\-–—]{1,24})$")
_MAX_TRAILER_UNITS = 4
# Each hash's 64 bits spread one per byte: Python then sums the bit columns of up to 255
# hashes as plain integer additions (see ``_simhash``).
_SPREAD = bytes.maketrans(b"01", b"\x00\x01")
_MAX_FEATURES = 255


def fold_units(text: str) -> list[str]:
    """Return the folded units of ``text``, decorations and all."""
    return _UNIT_RE.findall(fold_text(text, traditional=True))


def title_units(text: str) -> list[str]:
    """Return the folded units of ``text`` (words, numbers, single CJK characters),
    without a leading column tag or retweet prefix or a trailing `` | publisher``."""
    folded = fold_text(text, traditional=True)
    core = _LEADING_RE.sub("", folded, count=1)
    trailer = _TRAILING_RE.search(core)
    if trailer and len(_UNIT_RE.findall(trailer.group(1))) <= _MAX_TRAILER_UNITS:
        core = core[: trailer.start()]
    if len(core) < len(folded):
        core_units = _UNIT_RE.findall(core)
        if len(core_units) >= MIN_UNITS:  # else the decoration was most of the title
            return core_units
    return _UNIT_RE.findall(folded)


def _features(units: list[str]) -> list[str]:
    feats = [f"{a} {b}" for a, b in itertools.pairwise(units)]
    feats.extend(u for u in units if len(u) > 1)  # words and numbers, not CJK characters
    return list(dict.fromkeys(feats))[:_MAX_FEATURES]


def _simhash(features: list[str]) -> int:
    total = 0
    for feat in features:
        h = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
        bits = format(int.from_bytes(h, "big"), "064b").encode("ascii").translate(_SPREAD)
        total += int.from_bytes(bits, "big")
    value = 0
    n = len(features)
    for count in total.to_bytes(64, "big"):  # bit columns, most significant first
        value = (value << 1) | (2 * count > n)
    return value


def fingerprint_units(units: list[str]) -> int | None:
    """The signed SimHash of already cut units, or ``None`` below :data:`MIN_UNITS`."""
    if len(units) < MIN_UNITS:
        return None
    return to_signed(_simhash(_features(units[:MAX_UNITS])))


def fingerprint_text(text: str) -> int | None:
    """Return the SimHash of a title as a signed 64-bit integer, or ``None`` when it has
    fewer than :data:`MIN_UNITS` units (after folding and dropping decorations)."""
    return fingerprint_units(title_units(text))


def fingerprint(item: Item) -> int | None:
    """Return the near-duplicate fingerprint of ``item``: the SimHash of its title as a
    signed 64-bit integer (fits SQL ``BIGINT``), or ``None`` for a title too short to
    tell stories apart. The summary is not used (see ``docs/dedup.md``)."""
    return fingerprint_text(item.title)


def to_signed(value: int) -> int:
    """The unsigned 64-bit ``value`` as a signed int64 (what SQL ``BIGINT`` holds)."""
    value &= _MASK
    return value - (1 << 64) if value & _SIGN else value


def hamming(a: int, b: int) -> int:
    """The number of differing bits of two 64-bit fingerprints (signed or not)."""
    return ((a ^ b) & _MASK).bit_count()
