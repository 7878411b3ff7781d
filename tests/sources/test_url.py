"""UrlSource against real HTTP servers on 127.0.0.1: validators, 304, backoff, limits."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from notifier.sources import UrlSource
from tests.fakes.server import Recorded, record, serve
from tests.sources.helpers import Emitted, States, until

BODY = b"# AI daily\n\n1. [OpenAI ships a thing](https://example.com/a)\n"
SECRET = "k3y-s3cr3t"


class Feed:
    """A digest server: serves ``body`` with ``etag``/``last_modified`` and honours them."""

    def __init__(self) -> None:
        self.body = BODY
        self.etag: str | None = '"v1"'
        self.last_modified: str | None = None
        self.status = 200
        self.retry_after: str | None = None
        self.requests: list[Recorded] = []
        self.hang = asyncio.Event()
        self.hanging = False
        self.chunked = False

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await record(request))
        if self.hanging:
            await self.hang.wait()
        if self.status != 200:
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return web.Response(status=self.status, headers=headers)
        headers = {"Content-Type": "text/markdown; charset=utf-8"}
        if self.etag:
            headers["ETag"] = self.etag
            if request.headers.get("If-None-Match") == self.etag:
                return web.Response(status=304)
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
            if request.headers.get("If-Modified-Since") == self.last_modified:
                return web.Response(status=304)
        if self.chunked:
            response = web.StreamResponse(headers=headers)
            response.enable_chunked_encoding()
            await response.prepare(request)
            for i in range(0, len(self.body), 1000):
                await response.write(self.body[i : i + 1000])
            await response.write_eof()
            return response
        return web.Response(body=self.body, headers=headers)


@pytest.fixture
async def feed() -> AsyncIterator[tuple[Feed, str]]:
    fake = Feed()
    app = web.Application()
    app.router.add_get("/{name}", fake.handle)
    async with serve(app) as base:
        try:
            yield fake, base
        finally:
            fake.hang.set()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


def source(url: str, states: States | None = None, **kwargs: Any) -> UrlSource:
    states = states or States()
    return UrlSource("feed", url, load_state=states.load, save_state=states.save, **kwargs)


async def test_etag_304_and_restart(feed: tuple[Feed, str], client: httpx.AsyncClient):
    """The first poll hands the digest over; the next gets 304; a new instance keeps the ETag."""
    fake, base = feed
    states, emitted = States(), Emitted()
    src = source(f"{base}/today.md", states)
    assert await src.poll(emitted, client)
    assert [(d.data, d.source, d.filename, d.content_type) for d in emitted.digests] == [
        (BODY, "feed", "today.md", "text/markdown; charset=utf-8")
    ]
    assert emitted.digests[0].origin == f"{base}/today.md"
    assert await src.poll(emitted, client)
    assert len(emitted.digests) == 1
    assert fake.requests[1].headers["If-None-Match"] == '"v1"'
    assert "If-None-Match" not in fake.requests[0].headers
    assert states.data["feed"]["etag"] == '"v1"'
    assert states.data["feed"]["digests"] == 1
    assert states.data["feed"]["last_error"] is None
    assert states.data["feed"]["last_read"] is not None

    again = source(f"{base}/today.md", states)  # a restart: state from the store
    assert await again.poll(emitted, client)
    assert fake.requests[2].headers["If-None-Match"] == '"v1"'
    assert len(emitted.digests) == 1
    assert again.digests == 1  # the count goes on across restarts

    fake.body, fake.etag = BODY + b"2. [More](https://example.com/b)\n", '"v2"'
    assert await again.poll(emitted, client)
    assert [d.data for d in emitted.digests] == [BODY, fake.body]
    assert states.data["feed"]["etag"] == '"v2"'


async def test_last_modified(feed: tuple[Feed, str], client: httpx.AsyncClient):
    """Without an ETag, Last-Modified goes back as If-Modified-Since."""
    fake, base = feed
    fake.etag, fake.last_modified = None, "Wed, 21 Oct 2026 07:28:00 GMT"
    emitted = Emitted()
    src = source(f"{base}/feed.xml")
    await src.poll(emitted, client)
    await src.poll(emitted, client)
    assert len(emitted.digests) == 1
    assert fake.requests[1].headers["If-Modified-Since"] == fake.last_modified
    assert "If-None-Match" not in fake.requests[1].headers


async def test_same_body_without_validators_is_not_handed_twice(
    feed: tuple[Feed, str], client: httpx.AsyncClient
):
    """A server that ignores conditional requests does not cause repeats."""
    fake, base = feed
    fake.etag = None
    emitted = Emitted()
    src = source(f"{base}/today.md")
    for _ in range(3):
        assert await src.poll(emitted, client)
    assert len(fake.requests) == 3
    assert len(emitted.digests) == 1


async def test_emit_failure_keeps_the_digest_for_the_next_poll(
    feed: tuple[Feed, str], client: httpx.AsyncClient
):
    """Validators are saved only once the pipeline took the digest: nothing is skipped."""
    fake, base = feed
    states, emitted = States(), Emitted()
    src = source(f"{base}/today.md", states)
    emitted.fail = True
    assert not await src.poll(emitted, client)
    assert src.last_error == "not handed over (RuntimeError: store is down)"
    assert states.data["feed"].get("etag") is None
    emitted.fail = False
    assert await src.poll(emitted, client)
    assert "If-None-Match" not in fake.requests[1].headers
    assert [d.data for d in emitted.digests] == [BODY]
    assert src.last_error is None


class Sleeps:
    """A ``sleep`` that records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


async def test_5xx_backs_off_exponentially_then_recovers(
    feed: tuple[Feed, str], client: httpx.AsyncClient
):
    """503s double the wait up to 8 intervals; a good poll goes back to the interval."""
    fake, base = feed
    fake.status = 503
    sleeps, emitted, states = Sleeps(), Emitted(), States()
    src = source(f"{base}/today.md", states, interval=60, sleep=sleeps, client=client)
    task = asyncio.create_task(src.run(emitted))
    try:
        await until(lambda: len(sleeps.delays) >= 5)
        assert src.last_error == "HTTP 503 Service Unavailable"
        assert states.data["feed"]["last_error"] == "HTTP 503 Service Unavailable"
        assert states.data["feed"]["failures"] >= 5
        fake.status = 200
        await until(lambda: len(emitted.digests) == 1 and src.failures == 0)
        await until(lambda: sleeps.delays[-1] == 60)
    finally:
        task.cancel()
    assert sleeps.delays[:5] == [120, 240, 480, 480, 480]
    assert src.last_error is None


@pytest.mark.parametrize(
    ("interval", "delays"),
    [
        (600, [1200, 2400, 3600, 3600]),  # capped at an hour
        (7200, [7200, 7200, 7200, 7200]),  # never less than the interval
        (10, [20, 40, 80, 80]),  # capped at 8 intervals
    ],
)
def test_backoff_caps(interval: float, delays: list[float]):
    """The backoff: interval × 2^n, at most min(8 intervals, 1 h), at least the interval."""
    src = UrlSource("f", "https://example.com/x", interval=interval)
    got = []
    for n in range(1, 5):
        src.failures = n
        got.append(src.delay())
    assert got == delays
    src.failures = 0
    assert src.delay() == interval


async def test_retry_after_is_honoured(feed: tuple[Feed, str], client: httpx.AsyncClient):
    """429 with Retry-After waits at least that long."""
    fake, base = feed
    fake.status, fake.retry_after = 429, "900"
    src = source(f"{base}/today.md", interval=60)
    assert not await src.poll(Emitted(), client)
    assert src.last_error == "HTTP 429 Too Many Requests"
    assert src.delay() == 900


async def test_timeout(feed: tuple[Feed, str], client: httpx.AsyncClient):
    """A server that does not answer in time is a failure with a plain message."""
    fake, base = feed
    fake.hanging = True
    src = source(f"{base}/today.md", timeout=0.2)
    assert not await src.poll(Emitted(), client)
    assert src.last_error is not None
    assert src.last_error.startswith("timed out after 0.2s")
    assert src.failures == 1


async def test_connection_refused(client: httpx.AsyncClient):
    """Nothing listening: a connection error, kept as last_error."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    src = source(f"http://127.0.0.1:{port}/today.md")
    assert not await src.poll(Emitted(), client)
    assert src.last_error is not None
    assert src.last_error.startswith("ConnectError")


@pytest.mark.parametrize("chunked", [False, True])
async def test_size_limit(feed: tuple[Feed, str], client: httpx.AsyncClient, chunked: bool):
    """A body over max_size is refused, whether or not its length is announced."""
    fake, base = feed
    fake.body, fake.chunked = b"x" * 5000, chunked
    emitted = Emitted()
    src = source(f"{base}/big.md", max_size=3 * 1024)
    assert not await src.poll(emitted, client)
    assert src.last_error == "the response is larger than 3 KB (max_size)"
    assert emitted.digests == []


async def test_no_secret_in_errors_or_state(feed: tuple[Feed, str], client: httpx.AsyncClient):
    """A key in the query string and header values never reach last_error or the state."""
    fake, base = feed
    fake.status = 500
    states = States()
    src = source(
        f"{base}/today.md?key={SECRET}", states, headers={"Authorization": f"Bearer {SECRET}"}
    )
    assert not await src.poll(Emitted(), client)
    assert fake.requests[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert fake.requests[0].query == {"key": SECRET}
    assert SECRET not in repr(states.data)
    assert states.data["feed"]["url"] == f"{base}/today.md?…"


async def test_once_uses_its_own_client(feed: tuple[Feed, str]):
    """once() without an injected client opens and closes one."""
    _, base = feed
    emitted = Emitted()
    await source(f"{base}/today.md").once(emitted)
    assert [d.data for d in emitted.digests] == [BODY]
