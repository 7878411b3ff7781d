"""The literal keys of all rules, in Aho-Corasick automata, with incremental updates.

A *key* is a folded literal. Keys whose first or last character is a word character
(``notifier.text.is_word_char``) need a word-boundary check on that side and are stored
with a ``"\\x00"`` prefix ("bounded" keys: ``"\\x00gpt-5"``); the others (CJK, or
regex-prefilter literals) are stored as they are ("free" keys). :meth:`KeyIndex.scan`
returns the set of keys found in a folded text, bounded ones only where both boundaries
hold.

Each shard holds two automata: free keys, whose hits need no check, are collected by
``set(find_matches_as_strings())`` without a Python loop; bounded keys (mostly Latin)
go through a short loop that checks the characters around each hit.

Incremental changes: keys added after the last full build go to a small *delta* shard
that is rebuilt lazily (on the next scan) when it changed; removed keys stay in the
automata until the next full rebuild (a hit on them finds no rule). The main shard is
rebuilt lazily when the delta exceeds 1/32 of it (at least 1,000 keys) or more than
half of its keys are dead. At 100,000 rules (~300,000 keys) adding a rule then costs a
delta rebuild of at most ~10,000 keys (~15 ms) at the next match, plus a share of a
full rebuild (~1.2 s) every ~10,000 new keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from notifier.text import is_word_char

_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _isw(ch: str) -> bool:
    return ch in _ASCII_WORD if ch < "\x80" else is_word_char(ch)


class Shard(Protocol):
    """One pair of automata over a fixed key set."""

    def scan(self, text: str) -> set[str]: ...


def _split(keys: Iterable[str]) -> tuple[list[str], list[str]]:
    free: list[str] = []
    bounded: list[str] = []
    for k in keys:
        (bounded if k[0] == "\x00" else free).append(k)
    return free, bounded


def _flags(bounded: list[str]) -> list[tuple[bool, bool]]:
    return [(_isw(k[1]), _isw(k[-1])) for k in bounded]


class RsShard:
    """Shard on ``ahocorasick_rs`` (Rust ``aho-corasick``): the one the engine uses."""

    def __init__(self, keys: Iterable[str]) -> None:
        import ahocorasick_rs as acr

        free, bounded = _split(keys)
        self._free: Any = acr.AhoCorasick(free, store_patterns=True) if free else None
        self._bkeys = bounded
        self._bflags = _flags(bounded)
        self._bounded: Any = (
            acr.AhoCorasick([k[1:] for k in bounded], store_patterns=False) if bounded else None
        )

    def scan(self, text: str) -> set[str]:
        hits: set[str] = (
            set(self._free.find_matches_as_strings(text, overlapping=True))
            if self._free is not None
            else set()
        )
        if self._bounded is not None:
            n = len(text)
            bkeys, bflags = self._bkeys, self._bflags
            for idx, s, e in self._bounded.find_matches_as_indexes(text, overlapping=True):
                k = bkeys[idx]
                if k in hits:
                    continue
                left, right = bflags[idx]
                if left and s and _isw(text[s - 1]):
                    continue
                if right and e < n and _isw(text[e]):
                    continue
                hits.add(k)
        return hits


class PyShard:
    """Shard on ``pyahocorasick`` (C); kept for the comparison in bench/match.py."""

    def __init__(self, keys: Iterable[str]) -> None:
        import ahocorasick  # type: ignore[import-not-found,unused-ignore]

        free, bounded = _split(keys)
        self._fkeys = free
        self._free: Any = None
        if free:
            self._free = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for i, k in enumerate(free):
                self._free.add_word(k, i)
            self._free.make_automaton()
        self._bkeys = bounded
        self._blens = [len(k) - 1 for k in bounded]
        self._bflags = _flags(bounded)
        self._bounded: Any = None
        if bounded:
            self._bounded = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for i, k in enumerate(bounded):
                self._bounded.add_word(k[1:], i)
            self._bounded.make_automaton()

    def scan(self, text: str) -> set[str]:
        fkeys = self._fkeys
        hits = {fkeys[i] for _, i in self._free.iter(text)} if self._free is not None else set()
        if self._bounded is not None:
            n = len(text)
            for last, idx in self._bounded.iter(text):
                k = self._bkeys[idx]
                if k in hits:
                    continue
                s, e = last + 1 - self._blens[idx], last + 1
                left, right = self._bflags[idx]
                if left and s and _isw(text[s - 1]):
                    continue
                if right and e < n and _isw(text[e]):
                    continue
                hits.add(k)
        return hits


BACKENDS: dict[str, type[RsShard] | type[PyShard]] = {"rs": RsShard, "py": PyShard}


class KeyIndex:
    """Reference-counted keys in a main shard plus a small delta shard."""

    def __init__(self, backend: str = "rs") -> None:
        self._shard_type = BACKENDS[backend]
        self._refs: dict[str, int] = {}
        self._main_keys: set[str] = set()
        self._delta_keys: set[str] = set()
        self._main: Shard | None = None
        self._delta: Shard | None = None
        self._dead = 0  # keys of the main shard no longer referenced
        self._main_dirty = True
        self._delta_dirty = False

    def __len__(self) -> int:
        return len(self._refs)

    def add(self, key: str) -> None:
        """Reference ``key`` once more."""
        n = self._refs.get(key, 0)
        self._refs[key] = n + 1
        if n:
            return
        if key in self._main_keys:
            self._dead -= 1
        elif not self._main_dirty:
            self._delta_keys.add(key)
            self._delta_dirty = True

    def discard(self, key: str) -> None:
        """Drop one reference to ``key``."""
        n = self._refs.get(key, 0)
        if n > 1:
            self._refs[key] = n - 1
            return
        if n == 1:
            del self._refs[key]
            if key in self._delta_keys:
                self._delta_keys.discard(key)
                self._delta_dirty = True
            elif key in self._main_keys:
                self._dead += 1

    def scan(self, text: str) -> set[str]:
        """Keys found in ``text`` (folded), boundaries checked."""
        self._refresh()
        hits = self._main.scan(text) if self._main is not None else set()
        if self._delta is not None:
            hits |= self._delta.scan(text)
        return hits

    def rebuild(self) -> None:
        """Build everything now (otherwise done lazily on the next scan)."""
        self._main_dirty = True
        self._refresh()

    def _refresh(self) -> None:
        main = len(self._main_keys)
        if len(self._delta_keys) > max(1000, main // 32) or self._dead > max(2000, main // 2):
            self._main_dirty = True
        if self._main_dirty:
            self._main_keys = set(self._refs)
            self._main = self._shard_type(sorted(self._main_keys)) if self._main_keys else None
            self._delta_keys.clear()
            self._delta = None
            self._dead = 0
            self._main_dirty = self._delta_dirty = False
        elif self._delta_dirty:
            keys = sorted(self._delta_keys)
            self._delta = self._shard_type(keys) if keys else None
            self._delta_dirty = False
