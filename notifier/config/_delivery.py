"""``delivery:`` mappings (top level, and in a channel) read into :class:`Policy` values.

A channel's policy is :class:`Policy` updated with the top-level ``delivery:`` keys, then
with the channel's own: each key given wins over the one below it. ``delivery: digest`` is
short for ``delivery: {mode: digest}``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from notifier.config._check import Checker
from notifier.config._nodes import Node
from notifier.config._problems import closest
from notifier.config._units import parse_clock
from notifier.delivery.policy import Mode, Policy
from notifier.delivery.texts import LANGUAGES

DELIVERY_KEYS = (
    "mode",
    "at",
    "timezone",
    "quiet",
    "max_per_hour",
    "max_items",
    "backlog",
    "language",
)
MODES = tuple(m.value for m in Mode)
_TIME_HINT = "write HH:MM, e.g. '09:00'"


def read_delivery(check: Checker, node: Node, what: str) -> dict[str, Any] | None:
    """Return the :class:`Policy` fields that ``node`` gives, or ``None`` after a problem.

    ``what`` starts each message (``delivery``, ``channel 'tg': delivery``).
    """
    if node.value is None:
        return {}
    if isinstance(node.value, str):
        mode = check.choice(node, what, MODES)
        return None if mode is None else {"mode": Mode(mode)}
    values = check.mapping(node, what)
    if values is None:
        return None
    check.unknown_settings(node, DELIVERY_KEYS, what)
    before = len(check.problems.errors)
    out: dict[str, Any] = {}
    for key in DELIVERY_KEYS:
        if key in values:
            value = _READERS[key](check, values[key], f"{what}: {key}")
            out[key] = value
    if len(check.problems.errors) > before or any(n.broken for n in values.values()):
        return None
    return out


def merge(base: Policy, given: Mapping[str, Any] | None) -> Policy:
    """``base`` with the fields of ``given`` (as :func:`read_delivery` returns them)."""
    return dataclasses.replace(base, **given) if given else base


def _mode(check: Checker, node: Node, what: str) -> Mode | None:
    mode = check.choice(node, what, MODES)
    return None if mode is None else Mode(mode)


def _at(check: Checker, node: Node, what: str) -> tuple[dt.time, ...] | None:
    items = node.value if isinstance(node.value, list) else [node]
    if not items:
        check.fail(node, f"{what}: give at least one time, e.g. ['09:00', '18:00']")
        return None
    times: list[dt.time] = []
    for item in items:
        time = parse_clock(item.value, item.raw)
        if time is None:
            check.fail(item, f"{what}: {item.show()} is not a time of day; {_TIME_HINT}")
            return None
        times.append(time)
    return tuple(sorted(set(times)))


def _timezone(check: Checker, node: Node, what: str) -> str | None:
    if node.value is None:
        return None  # UTC
    name = check.string(node, what)
    if name is None:
        return None
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = "" if node.env else _zone_hint(name)
        check.fail(node, f"{what}: unknown time zone {node.show()}{hint}")
        return None
    return name


def _zone_hint(name: str) -> str:
    import zoneinfo

    names = {zone.lower(): zone for zone in zoneinfo.available_timezones()}
    close = closest(name.lower(), names)
    if close is None:
        return " (an IANA name, e.g. Asia/Shanghai, Europe/Berlin, UTC)"
    return f" (did you mean '{names[close]}'?)"


def _quiet(check: Checker, node: Node, what: str) -> tuple[dt.time, dt.time] | None:
    if node.value is None:
        return None
    hint = "write START-END, e.g. '23:00-07:00'"
    parts = node.value.split("-") if isinstance(node.value, str) else []
    times = [t for t in (parse_clock(p) for p in parts) if t is not None]
    if len(parts) != 2 or len(times) != 2:
        check.fail(node, f"{what}: {hint}, got {node.show()}")
        return None
    start, end = times
    if start == end:
        check.fail(node, f"{what}: start and end are the same time; {hint}")
        return None
    return start, end


def _max_per_hour(check: Checker, node: Node, what: str) -> int | None:
    return None if node.value is None else check.count(node, what)


def _max_items(check: Checker, node: Node, what: str) -> int | None:
    return check.count(node, what)


def _backlog(check: Checker, node: Node, what: str) -> int | None:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        check.fail(node, f"{what}: must be a whole number >= 0, got {node.show()}")
        return None
    return value


def _language(check: Checker, node: Node, what: str) -> str | None:
    return check.choice(node, what, LANGUAGES)


_READERS = {
    "mode": _mode,
    "at": _at,
    "timezone": _timezone,
    "quiet": _quiet,
    "max_per_hour": _max_per_hour,
    "max_items": _max_items,
    "backlog": _backlog,
    "language": _language,
}
