"""Rate limits that hold across every worker together, kept in the store.

A channel adapter's own limiter (``channels.ratelimit``) paces the sends of one process.
When several processes send to the same target, each would allow the whole limit: three
workers could post 60 messages a minute to a DingTalk robot that bans the 21st. So before
each part goes out, the sending worker also takes a *slot* in the store, for every limit the
send falls under:

- ``target:<name>``: the adapter's windows (its margins included), plus the target's
  ``max_per_hour`` as a one-hour window;
- ``telegram-bot:<bot id>``: Telegram's ~30 messages a second per bot token, across all its
  chats. The bot id is the numeric prefix of the token; the token itself is never stored.

The subscription bot's replies take the same slots (``target:tg:<chat id>`` and its bot's
key: ``notifier.bot.pacing``), and so does ``notifier send-test``.

:meth:`Store.take_slot` counts the slots of each key in each window and inserts one per key
only when every window has room, in one write transaction locked per key (PostgreSQL: an
advisory transaction lock on the key; SQLite: ``BEGIN IMMEDIATE``). Otherwise it returns the
time until the windows free up; the worker sleeps that long *without* holding a connection
and asks again. A slot is taken at the moment of sending, so the windows hold for the
receiver too, as far as the machines' clocks agree (keep them NTP-synced; adapters already
widen their windows by their request timeout).

The dispatcher asks :meth:`SharedLimits.wait` before claiming and between messages and
puts the rest back in the queue (due when the limits free up) when the wait is long, so a
worker never sits on claims that others could not send either.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from notifier.store.base import Limit, Store

if TYPE_CHECKING:
    from channels.base import Channel
    from notifier.delivery.policy import Policy

#: Telegram: about 30 messages a second per bot, whatever the chats (Bot FAQ).
TELEGRAM_BOT_WINDOWS = ((30, 1.0),)
#: A dispatcher puts deliveries back in the queue when the limits hold them longer than this.
MAX_WAIT = 10.0
#: Slots are kept this long (the longest window is an hourly cap).
SLOTS_KEPT = 2 * 3600.0
#: Added to each sleep so that a wait ending exactly at a window's edge is past it.
_EPSILON = 0.001


def slot_wait(recent: Sequence[float], windows: Sequence[tuple[int, float]], now: float) -> float:
    """Seconds from ``now`` until one more send fits every window (0.0: it fits now).

    ``recent``: the key's slot times, newest first, at least the newest ``count`` of each
    window's span. A window holds the slots of ``(t - seconds, t]``.
    """
    wait = 0.0
    for count, seconds in windows:
        inside = [t for t in recent if t > now - seconds]
        if len(inside) >= count:
            # Room comes when the count-th newest slot leaves the window.
            wait = max(wait, inside[count - 1] + seconds - now)
    return wait


def longest(limit: Limit) -> tuple[int, float]:
    """How many slots and how far back :func:`slot_wait` needs for ``limit``."""
    return max(c for c, _ in limit.windows), max(s for _, s in limit.windows)


def telegram_bot_id(token: object) -> str | None:
    """The bot id of a Telegram token (its numeric prefix), or ``None``."""
    head, sep, _ = str(token or "").partition(":")
    return head if sep and head.isdigit() else None


def limits_for(target: str, channel: Channel, policy: Policy | None = None) -> tuple[Limit, ...]:
    """The shared limits a send to ``target`` through ``channel`` falls under."""
    windows = tuple((w.count, float(w.seconds)) for w in channel.limiter.windows)
    if policy is not None and policy.max_per_hour:
        windows += ((policy.max_per_hour, 3600.0),)
    bot = telegram_bot_id(channel.options.get("token")) if channel.type == "telegram" else None
    return keyed_limits(target, windows, telegram_bot=bot)


def keyed_limits(
    target: str, windows: Sequence[tuple[int, float]], *, telegram_bot: str | None = None
) -> tuple[Limit, ...]:
    """The limits of ``target`` with these windows, and of the Telegram bot that sends."""
    found = [Limit(f"target:{target}", tuple(windows))] if windows else []
    if telegram_bot:
        found.append(Limit(f"telegram-bot:{telegram_bot}", TELEGRAM_BOT_WINDOWS))
    return tuple(found)


class SharedLimits:
    """Takes slots in the store's shared windows, sleeping between tries."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self._sleep = sleep or asyncio.sleep

    async def wait(self, limits: Sequence[Limit]) -> float:
        """Seconds until a send under ``limits`` may go (0.0: now); takes nothing."""
        if not limits:
            return 0.0
        return await self.store.slot_wait(limits, self.clock())

    async def acquire(self, limits: Sequence[Limit]) -> None:
        """Wait until a slot under every limit is free, and take it."""
        if not limits:
            return
        while (wait := await self.store.take_slot(limits, self.clock())) > 0:
            await self._sleep(wait + _EPSILON)

    def bind(
        self, target: str, channel: Channel, policy: Policy | None = None
    ) -> tuple[Limit, ...]:
        """Make ``channel`` take a shared slot before every part it sends (after its own
        limiter); return the limits (empty: the channel has none, nothing changes)."""
        current = channel.limiter
        local = current.local if isinstance(current, SharedPacer) else current
        limits = limits_for(target, channel, policy)
        if limits:
            channel.limiter = SharedPacer(local, self, limits)  # type: ignore[assignment]
        return limits


class SharedPacer:
    """A channel's limiter and the shared one together, in the limiter's shape: the local
    windows pace this process, then a shared slot is taken just before the part goes."""

    def __init__(self, local: Any, shared: SharedLimits, limits: Sequence[Limit]) -> None:
        self.local = local
        self.shared = shared
        self.limits = tuple(limits)

    @property
    def windows(self) -> Any:
        return self.local.windows

    def delay(self) -> float:
        return float(self.local.delay())

    async def acquire(self) -> None:
        await self.local.acquire()
        await self.shared.acquire(self.limits)

    def pause(self, seconds: float) -> None:
        self.local.pause(seconds)
