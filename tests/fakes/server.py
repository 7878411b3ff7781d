"""Run an aiohttp app on 127.0.0.1 for a test, with a controllable clock and a request log."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web


class FakeClock:
    """A clock that tests move by hand; ``sleep`` advances it instead of waiting."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def wall(self) -> float:
        """Wall-clock seconds (for services that check timestamps): real time + offset."""
        return time.time() + (self.now - 1_000_000.0)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)


@dataclasses.dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free loopback port; yield its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def record(request: web.Request) -> Recorded:
    """Read ``request`` fully into a :class:`Recorded`."""
    body = await request.read()
    parsed = None
    if request.content_type == "application/json" and body:
        try:
            parsed = await request.json()
        except ValueError:
            parsed = None
    return Recorded(
        request.method, request.path, dict(request.query), dict(request.headers), body, parsed
    )
