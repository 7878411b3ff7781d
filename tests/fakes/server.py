"""Run an aiohttp app on 127.0.0.1 for a test, with a controllable clock and a request log.

``serve`` runs a fake in the test's event loop; ``serve_in_thread`` runs it on an event
loop of its own in a background thread, for code under test that runs its own loop
(``asyncio.run`` in a CLI command, or another process).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


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
async def serve(app: web.Application, port: int = 0) -> AsyncIterator[str]:
    """Serve ``app`` on loopback ``port`` (0: a free one); yield its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@contextmanager
def serve_in_thread(make: Callable[[], AbstractAsyncContextManager[T]]) -> Iterator[T]:
    """Enter ``make()`` (e.g. ``lambda: serve(app)``) on a new event loop in a thread.

    Yields what the context manager gives (the base URL for :func:`serve`); on exit the
    server stops and the thread ends. ``make`` is called on the server's thread.
    """
    loop = asyncio.new_event_loop()
    ready: concurrent.futures.Future[T] = concurrent.futures.Future()
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with make() as value:
                ready.set_result(value)
                await stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            else:
                raise

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=10)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()


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
