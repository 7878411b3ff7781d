"""The literal keys of all rules, in Aho-Corasick automata, with incremental updates.

A *key* is a folded literal. Keys whose first or last character is a word character
(``notifier.folding.is_word_char``) need a word-boundary check on that side and are stored
with a ``"\\x00"`` prefix ("bounded" keys: ``"\\x00gpt-5"``); the others (CJK, or
regex-prefilter literals) are stored as they are ("free" keys). :meth:`KeyIndex.scan`
returns the set of keys found in a folded text, bounded ones only where both boundaries
hold (``notifier.folding``: a word character before the key blocks it; after a key ending
in a letter a letter blocks it but a digit does not, ``iphone`` in ``iphone16``; after
one ending in a digit any word character does, ``gpt-5`` in ``gpt-50``).

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

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from notifier.folding import LETTER_END, is_word_char, right_bound


class _WordChars(dict[str, bool]):
    """Character → ``is_word_char``, filled as characters are seen (one dict lookup)."""

    def __missing__(self, ch: str) -> bool:
        w = is_word_char(ch)
        if len(self) < 65_536:
            self[ch] = w
        return w


_WORD = _WordChars()


def _isw(ch: str) -> bool:
    return _WORD[ch]


class Shard(Protocol):
    """One pair of automata over a fixed key set."""

    def scan(self, text: str) -> set[str]: ...


def _split(keys: Iterable[str]) -> tuple[list[str], list[str]]:
    free: list[str] = []
    bounded: list[str] = []
    for k in keys:
        (bounded if k[0] == "\x00" else free).append(k)
    return free, bounded


def _flags(bounded: list[str]) -> list[tuple[bool, int]]:
    """Per bounded key: whether its left side is bounded, and its ``right_bound``."""
    return [(_isw(k[1]), right_bound(k[-1])) for k in bounded]


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
            bkeys, bflags, word = self._bkeys, self._bflags, _WORD
            for idx, s, e in self._bounded.find_matches_as_indexes(text, overlapping=True):
                k = bkeys[idx]
                if k in hits:
                    continue
                left, right = bflags[idx]
                if left and s and word[text[s - 1]]:
                    continue
                if (
                    right
                    and e < n
                    and word[c := text[e]]
                    and (right != LETTER_END or not c.isdecimal())
                ):
                    continue  # a word goes on (a digit may follow a letter)
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
                if (
                    right
                    and e < n
                    and _isw(c := text[e])
                    and (right != LETTER_END or not c.isdecimal())
                ):
                    continue  # a word goes on (a digit may follow a letter)
                hits.add(k)
        return hits


BACKENDS: dict[str, type[RsShard] | type[PyShard]] = {"rs": RsShard, "py": PyShard}


def _nothing(text: str) -> set[str]:
    return set()


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
        self._stale = True  # an add or discard since the last refresh

    def __len__(self) -> int:
        return len(self._refs)

    def add(self, key: str) -> None:
        """Reference ``key`` once more."""
        self._stale = True
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
        self._stale = True
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
        return self.scanner()(text)

    def scanner(self) -> Callable[[str], set[str]]:
        """:meth:`scan` for the current keys (automata brought up to date once)."""
        if self._stale:
            self._refresh()
            self._stale = False
        main, delta = self._main, self._delta
        if delta is None:
            return main.scan if main is not None else _nothing
        if main is None:
            return delta.scan
        return lambda text: main.scan(text) | delta.scan(text)

    def rebuild(self) -> None:
        """Build everything now (otherwise done lazily on the next scan)."""
        self._main_dirty = True
        self._refresh()
        self._stale = False

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
