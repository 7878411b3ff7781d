"""Offsets of a transformed string back to the string it came from.

:class:`OffsetMap` maps one transformation (folding, Traditional → Simplified);
:class:`Folded` holds a folded string, its original and the maps back. Maps are often
not needed at all (a text without hits is never highlighted), so a :class:`Folded` can
take a function that builds them on the first :meth:`Folded.span`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

__all__ = ["Folded", "OffsetMap"]


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


#: Builds the maps of a :class:`Folded` when they are first needed.
MapBuilder = Callable[[], Sequence[OffsetMap]]


class Folded:
    """A folded string, the original it came from, and the way back.

    ``maps`` are applied last to first (the last map is the last transformation); a
    callable instead builds them on the first :meth:`span` (folded offsets that are not
    original offsets, for text whose folding changed lengths).
    """

    __slots__ = ("_build", "_maps", "original", "text")

    def __init__(
        self, text: str, original: str, maps: Sequence[OffsetMap] | MapBuilder = ()
    ) -> None:
        self.text = text
        self.original = original
        if callable(maps):
            self._maps: tuple[OffsetMap, ...] = ()
            self._build: MapBuilder | None = maps
        else:
            self._maps = tuple(maps)
            self._build = None

    @property
    def identity(self) -> bool:
        """Whether folded offsets are original offsets."""
        return not self._maps and self._build is None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of folded ``[start, end)``."""
        if self._build is not None:
            self._maps = tuple(self._build())
            self._build = None
        for m in reversed(self._maps):
            start, end = m.span(start, end)
        return start, end

    def source(self, start: int, end: int) -> str:
        """The original text behind folded ``[start, end)``."""
        s, e = self.span(start, end)
        return self.original[s:e]

    def __repr__(self) -> str:
        return f"Folded({self.text!r}, original={self.original!r})"
