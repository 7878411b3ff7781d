"""YAML to line-numbered values, with ``${VAR}`` interpolation done first.

PyYAML's ``compose`` keeps each node's line; we turn nodes into :class:`Node` values that
remember their line and which environment variables went into them, so that validation can
point at ``file:line`` and never echo a value that came from the environment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Mapping
from typing import Any

import yaml

from notifier.config._problems import Problems
from notifier.yamlbounds import ShapeError, check_shape

_VAR = re.compile(r"\$(\$)?\{([^}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MERGE = "tag:yaml.org,2002:merge"


@dataclasses.dataclass(eq=False, slots=True)
class Node:
    """One YAML value with its 1-based line.

    ``value`` is ``None``, a bool, int, float, str or date, a ``list[Node]``, or a
    ``dict[str, Node]`` (then ``key_lines`` gives the line of each key). ``env`` names the
    variables interpolated into a scalar: such a value is never shown.
    """

    value: Any
    line: int
    env: tuple[str, ...] = ()
    key_lines: dict[str, int] = dataclasses.field(default_factory=dict)
    #: The scalar as written, before interpolation (``${TOKEN}``): safe to show.
    raw: str | None = None
    #: Interpolation failed in it (or inside it) and was reported: say no more about it.
    broken: bool = False

    @property
    def kind(self) -> str:
        """Say what the value is, for messages: ``a string``, ``a list``..."""
        return describe(self.value)

    def show(self) -> str:
        """Quote the value for a message; an interpolated one as written (``'${TOKEN}'``)."""
        if self.env:
            return repr(self.raw)
        return repr(self.value)

    def plain(self) -> Any:
        """Return the value as plain Python (lists, dicts, scalars)."""
        if isinstance(self.value, list):
            return [n.plain() for n in self.value]
        if isinstance(self.value, dict):
            return {k: n.plain() for k, n in self.value.items()}
        return self.value


def describe(value: object) -> str:
    """Name a value's YAML type for a message, without its content."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def compose(
    text: str, path: str, problems: Problems, environ: Mapping[str, str] | None = None
) -> Node | None:
    """Parse YAML text; report a syntax error and return ``None`` when it has one.
    ``${VAR}`` reads ``environ`` (default: the process environment)."""
    try:
        check_shape(text)
        root = _compose(text)
    except ShapeError as exc:
        fix = ": write the values out, or use fewer aliases" if exc.what.startswith("has") else ""
        problems.add(f"the YAML {exc.what}{fix}", path, exc.line)
        return None
    except yaml.MarkedYAMLError as exc:
        problems.add(_syntax_message(exc), path, _line(exc))
        return None
    if root is None:
        return None
    return _Converter(path, problems, os.environ if environ is None else environ).convert(root)


def _compose(text: str) -> yaml.Node | None:
    """libyaml when it is there (~10× faster); PyYAML for anything libyaml refuses.

    The two agree on valid YAML; PyYAML's error messages are the ones reported (and tested).
    """
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.compose(text, Loader=loader)
        except Exception:  # any refusal (or text it cannot encode): PyYAML decides and says
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _line(exc: yaml.MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else None


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    if "'\\t'" in problem:
        return "YAML syntax error: a tab character; YAML indents with spaces only"
    message = f"YAML syntax error: {problem}"
    if exc.context and exc.context_mark and exc.context_mark.line != _line_of(exc.problem_mark):
        message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
    return message


def _line_of(mark: yaml.Mark | None) -> int | None:
    return mark.line if mark else None


class _Converter:
    """Turns composed YAML nodes into :class:`Node`, interpolating scalars."""

    def __init__(self, path: str, problems: Problems, environ: Mapping[str, str]) -> None:
        self.path = path
        self.problems = problems
        self.environ = environ
        self.constructor = yaml.SafeLoader("")
        self.stack: set[int] = set()

    def convert(self, node: yaml.Node) -> Node:
        line = node.start_mark.line + 1
        if id(node) in self.stack:
            self.problems.add("an alias refers to itself", self.path, line)
            return Node(None, line)
        self.stack.add(id(node))
        try:
            if isinstance(node, yaml.ScalarNode):
                return self._scalar(node, line)
            if isinstance(node, yaml.SequenceNode):
                items = [self.convert(n) for n in node.value]
                return Node(items, line, broken=any(n.broken for n in items))
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, line)
        finally:
            self.stack.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, line: int) -> Node:
        out = Node({}, line)
        merged: dict[str, tuple[Node, int]] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:
                self._merge(self.convert(value_node), merged)
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.problems.add("a key must be a plain word", self.path, key_line)
                continue
            if key in out.value:
                first = out.key_lines[key]
                where = "twice on this line" if first == key_line else f"first at line {first}"
                self.problems.add(f"duplicate key '{key}' ({where})", self.path, key_line)
                continue
            out.value[key] = self.convert(value_node)
            out.key_lines[key] = key_line
        for key, (value, key_line) in merged.items():
            if key not in out.value:
                out.value[key] = value
                out.key_lines[key] = key_line
        out.broken = any(n.broken for n in out.value.values())
        return out

    def _merge(self, source: Node, merged: dict[str, tuple[Node, int]]) -> None:
        """Apply ``<<: *anchor`` (or a list of anchors): explicit keys win."""
        sources = source.value if isinstance(source.value, list) else [source]
        for src in sources:
            if not isinstance(src.value, dict):
                self.problems.add("'<<' merges mappings only", self.path, src.line)
                continue
            for key, value in src.value.items():
                merged.setdefault(key, (value, src.key_lines[key]))

    def _scalar(self, node: yaml.ScalarNode, line: int) -> Node:
        env: tuple[str, ...] = ()
        raw = node.value
        if "${" in node.value:
            text, env = self._interpolate(node.value, line)
            if text is None:
                return Node(None, line, env, raw=raw, broken=True)
            tag = node.tag
            if not node.style:  # None from PyYAML, "" from libyaml
                # A plain scalar: `${N}` holding 10 is the number 10, as if written.
                tag = self.constructor.resolve(yaml.ScalarNode, text, (True, False))
            node = yaml.ScalarNode(tag, text, node.start_mark, node.end_mark, node.style)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            self.problems.add(f"cannot read this value (tag {node.tag})", self.path, line)
            value = None
        return Node(value, line, env, raw=raw)

    def _interpolate(self, text: str, line: int) -> tuple[str | None, tuple[str, ...]]:
        """Replace ``${VAR}`` and ``${VAR:-default}``; ``$${`` is a literal ``${``."""
        used: list[str] = []
        failed = False

        def sub(match: re.Match[str]) -> str:
            nonlocal failed
            if match.group(1):
                return match.group(0)[1:]
            body = match.group(2)
            name, sep, default = body.partition(":-")
            if not _NAME.fullmatch(name):
                self.problems.add(
                    "malformed ${...}: write ${NAME} or ${NAME:-default}", self.path, line
                )
                failed = True
                return ""
            used.append(name)
            value = self.environ.get(name)
            if value:
                return value
            if sep:
                return default
            if value is None:
                self.problems.add(f"environment variable {name} is not set", self.path, line)
                failed = True
            return ""

        result = _VAR.sub(sub, text)
        if "${" in _VAR.sub("", text):
            self.problems.add("unclosed ${: write ${NAME} or ${NAME:-default}", self.path, line)
            failed = True
        return (None if failed else result), tuple(used)
