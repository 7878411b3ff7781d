"""Collect every problem of a config, rather than stopping at the first."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from notifier.errors import ConfigError


class Problems:
    """A list of :class:`ConfigError`, each ``path:line: message``."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    def add(self, message: str, path: str, line: int | None) -> None:
        """Record one problem."""
        self.errors.append(ConfigError(message, path, line))

    def extend(self, errors: Iterable[ConfigError]) -> None:
        """Record problems found elsewhere (a keyword file, an expression)."""
        self.errors.extend(errors)

    def sorted(self, first_path: str) -> list[ConfigError]:
        """Return the problems of ``first_path`` first, then each other file's, by line."""
        order = {first_path: 0}
        for err in self.errors:
            order.setdefault(err.path or "", len(order))
        return sorted(self.errors, key=lambda e: (order[e.path or ""], e.line or 0))

    def __bool__(self) -> bool:
        return bool(self.errors)


def suggest(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
