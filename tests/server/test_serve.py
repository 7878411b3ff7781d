"""The endpoint on a real loopback socket: streaming limits, 100-continue, access log,
graceful stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest

from notifier.server import Server, make_app, serve
from notifier.sources import Digest
from tests.server.conftest import AUTH, MAX_BODY, TOKEN, Fakes


@pytest.fixture
async def server(fakes: Fakes) -> AsyncIterator[Server]:
    app = make_app(
        ingest=fakes.ingest,
        health=fakes.health,
        metrics=fakes.metrics,
        token=TOKEN,
        max_body=MAX_BODY,
    )
    running = await serve(app, "127.0.0.1", 0)
    yield running
    await running.stop()


async def exchange(server: Server, head: str, body: bytes = b"") -> bytes:
    """Send a raw request head (and body) and read the response head."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        await writer.drain()
        return await reader.readuntil(b"\r\n\r\n")
    finally:
        writer.close()


def post_head(*lines: str, auth: str = TOKEN) -> str:
    return "\n".join(
        ["POST /v1/digests HTTP/1.1", "Host: test", f"Authorization: Bearer {auth}", *lines, ""]
    )


async def test_serves_on_a_free_port(server: Server) -> None:
    """Port 0 binds a free port, reported with the URL; stop closes it."""
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.url}/healthz") as resp:
            assert resp.status == 200
        await server.cleanup()  # AppRunner's name for stop()
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(f"{server.url}/healthz")


async def test_port_in_use(server: Server) -> None:
    """A port already bound is an OSError."""
    app = make_app(ingest=None, health=None, metrics=None, token=None, max_body=1)  # type: ignore[arg-type]
    with pytest.raises(OSError):  # noqa: PT011 - the errno depends on the platform
        await serve(app, "127.0.0.1", server.port)


async def test_huge_declared_length_is_refused_at_once(server: Server, fakes: Fakes) -> None:
    """A 10 GB Content-Length gets its 413 without a byte of body sent."""
    head = await exchange(server, post_head("Content-Length: 10000000000"))
    assert head.startswith(b"HTTP/1.1 413 ")
    assert fakes.digests == []


async def test_endless_chunked_body_is_cut_off(server: Server, fakes: Fakes) -> None:
    """A chunked body that never ends gets its 413 once past the limit: the server does not
    wait for the rest (there is no rest)."""
    chunk = b"x" * 400
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4))  # no last chunk
    head = await exchange(server, post_head("Transfer-Encoding: chunked"), body)
    assert head.startswith(b"HTTP/1.1 413 ")
    assert fakes.digests == []


async def test_expect_continue_refused_before_the_body(server: Server) -> None:
    """With ``Expect: 100-continue``, a bad token is refused before the body is sent."""
    head = await exchange(
        server, post_head("Content-Length: 500", "Expect: 100-continue", auth="wrong")
    )
    assert head.startswith(b"HTTP/1.1 401 ")
    head = await exchange(server, post_head("Content-Length: 5000", "Expect: 100-continue"))
    assert head.startswith(b"HTTP/1.1 413 ")


async def test_expect_continue_accepted(server: Server, fakes: Fakes) -> None:
    """A good request gets ``100 Continue``, then the digest goes through."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        head = post_head("Content-Length: 5", "Expect: 100-continue")
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n")
        await writer.drain()
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100 Continue")
        writer.write(b"# hi\n")
        await writer.drain()
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 202 ")
    finally:
        writer.close()
    assert [d.data for d in fakes.digests] == [b"# hi\n"]


async def test_access_log_has_no_secrets(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    """One line per request, with its fields; no header but the user agent, no query."""
    caplog.set_level(logging.DEBUG, logger="notifier.http")
    async with aiohttp.ClientSession() as session:
        url = f"{server.url}/v1/digests?name=a.md&token={TOKEN}"
        async with session.post(url, data=b"# x\n", headers=AUTH) as resp:
            assert resp.status == 202
        async with session.post(f"{server.url}/v1/digests", data=b"x") as resp:
            assert resp.status == 401
        async with session.get(f"{server.url}/healthz") as resp:
            assert resp.status == 200
    records = [r for r in caplog.records if hasattr(r, "http")]
    assert [(r.http["method"], r.http["status"], r.levelname) for r in records] == [
        ("POST", 202, "INFO"),
        ("POST", 401, "INFO"),
        ("GET", 200, "DEBUG"),  # probes are quiet
    ]
    assert records[0].getMessage().startswith("POST /v1/digests 202 ")
    assert records[0].http["path"] == "/v1/digests"
    assert TOKEN not in caplog.text


async def test_stop_finishes_requests_in_flight(fakes: Fakes) -> None:
    """``stop`` closes the listener at once and lets an ingest in progress answer."""
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(digest: Digest) -> Mapping[str, Any]:
        entered.set()
        await release.wait()
        return {"items": 1}

    app = make_app(ingest=slow, health=fakes.health, metrics=None, token=TOKEN, max_body=MAX_BODY)
    running = await serve(app, "127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        posting = asyncio.create_task(
            session.post(f"{running.url}/v1/digests", data=b"# x\n", headers=AUTH)
        )
        await entered.wait()
        stopping = asyncio.create_task(running.stop())
        for _ in range(1000):  # until the listener is closed
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", running.port)
            except OSError:
                break
            writer.close()
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the listener stayed open")
        assert not posting.done()
        release.set()
        resp = await posting
        assert resp.status == 202
        assert await resp.json() == {"items": 1}
        await stopping
