"""Typed readers for config values: each reports a problem and returns ``None`` if bad."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from notifier.config._nodes import Node
from notifier.config._problems import Problems, closest, suggest
from notifier.rules.model import FIELDS


class Checker:
    """Reads values of one file; every problem goes to ``problems`` as ``path:line``."""

    def __init__(self, path: str, problems: Problems) -> None:
        self.path = path
        self.problems = problems

    def error(self, line: int | None, message: str) -> None:
        """Record a problem at ``line`` of this file."""
        self.problems.add(message, self.path, line)

    def warning(self, line: int | None, message: str) -> None:
        """Record a warning at ``line`` of this file."""
        self.problems.warn(message, self.path, line)

    def fail(self, node: Node, message: str) -> None:
        """Record a problem with a value, unless its ``${VAR}`` was already reported."""
        if not node.broken:
            self.error(node.line, message)

    def mapping(self, node: Node, what: str) -> dict[str, Node] | None:
        """Return the mapping of ``node``, or report that ``what`` must be one."""
        if isinstance(node.value, dict):
            return node.value
        self.fail(node, f"{what} must be a mapping, got {node.kind}")
        return None

    def known_keys(self, node: Node, allowed: Iterable[str], noun: str = "field") -> None:
        """Report each key of a mapping node that is not in ``allowed``."""
        allowed = tuple(allowed)
        for key in node.value:
            if key not in allowed:
                line = node.key_lines.get(key, node.line)
                self.error(line, f"unknown {noun} '{key}'{suggest(key, allowed)}")

    def string(self, node: Node, key: str) -> str | None:
        """Return a non-empty string."""
        if not isinstance(node.value, str):
            hint = " (quote it)" if isinstance(node.value, int | float) else ""
            self.fail(node, f"{key}: must be a string, got {node.kind}{hint}")
            return None
        if not node.value.strip():
            self.fail(node, f"{key}: must not be empty")
            return None
        return node.value

    def items(self, node: Node, key: str, *, single: bool = False) -> list[Node] | None:
        """Return the items of a list (or of a lone string when ``single``)."""
        if isinstance(node.value, list):
            return node.value
        if node.value is None:
            return []
        if single and isinstance(node.value, str):
            return [node]
        hint = " (for the one-line syntax use keywords:)" if isinstance(node.value, str) else ""
        self.fail(node, f"{key}: must be a list, got {node.kind}{hint}")
        return None

    def strings(self, node: Node, key: str, *, single: bool = False) -> tuple[str, ...] | None:
        """Return a list of non-empty strings."""
        items = self.items(node, key, single=single)
        if items is None:
            return None
        out = [self.string(item, key) for item in items]
        return None if None in out else tuple(s for s in out if s is not None)

    def number(self, node: Node, key: str, *, positive: bool) -> float | None:
        """Return a finite number, > 0 when ``positive`` else >= 0."""
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(node, f"{key}: must be a number, got {node.kind}{_unquote_hint(node)}")
            return None
        if not math.isfinite(value) or (value <= 0 if positive else value < 0):
            need = "a positive number" if positive else "a number >= 0"
            got = "" if node.env else f", got {value}"
            self.fail(node, f"{key}: must be {need}{got}")
            return None
        return float(value)

    def count(self, node: Node, key: str) -> int | None:
        """Return a whole number > 0."""
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            plain = isinstance(value, int | float) and not isinstance(value, bool)
            got = str(value) if plain and not node.env else node.kind
            self.fail(node, f"{key}: must be a whole number > 0, got {got}{_unquote_hint(node)}")
            return None
        return value

    def choice(self, node: Node, key: str, choices: Sequence[str]) -> str | None:
        """Return one of ``choices`` (a string), with a suggestion when it is close to one."""
        if not isinstance(node.value, str) or node.value not in choices:
            allowed = " or ".join(choices) if len(choices) == 2 else ", ".join(choices)
            got = f", got {node.show()}" if node.value is not None else ""
            close = suggest(node.value, choices) if isinstance(node.value, str) else ""
            self.fail(node, f"{key}: must be {allowed}{got}{'' if node.env else close}")
            return None
        return node.value

    def unknown_settings(self, node: Node, allowed: Iterable[str], what: str) -> None:
        """Report each key of a mapping node not in ``allowed`` as ``what: unknown setting``."""
        allowed = tuple(allowed)
        for key in node.value:
            if key not in allowed:
                close = closest(key, allowed)
                hint = f"did you mean '{close}'?" if close else f"known: {', '.join(allowed)}"
                line = node.key_lines.get(key, node.line)
                self.error(line, f"{what}: unknown setting '{key}' ({hint})")

    def boolean(self, node: Node, key: str) -> bool | None:
        """Return true or false."""
        if isinstance(node.value, bool):
            return node.value
        self.fail(node, f"{key}: must be true or false, got {node.kind}")
        return None

    def fields(self, node: Node, key: str) -> tuple[str, ...] | None:
        """Return item field names (title, summary, source, section)."""
        names = self.strings(node, key, single=True)
        if names is None:
            return None
        if not names:
            self.fail(node, f"{key}: give at least one of {', '.join(FIELDS)}")
            return None
        bad = False
        for item, name in zip(self.items(node, key, single=True) or [], names, strict=True):
            if name not in FIELDS:
                shown = item.show()
                hint = "" if item.env else suggest(name, FIELDS)
                self.error(
                    item.line,
                    f"{key}: {shown} is not an item field{hint}; fields are {', '.join(FIELDS)}",
                )
                bad = True
        return None if bad else names

    def weights(self, node: Node, key: str, base: Mapping[str, float]) -> dict[str, float] | None:
        """Return ``base`` updated with a mapping of field -> positive number."""
        mapping = self.mapping(node, key)
        if mapping is None:
            return None
        out = dict(base)
        ok = True
        for name, value in mapping.items():
            if name not in FIELDS:
                line = node.key_lines.get(name, node.line)
                self.error(
                    line,
                    f"{key}: '{name}' is not an item field{suggest(name, FIELDS)}; "
                    f"fields are {', '.join(FIELDS)}",
                )
                ok = False
                continue
            weight = self.number(value, f"{key}.{name}", positive=True)
            if weight is None:
                ok = False
            else:
                out[name] = weight
        return out if ok else None


def _unquote_hint(node: Node) -> str:
    """Explain that a quoted ``"${VAR}"`` stays a string."""
    if node.env and isinstance(node.value, str) and node.raw:
        return f" (write {node.raw} without quotes for a number)"
    return ""
