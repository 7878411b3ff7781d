"""Front matter: YAML between ``---`` lines (Hugo, Jekyll), or TOML between ``+++``.

Most front matter is flat ``key: value`` lines, which a small strict reader handles
without importing PyYAML (its import alone costs more than parsing a whole corpus).
Anything it does not fully understand goes to PyYAML, which has the final word on
validity. Invalid front matter is ignored with a warning naming the line.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from notifier.parse.result import Context

_KEY_RE = re.compile(r"([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(.*)|[ \t]*)")
_TOML_RE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*=[ \t]*(.*)")
_DQ_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t", " ": " "}
_PLAIN_BAD_START = tuple("[]{}#&*!|>'\"%@`,?:")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_MAX_DEPTH = 64  # flow collections ([ {) open at once
_MAX_INDENT = 256  # columns of block indentation


class _Undecided(Exception):
    """The small reader cannot tell; PyYAML decides."""


class _Invalid(Exception):
    """Certainly not YAML: text after a closing quote (``"a "b" c"``)."""

    def __init__(self, problem: str, index: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.index = index  # index in the front matter lines


@dataclasses.dataclass(slots=True)
class FrontMatter:
    """The front matter's mapping (empty when invalid) and where the body starts."""

    data: dict[str, Any]
    body_start: int  # index of the first body line


def split_front_matter(lines: list[str], ctx: Context) -> FrontMatter | None:
    """Read front matter at the top of ``lines``; ``None`` when there is none."""
    if not lines:
        return None
    fence = lines[0].strip()
    if fence not in ("---", "+++"):
        return None
    closers = ("---", "...") if fence == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        if len(lines) > 1 and _KEY_RE.fullmatch(lines[1].rstrip()):
            ctx.warn(1, "front matter is never closed; read as text")
        return None
    raw = lines[1:end]
    data = _toml(raw) if fence == "+++" else _yaml(raw, ctx)
    return FrontMatter(data, end + 1)


def _toml(raw: list[str]) -> dict[str, Any]:
    """Top-level ``key = value`` pairs of TOML front matter (strings unquoted)."""
    data: dict[str, Any] = {}
    for line in raw:
        m = _TOML_RE.fullmatch(line.strip())
        if m:
            value = m.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            data[m.group(1)] = value
    return data


def _yaml(raw: list[str], ctx: Context) -> dict[str, Any]:
    try:
        return _simple_yaml(raw)
    except _Undecided:
        pass
    except _Invalid as exc:
        ctx.warn(2 + exc.index, f"front matter is not valid YAML ({exc.problem}); ignored")
        return {}
    if _too_deep(raw):
        ctx.warn(2, "front matter is nested too deeply; ignored")
        return {}
    import yaml  # type: ignore[import-untyped]  # only when the small reader declines

    from notifier.yamlbounds import ShapeError, check_shape

    try:
        check_shape("\n".join(raw))
    except ShapeError as exc:  # an alias bomb: never built, let alone expanded
        ctx.warn(1 + exc.line, f"front matter {exc.what}; ignored")
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load("\n".join(raw), Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        ctx.warn(line, f"front matter is not valid YAML ({problem}); ignored")
        return {}
    except (RecursionError, MemoryError, ValueError, OverflowError) as exc:
        ctx.warn(2, f"front matter could not be read ({type(exc).__name__}); ignored")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        ctx.warn(2, "front matter is not a mapping; ignored")
        return {}
    return {str(k): v for k, v in data.items()}


def _too_deep(raw: list[str]) -> bool:
    """Nesting that would overflow libyaml's recursive composer (it crashes, not raises)."""
    depth = 0
    for line in raw:
        indent = len(line) - len(line.lstrip(" -"))
        if indent > _MAX_INDENT:
            return True
        for ch in line:
            if ch in "[{":
                depth += 1
                if depth > _MAX_DEPTH:
                    return True
            elif ch in "]}":
                depth = max(depth - 1, 0)
    return False


def _simple_yaml(raw: list[str]) -> dict[str, Any]:
    """Flat ``key: scalar`` / ``key: [a, b]`` lines; raises :class:`_Undecided` otherwise."""
    data: dict[str, Any] = {}
    i = 0
    while i < len(raw):
        line = raw[i].rstrip()
        i += 1
        if not line.strip() or line.startswith("#"):
            continue
        if line[0] in " \t":
            raise _Undecided
        m = _KEY_RE.fullmatch(line)
        if m is None:
            raise _Undecided
        key, value = m.group(1), (m.group(2) or "").strip()
        if not value:
            if i < len(raw) and raw[i][:1] in (" ", "\t", "-"):
                raise _Undecided  # a block list or nested mapping follows
            data[key] = None
        elif value[0] == '"':
            data[key], i = _double_quoted(value, raw, i)
        elif value[0] == "'":
            data[key] = _single_quoted(value, i - 1)
        elif value[0] == "[":
            data[key] = _flow_list(value)
        else:
            data[key] = _plain(value)
    return data


def _after_scalar(rest: str, index: int) -> None:
    """What follows a closing quote may only be a comment."""
    rest = rest.strip()
    if rest and not rest.startswith("#"):
        raise _Invalid("did not find expected key", index)


def _double_quoted(value: str, raw: list[str], i: int) -> tuple[str, int]:
    """A double-quoted scalar from ``value`` on, possibly continued on the next lines."""
    out: list[str] = []
    text = value[1:]
    while True:
        j = 0
        while j < len(text):
            ch = text[j]
            if ch == "\\":
                if j + 1 >= len(text) or text[j + 1] not in _DQ_ESCAPES:
                    raise _Undecided
                out.append(_DQ_ESCAPES[text[j + 1]])
                j += 2
            elif ch == '"':
                _after_scalar(text[j + 1 :], i - 1)
                return "".join(out), i
            else:
                out.append(ch)
                j += 1
        if i >= len(raw):
            raise _Undecided  # never closed
        # A line break inside the quotes folds to a space (a blank line to "\n").
        while out and out[-1] in " \t":
            out.pop()
        nxt = raw[i].strip()
        i += 1
        out.append(" " if nxt else "\n")
        text = nxt


def _single_quoted(value: str, index: int) -> str:
    body = value[1:]
    j = 0
    out: list[str] = []
    while j < len(body):
        if body[j] == "'":
            if body[j + 1 : j + 2] == "'":
                out.append("'")
                j += 2
                continue
            _after_scalar(body[j + 1 :], index)
            return "".join(out)
        out.append(body[j])
        j += 1
    raise _Undecided  # multi-line single quotes: PyYAML decides


def _flow_list(value: str) -> list[str]:
    if not value.endswith("]") or "#" in value or value.count("[") != 1:
        raise _Undecided
    inner = value[1:-1].strip()
    if not inner:
        return []
    items: list[str] = []
    for part in inner.split(","):
        part = part.strip()
        if len(part) >= 2 and part[0] == part[-1] == '"' and '"' not in part[1:-1]:
            if "\\" in part:
                raise _Undecided
            items.append(part[1:-1])
        elif len(part) >= 2 and part[0] == part[-1] == "'" and "'" not in part[1:-1]:
            items.append(part[1:-1])
        elif part and not part.startswith(_PLAIN_BAD_START) and not set(part) & set("{}:\"'"):
            items.append(part)
        else:
            raise _Undecided
    return items


def _plain(value: str) -> str | None:
    if value.startswith(_PLAIN_BAD_START) or value.startswith(("- ", "-\t")) or value == "-":
        raise _Undecided
    if ": " in value or value.endswith(":") or "\t#" in value:
        raise _Undecided
    if " #" in value:
        value = value[: value.index(" #")].rstrip()
    return None if value in _NULLS else value
