"""Channel types known to the config: each declares and validates its own settings.

A channel is written under ``channels:`` as ``name: {type: TYPE, setting: value, ...}``.
A :class:`ChannelType` lists its settings (type, required, secret) and may add a
``validate`` function for checks across settings. Registering one is cheap and imports
nothing: the adapter that sends is a separate, lazily imported class, so ``notifier
check`` never pays for aiogram or lark-oapi.

    register_channel_type(ChannelType(
        "ntfy",
        settings={"topic": Setting(required=True), "token": Setting(secret=True)},
    ))

Messages about settings never contain their values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from notifier.config._nodes import describe
from notifier.config._problems import suggest

#: A check across settings: yields ``(setting name or None, message)``.
Validator = Callable[[Mapping[str, object]], Iterable[tuple[str | None, str]]]

_KIND_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true/false"}


@dataclasses.dataclass(frozen=True, slots=True)
class Setting:
    """One setting of a channel type."""

    kinds: tuple[type, ...] = (str,)
    required: bool = False
    #: Masked everywhere; channel reprs mask every value anyway.
    secret: bool = False
    choices: tuple[object, ...] = ()

    def problem(self, value: object) -> str | None:
        """Return why ``value`` does not fit, without showing it; ``None`` if it fits."""
        ok = isinstance(value, self.kinds) and not (
            isinstance(value, bool) and bool not in self.kinds
        )
        if not ok:
            wanted = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in self.kinds)
            return f"must be {wanted}, got {describe(value)}"
        if self.choices and value not in self.choices:
            return "must be one of " + ", ".join(str(c) for c in self.choices)
        return None


@dataclasses.dataclass(frozen=True, slots=True)
class ChannelType:
    """A kind of channel and the settings it takes."""

    name: str
    settings: Mapping[str, Setting] = dataclasses.field(default_factory=dict)
    validate: Validator | None = None

    def check(self, settings: Mapping[str, object]) -> list[tuple[str | None, str]]:
        """Return ``(setting name or None, message)`` for each problem of ``settings``."""
        problems: list[tuple[str | None, str]] = []
        for key, value in settings.items():
            spec = self.settings.get(key)
            if spec is None:
                hint = suggest(key, self.settings)
                problems.append((key, f"unknown setting '{key}' for type {self.name}{hint}"))
            elif (why := spec.problem(value)) is not None:
                problems.append((key, f"{key}: {why}"))
        for key, spec in self.settings.items():
            if spec.required and key not in settings:
                problems.append((None, f"missing setting '{key}' (type {self.name} needs it)"))
        if self.validate is not None and not problems:
            problems.extend(self.validate(settings))
        return problems


CHANNEL_TYPES: dict[str, ChannelType] = {}


def register_channel_type(channel_type: ChannelType) -> ChannelType:
    """Make a channel type known to the config (a later one replaces an earlier one)."""
    CHANNEL_TYPES[channel_type.name] = channel_type
    return channel_type


#: Prints matches on the terminal (as channels/console.py: ``stream`` stdout or stderr).
CONSOLE = register_channel_type(
    ChannelType("console", settings={"stream": Setting(choices=("stdout", "stderr"))})
)
