"""Fake services for bench/fanout.py: a server process for throughput, a simulated clock.

- :func:`start_fleet` runs the WeCom, DingTalk, ntfy and Telegram fakes of ``tests/fakes``
  in a separate process (one event loop, on 127.0.0.1) with their rate limits lifted, so
  that the measuring process does nothing but send. The parent talks to it over a pipe:
  ``take`` returns how many messages each fake accepted since the last ``take`` (and
  forgets them, so memory stays flat), ``stop`` ends it.
- :class:`SimClock` is a :class:`tests.fakes.server.FakeClock` for many concurrent
  senders. ``FakeClock.sleep`` moves the clock forward by each sleeper's own wait, so fifty
  targets waiting a minute each would cost fifty minutes; here time advances only when
  every sender is asleep, straight to the earliest wake-up (discrete-event simulation).
  HTTP over loopback takes no simulated time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import itertools
import multiprocessing
import os
import sys
from collections.abc import Awaitable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import FakeClock, serve
from tests.fakes.telegram import FakeTelegram
from tests.fakes.wecom import FakeWeCom

T = TypeVar("T")

#: "No limit" for the fakes' counters: a huge count in a tiny window (so logs stay short).
_NO_LIMIT = (10**9, 1e-3)


def wecom_key(i: int) -> str:
    return f"bench-key-{i:04d}"


def dingtalk_token(i: int) -> str:
    return f"bench-token-{i:04d}"


def dingtalk_secret(i: int) -> str:
    return f"SECbench{i:04d}" + "0" * 56


# -- the server process ----------------------------------------------------------------------


@dataclasses.dataclass
class Fleet:
    """The fakes' base URLs, and the process serving them."""

    urls: dict[str, str]
    process: multiprocessing.process.BaseProcess
    conn: Connection

    def take(self) -> dict[str, int]:
        """Messages each fake accepted since the last call."""
        self.conn.send("take")
        return self.conn.recv()

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server process so far (Linux), else None."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.conn.send("stop")
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()


def start_fleet(targets: int) -> Fleet:
    """Start the fakes in a new process with ``targets`` robots each; return their URLs."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_server_main, args=(child, targets), daemon=True)
    process.start()
    if not parent.poll(60):
        process.terminate()
        raise RuntimeError("the fake servers did not start within 60 s")
    return Fleet(parent.recv(), process, parent)


def _server_main(conn: Connection, targets: int) -> None:
    asyncio.run(_serve_fleet(conn, targets))


async def _serve_fleet(conn: Connection, targets: int) -> None:
    rate, per = _NO_LIMIT
    wecom = FakeWeCom(rate=rate, per=per)
    dingtalk = FakeDingTalk(rate=rate, per=per)
    for i in range(targets):
        wecom.add_robot(wecom_key(i))
        dingtalk.add_robot(dingtalk_token(i), secret=dingtalk_secret(i))
    ntfy = FakeNtfy(clock=_monotonic, burst=10**9)
    telegram = FakeTelegram(per_chat=_NO_LIMIT, per_group=_NO_LIMIT, per_bot=_NO_LIMIT)
    async with (
        serve(wecom.app) as wecom_url,
        serve(dingtalk.app) as dingtalk_url,
        ntfy,
        telegram,
    ):
        conn.send(
            {
                "wecom": wecom_url,
                "dingtalk": dingtalk_url,
                "ntfy": ntfy.url,
                "telegram": telegram.url,
            }
        )
        loop = asyncio.get_running_loop()
        while (command := await loop.run_in_executor(None, conn.recv)) != "stop":
            assert command == "take", command
            conn.send(_take(wecom, dingtalk, ntfy, telegram))


def _take(
    wecom: FakeWeCom, dingtalk: FakeDingTalk, ntfy: FakeNtfy, telegram: FakeTelegram
) -> dict[str, int]:
    """Count the accepted messages per fake, then forget everything the fakes recorded."""
    counts = {
        "wecom": sum(len(r.sent) for r in wecom.robots.values()),
        "dingtalk": sum(len(r.sent) for r in dingtalk.robots.values()),
        "ntfy": len(ntfy.messages),
        "telegram": len(telegram.sent),
    }
    for robot in [*wecom.robots.values(), *dingtalk.robots.values()]:
        robot.sent.clear()
    for log in (wecom.requests, wecom.answers, dingtalk.requests, dingtalk.answers):
        log.clear()
    ntfy.messages.clear()
    ntfy.requests.clear()
    ntfy.errors.clear()
    telegram.sent.clear()
    telegram.calls.clear()
    telegram.messages.clear()
    return counts


def _monotonic() -> float:
    import time

    return time.monotonic()


# -- simulated time --------------------------------------------------------------------------


class SimClock(FakeClock):
    """Virtual time for concurrent senders: it jumps when every sender is asleep.

    Run the senders with :meth:`run`; pass ``clock=sim, sleep=sim.sleep`` to whatever they
    use (channels, rate limiters, fakes).
    """

    def __init__(self, start: float = 1_000_000.0) -> None:
        super().__init__(start)
        self.start = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._live = 0
        self._changed = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + seconds, next(self._order), wake))
        self._changed.set()
        await wake

    async def run(self, senders: Sequence[Awaitable[T]]) -> list[T]:
        """Run ``senders`` concurrently on simulated time; return their results in order."""

        async def tracked(sender: Awaitable[T]) -> T:
            try:
                return await sender
            finally:
                self._live -= 1
                self._changed.set()

        self._live = len(senders)
        driver = asyncio.create_task(self._drive())
        try:
            return await asyncio.gather(*(tracked(s) for s in senders))
        finally:
            driver.cancel()

    async def _drive(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            # Every live sender has exactly one pending timer: nobody can act before it fires.
            if self._timers and len(self._timers) == self._live:
                self.now = max(self.now, self._timers[0][0])
                while self._timers and self._timers[0][0] <= self.now:
                    heapq.heappop(self._timers)[2].set_result(None)
