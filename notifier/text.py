"""Text folding for keyword matching, with offsets back to the original text.

``fold(text)`` returns the text that terms and items are compared on:

* Unicode NFKC per character (full-width ``ＧＰＴ－５`` → ``gpt-5``, ``①`` → ``1``,
  ``ﬁ`` → ``fi``; a base letter and its combining marks fold together, ``e``+``◌́`` → ``é``);
* case folding (``ß`` → ``ss``);
* format characters removed (category Cf: zero-width space/joiners, soft hyphen, BOM,
  bidi marks); lone surrogates become U+FFFD;
* with ``traditional=True``, Traditional → Simplified Chinese, including Taiwan/Hong Kong
  vocabulary (``軟體`` → ``软件``, ``輝達``/``英偉達`` → ``英伟达``).

The result keeps a map from every folded character back to the original string, so a
hit at folded ``[s, e)`` can be highlighted at ``Folded.span(s, e)`` in the original.
Characters that expand (``ß`` → ``ss``) or contract (``輝達`` → ``英伟达`` is 2 → 3) map as
one indivisible unit: a hit on any part of it highlights the whole original unit.

Speed: ASCII text is ``str.lower()``; other text is ``str.casefold()`` plus a scan for the
few characters whose fold is not 1:1 (one C-level regex search); the common 1:1 ones
(full-width punctuation, ``ＡＢＣ``) are replaced with ``str.replace``. Only text with an
expanding, vanishing or combining character takes the per-character path. The tables
are read on first use from ``notifier/data/fold.json`` (~4 ms; computed from
``unicodedata`` instead, ~0.2 s, on a Python with another Unicode version).

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
(t2s + regional phrases, over fold)                 the same 6 fields changed
======================================  ==========  ===================================

So: OpenCC ``t2s`` for characters (fast, same length, so offsets stay positional), then a
phrase pass with leftmost-longest Aho-Corasick over MediaWiki's ``zh2CN`` regional table
(shipped in zhconv's data file; only entries whose key has a Traditional-only character,
applied only where the text was written in Traditional characters, so mainland words
are never rewritten: 高画质 stays, 高畫質 → 高清) plus a few tech names that apply
everywhere (``輝達``/``辉达`` → ``英伟达``, ``晶片`` → ``芯片``, ``伺服器`` → ``服务器``).

Start-up: ``notifier/data/traditional.json`` ships the phrase table (made from zhconv's
data file by ``scripts/text_data.py``; zhconv is not imported at run time) and every
character ``t2s`` may change. Text with none of them and none of the tech names is left
as it is without OpenCC (one regex search, ~1.5 µs per 300 characters; ``t2s`` alone
takes ~4); OpenCC and the phrase automaton (~10 ms) load on the first text or term that
has one.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = ["Folded", "OffsetMap", "fold", "fold_text", "is_word_char"]

_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

# ---------------------------------------------------------------------------- offsets


class OffsetMap:
    """Maps positions of a transformed string back to the string it came from.

    The output is a sequence of segments: identity runs (output char ``i`` of the run
    comes from input char ``i``) and indivisible units (``n_out`` chars from ``n_in``).
    Characters that vanish leave no segment.
    """

    __slots__ = ("_ident", "_in", "_in_len", "_out", "in_pos", "out_pos")

    def __init__(self) -> None:
        self._out: list[int] = []
        self._in: list[int] = []
        self._in_len: list[int] = []
        self._ident: list[bool] = []
        self.out_pos = 0
        self.in_pos = 0

    def identity(self, n: int) -> None:
        """``n`` characters copied one to one."""
        if n <= 0:
            return
        last = len(self._out) - 1
        if (
            last >= 0
            and self._ident[last]
            and self._in[last] + (self.out_pos - self._out[last]) == self.in_pos
        ):
            pass  # extends the previous identity run
        else:
            self._out.append(self.out_pos)
            self._in.append(self.in_pos)
            self._in_len.append(0)
            self._ident.append(True)
        self.out_pos += n
        self.in_pos += n

    def unit(self, n_out: int, n_in: int) -> None:
        """``n_in`` input characters became ``n_out`` output characters, as a whole."""
        if n_out > 0:
            self._out.append(self.out_pos)
            self._in.append(self.in_pos)
            self._in_len.append(n_in)
            self._ident.append(False)
        self.out_pos += n_out
        self.in_pos += n_in

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The input span that output ``[start, end)`` comes from."""
        if end <= start or not self._out:
            pos = self._start(start) if self._out and start < self.out_pos else self.in_pos
            return pos, pos
        return self._start(start), self._end(end - 1)

    def _start(self, j: int) -> int:
        k = bisect.bisect_right(self._out, j) - 1
        return self._in[k] + (j - self._out[k]) if self._ident[k] else self._in[k]

    def _end(self, j: int) -> int:
        k = bisect.bisect_right(self._out, j) - 1
        if self._ident[k]:
            return self._in[k] + (j - self._out[k]) + 1
        return self._in[k] + self._in_len[k]


class Folded:
    """A folded string, the original it came from, and the way back."""

    __slots__ = ("_maps", "original", "text")

    def __init__(self, text: str, original: str, maps: Iterable[OffsetMap] = ()) -> None:
        self.text = text
        self.original = original
        #: Applied last to first: the last map is the last transformation.
        self._maps = tuple(maps)

    @property
    def identity(self) -> bool:
        """Whether folded offsets are original offsets."""
        return not self._maps

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of folded ``[start, end)``."""
        for m in reversed(self._maps):
            start, end = m.span(start, end)
        return start, end

    def source(self, start: int, end: int) -> str:
        """The original text behind folded ``[start, end)``."""
        s, e = self.span(start, end)
        return self.original[s:e]

    def __repr__(self) -> str:
        return f"Folded({self.text!r}, original={self.original!r})"


# ------------------------------------------------------------------------ word chars

_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Scripts written without spaces: a Latin term next to them is at a word boundary.
_NO_SPACE = (
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
_NO_SPACE_STARTS = [a for a, _ in _NO_SPACE]


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
    return k < 0 or cp > _NO_SPACE[k][1]


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
        self.special = re.compile(f"{_char_class(bmp)}|[\U00010000-\U0010ffff]")

    @classmethod
    def load(cls) -> _Tables:
        """The shipped tables when they were made with this Unicode version, else built."""
        try:
            data = _read_data("fold.json")
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
        "joining": _ranges(sorted(map(ord, joining))),
        "cf": _ranges(sorted(map(ord, cf))),
        "special": _ranges(special),
        "simple": simple,
    }


def _ranges(cps: list[int]) -> list[list[int]]:
    """Sorted code points as ``[first, last]`` runs."""
    out: list[list[int]] = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def _expand(ranges: Iterable[list[int]]) -> Iterable[int]:
    for a, b in ranges:
        yield from range(a, b + 1)


def _read_data(name: str) -> Any:
    """A JSON file of ``notifier/data``."""
    with open(os.path.join(_DATA_DIR, name), "rb") as f:
        return json.load(f)


def _char_class(cps: list[int]) -> str:
    """A regex character class matching exactly ``cps`` (sorted)."""
    parts: list[str] = []
    for a, b in _ranges(cps):
        x = chr(a) if a > 0x7F else re.escape(chr(a))  # only ASCII is special
        if a == b:
            parts.append(x)
        else:
            parts.append(f"{x}-{chr(b) if b > 0x7F else re.escape(chr(b))}")
    return "[" + "".join(parts) + "]" if parts else "(?!)"


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
    folded, fmap = _fold_base(text)
    maps: list[OffsetMap] = [fmap] if fmap is not None else []
    if traditional and not folded.isascii() and _may_change(folded):
        folded, tmaps = _traditional().convert(folded)
        maps.extend(tmaps)
    return Folded(folded, text, maps)


def fold_text(text: str, *, traditional: bool = False) -> str:
    """Just the folded string (for terms)."""
    return fold(text, traditional=traditional).text


def _fold_base(s: str) -> tuple[str, OffsetMap | None]:
    if s.isascii():
        return s.lower(), None
    t = _get_tables()
    specials = t.special.findall(s)
    if not specials:
        return s.casefold(), None
    simple = t.simple
    for ch in set(specials):
        f = simple.get(ch)
        if f is None:
            if ch > "\uffff" and ch not in t.astral_special:
                continue  # an emoji: nothing to fold
            return _fold_slow(s, t)
        s = s.replace(ch, f)
    return s.casefold(), None


def _fold_slow(s: str, t: _Tables) -> tuple[str, OffsetMap]:
    """Per-unit folding with an offset map (text with expanding/vanishing characters)."""
    out: list[str] = []
    omap = OffsetMap()
    cur = 0
    n = len(s)
    joining = t.joining
    cache = t.cache
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
        unit = s[u0:u1]
        f = cache.get(unit)
        if f is None:
            f = _fold_unit(unit, t.cf)
            if len(cache) < 100_000:
                cache[unit] = f
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


# -------------------------------------------------------------- traditional chinese

# Tech names the MediaWiki table lacks (Taiwan → mainland), keys already Simplified.
_TECH_PHRASES = {
    "辉达": "英伟达",
    "超微半导体": "超威半导体",
    "晶片": "芯片",
    "伺服器": "服务器",
    "演算法": "算法",
}
_SPLIT = re.compile(r"([\s\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e\u3000-\u303f]+)")


class _Trigger:
    """The characters OpenCC ``t2s`` may change (``notifier/data/traditional.json``)."""

    def __init__(self, changed: Iterable[int]) -> None:
        cps = sorted(changed)
        self.astral: frozenset[str] = frozenset(chr(cp) for cp in cps if cp > 0xFFFF)
        # BMP class + any astral character, as for ``_Tables.special`` (sre is slow on
        # a class with astral members: ~100 µs per 300 characters instead of ~1.5 µs).
        bmp = _char_class([cp for cp in cps if cp <= 0xFFFF])
        self.search = re.compile(f"{bmp}|[\U00010000-\U0010ffff]").search


_trigger: _Trigger | None = None
_trad_data: dict[str, Any] | None = None


def _traditional_data() -> dict[str, Any]:
    global _trad_data
    if _trad_data is None:
        _trad_data = _read_data("traditional.json")
    return _trad_data


def _may_change(s: str) -> bool:
    """Whether Traditional → Simplified could change folded ``s`` at all.

    Without a character ``t2s`` changes (alone or in one of its phrases) the conversion is
    the identity, and regional phrases apply only where it changed something; only the
    ``_TECH_PHRASES`` apply to Simplified text. So such text needs neither OpenCC nor the
    phrase table, which are loaded on the first text that does.
    """
    global _trigger
    if _trigger is None:
        _trigger = _Trigger(map(ord, _traditional_data()["changed"]))
    search, astral = _trigger.search, _trigger.astral
    pos = 0
    while (m := search(s, pos)) is not None:
        ch = m.group()
        if ch <= "\uffff" or ch in astral:
            return True
        pos = m.end()
    return any(k in s for k in _TECH_PHRASES)


class _Traditional:
    """OpenCC ``t2s`` for characters, then regional phrases (see module docstring)."""

    def __init__(self) -> None:
        import ahocorasick_rs
        import opencc

        try:
            self._cc: Any = opencc.OpenCC("t2s")
        except Exception:  # older OpenCC wants the file name
            self._cc = opencc.OpenCC("t2s.json")
        # MediaWiki's zh2CN keys with a Traditional-only character, folded and converted
        # (scripts/text_data.py makes them from zhconv's data file).
        phrases: dict[str, str] = dict(_traditional_data()["phrases"])
        phrases.update(_TECH_PHRASES)
        self._keys = list(phrases)
        self._values = [phrases[k] for k in self._keys]
        #: Tech names apply wherever they occur; MediaWiki phrases only where the text
        #: was written in Traditional characters (else 一份内部 would become 一分内部).
        self._always = [k in _TECH_PHRASES for k in self._keys]
        self._ac: Any = ahocorasick_rs.AhoCorasick(
            self._keys, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST
        )

    def t2s(self, s: str) -> str:
        """OpenCC ``t2s`` alone (characters and OpenCC's own phrases)."""
        return str(self._cc.convert(s))

    def convert(self, s: str) -> tuple[str, list[OffsetMap]]:
        maps: list[OffsetMap] = []
        out = self.t2s(s)
        cmap: OffsetMap | None = None
        if len(out) != len(s):  # rare: OpenCC changed a length; map by chunks
            out, cmap = self._by_chunks(s)
            maps.append(cmap)
        found = self._ac.find_matches_as_indexes(out)
        if not found:
            return out, maps
        pieces: list[str] = []
        pmap = OffsetMap()
        cur = 0
        for idx, a, b in found:
            v = self._values[idx]
            if v == out[a:b]:
                continue
            if not self._always[idx]:
                oa, ob = cmap.span(a, b) if cmap is not None else (a, b)
                if s[oa:ob] == out[a:b]:
                    continue  # written in Simplified: leave mainland words alone
            pieces.append(out[cur:a])
            pmap.identity(a - cur)
            pieces.append(v)
            if len(v) == b - a:
                pmap.identity(len(v))
            else:
                pmap.unit(len(v), b - a)
            cur = b
        if not pieces:
            return out, maps
        pieces.append(out[cur:])
        pmap.identity(len(out) - cur)
        maps.append(pmap)
        return "".join(pieces), maps

    def _by_chunks(self, s: str) -> tuple[str, OffsetMap]:
        out: list[str] = []
        cmap = OffsetMap()
        for chunk in _SPLIT.split(s):
            if not chunk:
                continue
            c = self.t2s(chunk)
            out.append(c)
            if len(c) == len(chunk):
                cmap.identity(len(c))
            else:
                cmap.unit(len(c), len(chunk))
        return "".join(out), cmap


_trad: _Traditional | None = None


def _traditional() -> _Traditional:
    global _trad
    if _trad is None:
        _trad = _Traditional()
    return _trad
