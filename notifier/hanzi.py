"""Traditional → Simplified Chinese for matching (``fold(text, traditional=True)``).

OpenCC ``t2s`` converts characters (fast, same length, so offsets stay positional), then
a phrase pass with leftmost-longest Aho-Corasick applies MediaWiki's ``zh2CN`` regional
table (shipped in zhconv's data file; only entries whose key has a Traditional-only
character, applied only where the text was written in Traditional characters, so
mainland words are never rewritten: 高画质 stays, 高畫質 → 高清) plus a few tech names that
apply everywhere (``輝達``/``辉达`` → ``英伟达``, ``晶片`` → ``芯片``, ``伺服器`` → ``服务器``).

**Characters kept as they are.** Some characters are Simplified characters too, with a
meaning of their own: 昇 (昇腾, Huawei's Ascend) is not 升 (升腾, rising), 乾 (乾坤) is
not 干, 於 is a surname. OpenCC's character table lists them with themselves among their
Simplified forms (``昇 → 升 昇``) and picks the first, a guess. The 19 of them
(``keep`` in ``notifier/data/traditional.json``: 乾剋劄吒夥徵扞於昇氾祕脩蒐薹袷谿釐陞麽)
are never converted, in text, terms and regexes alike: ``昇腾`` does not match
"升腾的火焰", and matches "華為昇騰". The price: Traditional 乾淨 no longer matches 干净
(nor 關於 关于). On the 3,072 titles and summaries of the corpus, fixtures and examples,
only 3 fields have one of them (all 昇腾), all three now left as they are.

Start-up: ``notifier/data/traditional.json`` ships the phrase table (made from zhconv's
data file by ``scripts/text_data.py``; zhconv is not imported at run time) and every
character ``t2s`` may change. Text with none of them and none of the tech names is left
as it is without OpenCC (one regex search, ~1.5 µs per 300 characters; ``t2s`` alone
takes ~4); OpenCC and the phrase automaton (~10 ms) load on the first text or term that
has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from notifier.offsets import OffsetMap
from notifier.textdata import char_class, read_data

__all__ = ["TECH_PHRASES", "Converter", "converter", "keep", "may_change"]

#: Tech names the MediaWiki table lacks (Taiwan → mainland), keys already Simplified.
TECH_PHRASES = {
    "辉达": "英伟达",
    "超微半导体": "超威半导体",
    "晶片": "芯片",
    "伺服器": "服务器",
    "演算法": "算法",
}
_SPLIT = re.compile(r"([\s\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e\u3000-\u303f]+)")
_TECH_SEARCH = re.compile("|".join(TECH_PHRASES)).search

_data: dict[str, Any] | None = None


def _traditional_data() -> dict[str, Any]:
    global _data
    if _data is None:
        _data = read_data("traditional.json")
    return _data


def keep() -> frozenset[str]:
    """The characters never converted (see the module docstring)."""
    return frozenset(_traditional_data()["keep"])


class _Trigger:
    """The characters OpenCC ``t2s`` may change (``notifier/data/traditional.json``)."""

    def __init__(self, changed: Iterable[int]) -> None:
        cps = sorted(changed)
        self.astral: frozenset[str] = frozenset(chr(cp) for cp in cps if cp > 0xFFFF)
        # BMP class + any astral character, as for ``text._Tables.special`` (sre is slow
        # on a class with astral members: ~100 µs per 300 characters instead of ~1.5 µs).
        bmp = char_class([cp for cp in cps if cp <= 0xFFFF])
        self.search = re.compile(f"{bmp}|[\U00010000-\U0010ffff]").search


_trigger: _Trigger | None = None


def may_change(s: str) -> bool:
    """Whether Traditional → Simplified could change folded ``s`` at all.

    Without a character ``t2s`` changes (alone or in one of its phrases) the conversion is
    the identity, and regional phrases apply only where it changed something; only the
    :data:`TECH_PHRASES` apply to Simplified text. So such text needs neither OpenCC nor
    the phrase table, which are loaded on the first text that does.
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
    return _TECH_SEARCH(s) is not None


def open_t2s() -> Any:
    """OpenCC's ``t2s`` converter."""
    import opencc

    try:
        return opencc.OpenCC("t2s")
    except Exception:  # older OpenCC wants the file name
        return opencc.OpenCC("t2s.json")


class Converter:
    """OpenCC ``t2s`` for characters (the kept ones excepted), then regional phrases."""

    def __init__(
        self,
        cc: Any = None,
        phrases: dict[str, str] | None = None,
        kept: frozenset[str] | None = None,
    ) -> None:
        self._cc: Any = cc if cc is not None else open_t2s()
        self._keep = keep() if kept is None else kept
        self._keep_search = re.compile(char_class(sorted(map(ord, self._keep)))).search
        if phrases is None:
            # MediaWiki's zh2CN keys with a Traditional-only character, folded and
            # converted (scripts/text_data.py makes them from zhconv's data file).
            phrases = dict(_traditional_data()["phrases"])
        phrases.update(TECH_PHRASES)
        self._keys = list(phrases)
        self._values = [phrases[k] for k in self._keys]
        #: Tech names apply wherever they occur; MediaWiki phrases only where the text
        #: was written in Traditional characters (else 一份内部 would become 一分内部).
        self._always = [k in TECH_PHRASES for k in self._keys]
        self._ac: Any = None

    def t2s(self, s: str) -> str:
        """OpenCC ``t2s`` (characters and OpenCC's own phrases), kept characters kept."""
        out = str(self._cc.convert(s))
        if out == s or self._keep_search(s) is None:
            return out
        if len(out) == len(s):
            return self._restore(s, out)
        parts = []  # rare: a length changed; restore chunk by chunk
        for chunk in _SPLIT.split(s):
            c = str(self._cc.convert(chunk)) if chunk else ""
            parts.append(self._restore(chunk, c) if len(c) == len(chunk) else c)
        return "".join(parts)

    def _restore(self, s: str, out: str) -> str:
        keep = self._keep
        return "".join(c if c in keep else o for c, o in zip(s, out, strict=True))

    def convert(self, s: str) -> tuple[str, list[OffsetMap]]:
        """The converted text and its maps back to ``s``."""
        maps: list[OffsetMap] = []
        out = self.t2s(s)
        cmap: OffsetMap | None = None
        if len(out) != len(s):  # rare: OpenCC changed a length; map by chunks
            out, cmap = self._by_chunks(s)
            maps.append(cmap)
        if self._ac is None:
            import ahocorasick_rs

            self._ac = ahocorasick_rs.AhoCorasick(
                self._keys, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST
            )
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


_converter: Converter | None = None


def converter() -> Converter:
    """The shared converter (OpenCC and the phrase automaton load on first use)."""
    global _converter
    if _converter is None:
        _converter = Converter()
    return _converter
