"""Riding out a store outage: back off between tries, log one line when the store fails and
one when it is back, and keep what was done (a send) until the store has recorded it.

A PostgreSQL server that restarts, fails over or drops our connections, a SQLite file that
is locked for long: the store raises :class:`~notifier.errors.StoreError`, the loops that
use it (dispatch, heartbeats) wait and try again, never die.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from notifier.errors import StoreError

T = TypeVar("T")

#: The first wait after a failure, doubled after each failure in a row, up to LONGEST.
FIRST = 0.5
LONGEST = 15.0


class StoreOutage:
    """The state of one loop's store: failing since when, why, and the next wait.

    Args:
        log: where the lines go.
        what: the loop's name in them (``dispatch``, ``heartbeat``).
    """

    def __init__(
        self,
        log: logging.Logger,
        what: str,
        *,
        first: float = FIRST,
        longest: float = LONGEST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.what = what
        self.first = first
        self.longest = longest
        self.clock = clock
        #: When the failures began (``clock()``), ``None`` while the store works.
        self.since: float | None = None
        #: The last failure, one line (no secret: store URLs are masked).
        self.reason: str | None = None
        self.failures = 0

    @property
    def down(self) -> bool:
        """Whether the last use of the store failed."""
        return self.since is not None

    def failed(self, exc: BaseException) -> float:
        """Note a failure; return the seconds to wait before the next try. Logs one line when
        the store starts failing (and when the cause changes), never a traceback."""
        reason = describe(exc)
        if self.since is None:
            self.since = self.clock()
            self.log.warning("%s: the store failed, retrying with backoff: %s", self.what, reason)
        elif reason != self.reason:
            self.log.warning("%s: the store still fails: %s", self.what, reason)
        self.reason = reason
        self.failures += 1
        wait = min(self.longest, self.first * 2 ** min(self.failures - 1, 30))
        return wait * random.uniform(0.8, 1.0)  # processes that failed together spread out

    def recovered(self) -> None:
        """Note a success; logs one line if the store was failing."""
        if self.since is None:
            return
        self.log.warning(
            "%s: the store works again after %.1f s", self.what, self.clock() - self.since
        )
        self.since, self.reason, self.failures = None, None, 0

    async def keep(self, write: Callable[[], Awaitable[T]]) -> T:
        """Run ``write`` until the store takes it, waiting out StoreErrors (for what must be
        recorded: a message sent and not recorded as sent would be sent again)."""
        while True:
            try:
                result = await write()
            except StoreError as exc:
                await asyncio.sleep(self.failed(exc))
                continue
            self.recovered()
            return result


def describe(exc: BaseException) -> str:
    """One line about a failure: a StoreError as it is, else its type and first line."""
    if isinstance(exc, StoreError):
        return str(exc)
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
