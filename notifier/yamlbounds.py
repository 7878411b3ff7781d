"""Limits on a YAML document's shape, checked on its events before anything is built.

An alias copies its anchor's whole value wherever it is used, so nine lines of anchors
(each a list of nine aliases of the one before) stand for 9⁹ values: the "billion laughs".
Nesting thousands of levels deep exhausts the recursion of every YAML composer. The event
stream shows both in one linear pass, without building or expanding anything: each
collection's size (aliases counted as what they expand to) and the current depth.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Deepest nesting of lists and mappings (a rules.yaml uses about eight).
MAX_DEPTH = 64
#: Most values the document may stand for once every alias is expanded.
MAX_VALUES = 200_000


class ShapeError(ValueError):
    """A document past a limit; ``line`` is 1-based."""

    def __init__(self, what: str, line: int) -> None:
        super().__init__(what)
        #: What is past the limit: ``is nested deeper than 64 levels``, ``has more than…``
        self.what = what
        self.line = line


def check_shape(text: str) -> None:
    """Raise :class:`ShapeError` for a document nested or expanding past the limits.

    libyaml reads the events when it is there; what it refuses PyYAML reads again (libyaml
    stops at 1,000 levels with an error of its own). YAML errors are left to the composer,
    which reports them with its messages."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None or not _check(text, fast):
        _check(text, yaml.SafeLoader)


def _check(text: str, loader: type) -> bool:
    """:func:`check_shape` with one loader; ``False`` when the YAML cannot be read."""
    sizes: dict[str, int] = {}  # anchor → values it stands for
    stack: list[list[Any]] = []  # open collections: [anchor, values in it so far]
    values = 0  # in the whole document, aliases expanded
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, size = stack.pop()
                if anchor:
                    sizes[anchor] = size
                if stack:
                    stack[-1][1] += size
                continue
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise ShapeError(f"is nested deeper than {MAX_DEPTH} levels", _line(event))
                stack.append([event.anchor, 1])
                size = 1
            elif isinstance(event, yaml.AliasEvent):
                size = sizes.get(event.anchor or "", 1)
                if stack:
                    stack[-1][1] += size
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor:
                    sizes[event.anchor] = 1
                if stack:
                    stack[-1][1] += 1
            else:
                continue
            values += size
            if values > MAX_VALUES:
                raise ShapeError(
                    f"has more than {MAX_VALUES:,} values once its aliases are expanded "
                    "(an alias bomb?)",
                    _line(event),
                )
    except yaml.YAMLError:
        return False
    return True


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1
