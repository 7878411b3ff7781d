"""Per-target rate limits: sliding windows that are never exceeded.

A sliding log (the times of the last ``count`` sends) is exact: at no moment do more than
``count`` sends fall inside any ``seconds``-long window. That matters for DingTalk, which
locks a robot for 10 minutes after its 21st message in a minute.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any


@dataclasses.dataclass(frozen=True, slots=True)
class Window:
    """At most ``count`` sends in any ``seconds``-long window."""

    count: int
    seconds: float


class RateLimiter:
    """Waits before each send so that every window holds; ``pause`` honours a retry-after."""

    def __init__(
        self,
        windows: Sequence[Window],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        import asyncio  # here, not at module level: `notifier check` never needs it

        self.windows = tuple(windows)
        self._clock = clock
        self._sleep = sleep or asyncio.sleep
        self._logs = [collections.deque[float](maxlen=w.count) for w in self.windows]
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def delay(self) -> float:
        """Seconds to wait before the next send may go out (0 when it may go now)."""
        now = self._clock()
        wait = max(0.0, self._paused_until - now)
        for window, log in zip(self.windows, self._logs, strict=True):
            if len(log) == window.count:
                wait = max(wait, log[0] + window.seconds - now)
        return wait

    async def acquire(self) -> None:
        """Wait until a send is allowed, then count it."""
        async with self._lock:
            while (wait := self.delay()) > 0:
                await self._sleep(wait)
            now = self._clock()
            for log in self._logs:
                log.append(now)

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (the service said so)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
