"""What every handler needs: the stores, the options, the clock and the rate windows."""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from notifier.config import BotSpec
from notifier.subscriptions.model import SubscriptionStore


class RateWindow:
    """At most ``count`` events per ``seconds`` per key (a sliding window, in memory)."""

    def __init__(self, count: int, seconds: float, clock: Callable[[], float]) -> None:
        self.count, self.seconds, self.clock = count, seconds, clock
        self._events: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def hit(self, key: int) -> float:
        """Record an event; return 0 if allowed, else the seconds until the next is."""
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.seconds:
            events.popleft()
        if len(events) >= self.count:
            return events[0] + self.seconds - now
        events.append(now)
        if len(self._events) > 10_000:  # forget idle users
            for idle in [
                k for k, v in self._events.items() if not v or v[-1] <= now - self.seconds
            ]:
                del self._events[idle]
                self._warned.pop(idle, None)
        return 0.0

    def first_warning(self, key: int) -> bool:
        """Whether to tell ``key`` to slow down (once per window, not at every message)."""
        now = self.clock()
        if self._warned.get(key, -1e18) > now - self.seconds:
            return False
        self._warned[key] = now
        return True


@dataclasses.dataclass
class BotContext:
    """Handed to every handler as ``ctx``."""

    subs: SubscriptionStore
    options: BotSpec
    #: Anything with ``recent_stories(since, limit)`` (the outbox store); ``None``: no /top.
    stories: Any = None
    clock: Callable[[], float] = time.time
    rate: RateWindow = dataclasses.field(init=False)
    #: Matching as the pipeline does it: Traditional folding and field weights (the
    #: config's ``settings``), so /test and the /sub preview agree with ingest.
    traditional: bool = True
    field_weights: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        limits = self.options.limits
        self.rate = RateWindow(limits.commands, limits.per_seconds, self.clock)
