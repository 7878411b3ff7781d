"""Collect every problem of a config, rather than stopping at the first."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from notifier.errors import ConfigError


class Problems:
    """A list of :class:`ConfigError`, each ``path:line: message``, and of warnings."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []
        #: Advice on valid but risky values; a config with only warnings is fine.
        self.warnings: list[ConfigError] = []

    def add(self, message: str, path: str, line: int | None) -> None:
        """Record one problem."""
        self.errors.append(ConfigError(message, path, line))

    def warn(self, message: str, path: str, line: int | None) -> None:
        """Record one warning (shown as ``path:line: warning: message``)."""
        self.warnings.append(ConfigError(f"warning: {message}", path, line))

    def extend(self, errors: Iterable[ConfigError]) -> None:
        """Record problems found elsewhere (a keyword file, an expression)."""
        self.errors.extend(errors)

    def sorted(self, first_path: str, *, warnings: bool = False) -> list[ConfigError]:
        """Return the problems (or the warnings) in :func:`by_place` order."""
        return by_place(first_path, self.warnings if warnings else self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)


def by_place(first_path: str, found: Iterable[ConfigError]) -> list[ConfigError]:
    """Return ``found`` for ``first_path`` first, then each other file's, by line (stable)."""
    found = list(found)
    order = {first_path: 0}
    for err in found:
        order.setdefault(err.path or "", len(order))
    return sorted(found, key=lambda e: (order[e.path or ""], e.line or 0))


def closest(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice closest to ``word`` if one is close enough, else ``None``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or ``""``."""
    close = closest(word, choices)
    return f" (did you mean '{close}'?)" if close else ""
