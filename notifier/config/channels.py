"""The ``channels:`` section, checked by the channel adapters themselves.

A channel is written under ``channels:`` as ``name: {type: TYPE, setting: value, ...}``.
The type names and their settings are the adapters' own: ``channels.REGISTRY`` names the
types, and each adapter class (:func:`channels.channel_class`) declares its settings
(``Channel.settings``), checks them (``Channel.problems``: schema, then ``cross_check``) and
warns about risky ones (``Channel.advice``). This module only places what they report at
``file:line`` — the line of the setting a problem is about, else the channel's line — and
never shows a value (it may come from ``${VAR}``).

Adapter modules import their SDKs (aiogram, lark-oapi, apprise) and httpx only when they
send, so checking a config stays fast.
"""

from __future__ import annotations

from channels import REGISTRY, channel_class
from notifier.config._check import Checker
from notifier.config._model import ChannelSpec
from notifier.config._nodes import Node
from notifier.config._problems import closest
from notifier.rules.model import Location

__all__ = ["known_types", "read_channel"]


def known_types() -> list[str]:
    """The channel type names, sorted."""
    return sorted(REGISTRY)


def read_channel(check: Checker, name: str, node: Node, line: int) -> ChannelSpec | None:
    """Return the channel ``name`` declared by ``node`` (at ``line``), or ``None``.

    Every problem goes to ``check`` as ``channel 'name': message`` at the line of the
    setting concerned; warnings go to ``check.problems.warnings``.
    """
    values = check.mapping(node, f"channel '{name}'")
    if values is None:
        return None
    known = ", ".join(known_types())
    if "type" not in values:
        check.error(line, f"channel '{name}' has no type: (known types: {known})")
        return None
    kind = check.string(values["type"], "type")
    if kind is None:
        return None
    type_node = values["type"]
    try:
        adapter = channel_class(kind)
    except KeyError:
        close = None if type_node.env else closest(kind, REGISTRY)
        hint = f"; did you mean '{close}'?" if close else ""
        check.error(
            type_node.line,
            f"channel '{name}': unknown channel type {type_node.show()}{hint} (known: {known})",
        )
        return None
    except Exception as exc:  # an adapter module that cannot be imported: say which
        check.error(
            type_node.line,
            f"channel '{name}': cannot load the {kind} adapter ({type(exc).__name__}: {exc})",
        )
        return None

    # `delivery:` is the service's (its delivery policy), not a setting of the adapter.
    values = {key: value for key, value in values.items() if key != "delivery"}
    settings = {key: value.plain() for key, value in values.items() if key != "type"}
    broken = {key for key, value in values.items() if value.broken}
    # A setting whose ${VAR} failed was reported at its line already; what follows from it
    # (missing, wrong kind, a check across settings) is not reported again.
    try:
        found = adapter.problems(settings)
        advice = [] if found or broken else adapter.advice(settings)
    except Exception as exc:  # an adapter bug; its message could quote a value: type only
        check.error(
            line,
            f"channel '{name}': the {kind} adapter failed on these settings "
            f"({type(exc).__name__})",
        )
        return None
    problems = [
        (key, message)
        for key, message in found
        if not broken or (key is not None and key not in broken)
    ]
    for key, message in problems:
        check.error(_line_of(node, key, line), f"channel '{name}': {message}")
    if problems or broken:
        return None
    for key, message in advice:
        check.warning(_line_of(node, key, line), f"channel '{name}': {message}")
    return ChannelSpec(name, kind, settings, Location(check.path, line))


def _line_of(node: Node, key: str | None, line: int) -> int:
    """The line of setting ``key`` when it is written, else the channel's ``line``."""
    return node.key_lines.get(key, line) if key else line
