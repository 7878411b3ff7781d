"""Targets by name: the channel that sends to each and its delivery policy.

The config's channels are one :class:`TargetSource`; the Telegram bot adds its
subscribers' chats (``tg:<chat id>``). :class:`Targets` asks each in turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from notifier.delivery.policy import Policy

if TYPE_CHECKING:
    from channels.base import Channel
    from notifier.config import ChannelSpec

#: The setting that holds a channel type's address, for services that move targets
#: (a Telegram group that became a supergroup has a new chat id).
ADDRESS_SETTING = {"telegram": "chat_id"}


class TargetSource(Protocol):
    """Knows some targets: builds their channels and says their policies."""

    def knows(self, name: str) -> bool:
        """Whether ``name`` is one of this source's targets."""

    def channel(self, name: str, new_address: str | None = None) -> Channel:
        """A channel that sends to ``name`` (at ``new_address`` if the service moved it)."""

    def policy(self, name: str) -> Policy:
        """The delivery policy of ``name``."""

    # Optional, for sources that manage their targets themselves (the bot's subscribers):
    # ``caches_channels = True`` (Targets does not keep their channels), ``async def
    # gone(name, error) -> bool`` (the service said the target is gone; True: handled, its
    # deliveries are dropped instead of held), ``async def moved(name, new_address) ->
    # bool`` (the service moved it), ``async def aclose()``; ``operator_targets = False``
    # (its targets are end users: pushes never show them ``notifier`` commands).


class ConfigTargets:
    """The channels declared in rules.yaml, with their ``delivery:`` policies."""

    def __init__(self, specs: Mapping[str, ChannelSpec], policies: Mapping[str, Policy]) -> None:
        self.specs = specs
        self.policies = policies

    def knows(self, name: str) -> bool:
        return name in self.specs

    def channel(self, name: str, new_address: str | None = None) -> Channel:
        from channels import channel_class

        spec = self.specs[name]
        settings = dict(spec.settings)
        setting = ADDRESS_SETTING.get(spec.type)
        if new_address and setting:
            settings[setting] = new_address
        return channel_class(spec.type)(name, settings)

    def policy(self, name: str) -> Policy:
        return self.policies.get(name) or Policy()


class Targets:
    """Every target source together; channels are built once and kept."""

    def __init__(self, sources: Sequence[TargetSource]) -> None:
        self.sources = list(sources)
        self._channels: dict[str, Channel] = {}

    def add(self, source: TargetSource) -> None:
        """Add a target source (the bot's subscribers)."""
        self.sources.append(source)

    def _source(self, name: str) -> TargetSource | None:
        return next((s for s in self.sources if s.knows(name)), None)

    def group(self, name: str) -> int:
        """Which source knows ``name`` (its index; unknown names after every source)."""
        return next((i for i, s in enumerate(self.sources) if s.knows(name)), len(self.sources))

    def knows(self, name: str) -> bool:
        """Whether any source knows ``name``."""
        return self._source(name) is not None

    def policy(self, name: str) -> Policy:
        """The policy of ``name`` (the default one for an unknown target)."""
        source = self._source(name)
        return source.policy(name) if source else Policy()

    def operator(self, name: str) -> bool:
        """Whether ``name`` is an operator's target (a configured channel), whose pushes
        may name ``notifier`` commands; never a source's with ``operator_targets = False``."""
        source = self._source(name)
        return source is not None and bool(getattr(source, "operator_targets", True))

    def channel(self, name: str, new_address: str | None = None) -> Channel | None:
        """The channel of ``name``, built on first use (``None``: nobody knows it)."""
        if name not in self._channels:
            source = self._source(name)
            if source is None:
                return None
            if getattr(source, "caches_channels", False):
                return source.channel(name, new_address)
            self._channels[name] = source.channel(name, new_address)
        return self._channels[name]

    async def gone(self, name: str, error: str) -> bool:
        """Tell the source of ``name`` that the service says it is gone; True if the source
        dealt with it (its deliveries are then dropped, not held)."""
        hook = getattr(self._source(name), "gone", None)
        return bool(hook is not None and await hook(name, error))

    async def moved(self, name: str, new_address: str) -> bool:
        """Tell the source of ``name`` that the service moved it to ``new_address``."""
        hook = getattr(self._source(name), "moved", None)
        return bool(hook is not None and await hook(name, new_address))

    async def aclose(self) -> None:
        """Close every channel built (and the sources that hold channels)."""
        for channel in self._channels.values():
            await channel.aclose()
        self._channels.clear()
        for source in self.sources:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()
