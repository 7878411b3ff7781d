"""Text folding for keyword matching, and the word-boundary rule.

``fold(text)`` returns the text that terms and items are compared on:

* Unicode NFKC per character (full-width ``ＧＰＴ－５`` → ``gpt-5``, ``①`` → ``1``,
  ``ﬁ`` → ``fi``; a base letter and its combining marks fold together, ``e``+``◌́`` → ``é``);
* case folding (``ß`` → ``ss``);
* format characters removed (category Cf: zero-width space/joiners, soft hyphen, BOM,
  bidi marks); lone surrogates become U+FFFD;
* with ``traditional=True``, Traditional → Simplified Chinese, including Taiwan/Hong Kong
  vocabulary (``軟體`` → ``软件``, ``輝達``/``英偉達`` → ``英伟达``); see ``notifier.hanzi``.

The result (:class:`~notifier.offsets.Folded`) maps every folded character back to the
original string, so a hit at folded ``[s, e)`` can be highlighted at
``Folded.span(s, e)``. Characters that expand (``ß`` → ``ss``) or contract (``輝達`` →
``英伟达`` is 2 → 3) map as one indivisible unit: a hit on any part of it highlights the
whole original unit.

Speed (C-level paths first): ASCII text is ``str.lower()``; other text is
``str.casefold()`` plus one C-level regex scan for the few characters whose fold is not
a plain casefold; those are replaced with ``str.replace`` (1:1 ones such as full-width
punctuation and ``ＡＢＣ``, and also ones that expand or vanish, such as ``…`` → ``...``
and zero-width spaces). Only text with a combining character takes the per-character
path. The offset map of a text whose length changed is built on the first
``Folded.span`` (a text without hits never needs it). The tables are read on first use
from ``notifier/data/fold.json`` (~4 ms; computed from ``unicodedata`` instead, ~0.2 s,
on a Python with another Unicode version).

Traditional → Simplified, measured on the 362 corpus items (690 non-empty titles and
summaries, Simplified Chinese with some English; ``bench/match.py --compare``):

======================================  ==========  ===================================
converter                               µs / item   correctness
======================================  ==========  ===================================
zhconv ``zh-cn`` (pure Python)             65       軟體→软件 but 輝達→辉达 (not 英伟达);
                                                    17 fields changed (「」→“”)
opencc ``tw2sp`` (C++)                     16       輝達→英伟达, but rewrites Simplified
                                                    text: 103 fields changed, 文件→文档,
                                                    核心→内核, 程序→进程
opencc ``t2s`` (C++)                        5.5     characters only: 軟體→软体, 輝達→辉达;
                                                    6 fields changed (real 與, 問; 昇腾)
**fold(traditional=True)**                 12       軟體→软件, 輝達→英伟达, 伺服器→服务器;
(t2s + regional phrases, over fold)                 5 fields changed (real 與, 問), 昇 kept
======================================  ==========  ===================================

**Word boundaries** (``is_word_char``, ``right_bound``): a term whose first or last
character is a word character (a letter, digit or ``_`` of a script written with
spaces) matches only where the text has a boundary on that side. On the left, any word
character before the term blocks it. On the right, it depends on the term's last
character: after a letter a digit may follow (``iPhone`` in ``iPhone16``, ``GPT`` in
``GPT4``), a letter may not (``AI`` is not in ``said``); after a digit nothing that is a
word character may follow (``GPT-5`` is not in ``GPT-50``). CJK, kana, Hangul and Thai
characters are never word characters: ``AI`` is a word in ``AI芯片``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from notifier import hanzi
from notifier.offsets import Folded, OffsetMap
from notifier.textdata import char_class, ranges, read_data

__all__ = [
    "LETTER_END",
    "NOT_BOUNDED",
    "STRICT_END",
    "Folded",
    "OffsetMap",
    "ends_word",
    "fold",
    "fold_text",
    "is_word_char",
    "right_bound",
]

# ------------------------------------------------------------------------ word chars

_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Scripts written without spaces: a Latin term next to them is at a word boundary.
NO_SPACE = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0xA4CF),  # CJK radicals, kana, bopomofo, CJK ideographs, Yi
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFFDC),  # half-width kana and Hangul
    (0x1B000, 0x1B2FF),  # kana supplement
    (0x20000, 0x3FFFF),  # CJK extensions
)
_NO_SPACE_STARTS = [a for a, _ in NO_SPACE]


def is_word_char(ch: str) -> bool:
    """Whether ``ch`` continues a word for the boundary rule.

    Letters, digits and ``_`` of scripts written with spaces (Latin, Greek, Cyrillic, …);
    not CJK, kana, Hangul or Thai characters, so ``AI`` is a whole word in ``AI芯片``.
    """
    if ch < "\x80":
        return ch in _ASCII_WORD
    if not ch.isalnum():
        return False
    cp = ord(ch)
    k = bisect.bisect_right(_NO_SPACE_STARTS, cp) - 1
    return k < 0 or cp > NO_SPACE[k][1]


#: ``right_bound`` kinds: no check; a letter (a digit may follow); a digit or ``_``.
NOT_BOUNDED, LETTER_END, STRICT_END = 0, 1, 2


def right_bound(ch: str) -> int:
    """How a term ending in ``ch`` is bounded on the right (see the module docstring)."""
    if not is_word_char(ch):
        return NOT_BOUNDED
    return LETTER_END if ch.isalpha() else STRICT_END


def ends_word(kind: int, text: str, end: int) -> bool:
    """Whether a term of right-bound ``kind`` may end at ``text[end]``."""
    if kind == NOT_BOUNDED or end >= len(text):
        return True
    ch = text[end]
    if not is_word_char(ch):
        return True
    return kind == LETTER_END and ch.isdecimal()


# ---------------------------------------------------------------------- fold tables

# Ranges with nothing to fold (no case, NFKC-stable, no combining): skipped when the
# tables are built. The CJK compatibility ideographs (U+F900, U+2F800) are not skipped.
_BORING = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3),
    (0xD800, 0xF8FF),  # surrogates, private use
    (0x20000, 0x2F7FF),
    (0x2FA20, 0xDFFFF),
    (0xF0000, 0x10FFFF),
)
_JAMO_JOINING = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))  # Hangul V/T jamo compose


class _Tables:
    """Per-character facts: read from ``notifier/data/fold.json``, else computed (~0.2 s)."""

    def __init__(
        self, joining: Iterable[int], cf: Iterable[int], special: Iterable[int], simple: Any
    ) -> None:
        self.joining: frozenset[str] = frozenset(map(chr, joining))
        self.cf: frozenset[str] = frozenset(map(chr, cf))
        #: 1:1 special characters and their fold (full-width forms, compatibility letters).
        self.simple: dict[str, str] = dict(simple)
        self.cache: dict[str, str] = {}
        special = list(special)
        # sre is fast on a BMP-only class; astral characters (emoji, mostly) are all
        # matched and then looked up in ``astral_special``.
        # Lone surrogates (text decoded with surrogateescape) cannot be encoded: U+FFFD.
        for cp in range(0xD800, 0xE000):
            special.append(cp)
            self.simple[chr(cp)] = "\ufffd"
        bmp = sorted(cp for cp in special if cp < 0x10000)
        self.astral_special: frozenset[str] = frozenset(chr(cp) for cp in special if cp > 0xFFFF)
        self.special = re.compile(f"{char_class(bmp)}|[\U00010000-\U0010ffff]")

    @classmethod
    def load(cls) -> _Tables:
        """The shipped tables when they were made with this Unicode version, else built."""
        try:
            data = read_data("fold.json")
        except (OSError, ValueError):
            data = None
        if data is None or data.get("unidata_version") != unicodedata.unidata_version:
            data = fold_data()
        return cls(
            _expand(data["joining"]),
            _expand(data["cf"]),
            _expand(data["special"]),
            data["simple"].items(),
        )


def fold_data() -> dict[str, Any]:
    """Compute the folding tables from ``unicodedata`` (``scripts/text_data.py`` ships them).

    Returns a JSON-ready mapping: code point ranges of the joining (combining, second of a
    composition), format (Cf) and special (fold not a 1:1 casefold) characters, and the
    1:1 special characters with their fold. Lone surrogates are added on load.
    """
    seconds: set[int] = set()  # second characters of canonical compositions
    cps: list[int] = []
    lo = 0
    for a, b in (*_BORING, (0x110000, 0x110000)):
        cps.extend(range(lo, a))
        lo = b + 1
    for cp in cps:
        d = unicodedata.decomposition(chr(cp))
        if d and d[0] != "<":
            parts = d.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))
    for a, b in _JAMO_JOINING:
        seconds.update(range(a, b + 1))
    joining = frozenset(chr(cp) for cp in cps if cp in seconds or unicodedata.combining(chr(cp)))
    cf = frozenset(chr(cp) for cp in cps if unicodedata.category(chr(cp)) == "Cf")
    special: list[int] = []
    simple: dict[str, str] = {}
    for cp in cps:
        ch = chr(cp)
        low = ch.casefold()
        if ch in cf or ch in joining:
            special.append(cp)
            continue
        f = _fold_unit(ch, cf)
        if f != low or len(low) != 1:
            special.append(cp)
            if len(f) == 1 and f.casefold() == f and f not in joining:
                simple[ch] = f
    return {
        "unidata_version": unicodedata.unidata_version,
        "joining": ranges(sorted(map(ord, joining))),
        "cf": ranges(sorted(map(ord, cf))),
        "special": ranges(special),
        "simple": simple,
    }


def _expand(runs: Iterable[list[int]]) -> Iterable[int]:
    for a, b in runs:
        yield from range(a, b + 1)


def _fold_unit(unit: str, cf: frozenset[str]) -> str:
    """NFKC + casefold to a fixed point, format characters dropped."""
    x = unit
    for _ in range(4):
        y = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", x).casefold())
        if y == x:
            break
        x = y
    return "".join(c for c in x if c not in cf) if not cf.isdisjoint(x) else x


_tables: _Tables | None = None


def _get_tables() -> _Tables:
    global _tables
    if _tables is None:
        _tables = _Tables.load()
    return _tables


# ---------------------------------------------------------------------------- fold


def fold(text: str, *, traditional: bool = False) -> Folded:
    """Fold ``text`` for matching; see the module docstring."""
    if text.isascii():
        return Folded(text.lower(), text)
    folded, exact = _fold_base(text)
    if traditional and hanzi.may_change(folded):
        folded, tmaps = hanzi.converter().convert(folded)
        if exact:
            return Folded(folded, text, tmaps)
        return Folded(folded, text, lambda: [_base_map(text), *tmaps])
    if exact:
        return Folded(folded, text)
    return Folded(folded, text, lambda: [_base_map(text)])


def fold_text(text: str, *, traditional: bool = False) -> str:
    """Just the folded string (for terms)."""
    return fold(text, traditional=traditional).text


def _fold_base(s: str) -> tuple[str, bool]:
    """The folded text, and whether its offsets are the original's."""
    if s.isascii():
        return s.lower(), True
    t = _get_tables()
    specials = t.special.findall(s)
    if not specials:
        return s.casefold(), True
    distinct = set(specials)
    if not t.joining.isdisjoint(distinct):
        return _fold_slow(s, t)[0], False  # a combining mark folds with its base
    simple = t.simple
    pairs: list[tuple[str, str]] = []
    exact = True
    for ch in distinct:
        f = simple.get(ch)
        if f is None:
            if ch > "\uffff" and ch not in t.astral_special:
                continue  # an emoji: nothing to fold
            f = _unit(ch, t)  # expands or vanishes (… → ..., zero-width space → "")
            if f.casefold() != f:
                return _fold_slow(s, t)[0], False
            exact = False
        pairs.append((ch, f))
    for ch, f in pairs:
        s = s.replace(ch, f)
    return s.casefold(), exact


def _base_map(s: str) -> OffsetMap:
    """The offset map of ``_fold_base(s)`` (built on demand)."""
    return _fold_slow(s, _get_tables())[1]


def _unit(unit: str, t: _Tables) -> str:
    f = t.simple.get(unit) or t.cache.get(unit)
    if f is None:
        f = _fold_unit(unit, t.cf)
        if len(t.cache) < 100_000:
            t.cache[unit] = f
    return f


def _fold_slow(s: str, t: _Tables) -> tuple[str, OffsetMap]:
    """Per-unit folding with an offset map."""
    out: list[str] = []
    omap = OffsetMap()
    cur = 0
    n = len(s)
    joining = t.joining
    for m in t.special.finditer(s):
        a = m.start()
        if a < cur:
            continue  # already part of the previous unit
        if s[a] > "\uffff" and s[a] not in t.astral_special:
            continue  # an emoji: nothing to fold
        u0 = a - 1 if s[a] in joining and a - 1 >= cur else a
        u1 = a + 1
        while u1 < n and s[u1] in joining:
            u1 += 1
        if u0 > cur:
            out.append(s[cur:u0].casefold())
            omap.identity(u0 - cur)
        f = _unit(s[u0:u1], t)
        out.append(f)
        if len(f) == 1 and u1 - u0 == 1:
            omap.identity(1)
        else:
            omap.unit(len(f), u1 - u0)
        cur = u1
    if cur < n:
        out.append(s[cur:].casefold())
        omap.identity(n - cur)
    return "".join(out), omap
