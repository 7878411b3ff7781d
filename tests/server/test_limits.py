"""Upload limits on a real loopback socket: the body deadline (408), the header deadline,
the cap on concurrent uploads (503 with Retry-After), and the token check before any of it.

The slow clients are raw asyncio streams that send a byte at a time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
import pytest

from notifier.pipeline.service import Service
from notifier.server import Server, make_app, serve
from tests.pipeline.conftest import write_config
from tests.server.conftest import AUTH, MAX_BODY, REPORT, TOKEN, Fakes

GUARD = 20.0  # hang guard: no test waits longer than this for one answer
Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]
Serve = Callable[..., Awaitable[Server]]


@pytest.fixture
async def start(fakes: Fakes) -> AsyncIterator[Serve]:
    """``await start(body_timeout=..., max_uploads=...)``: the endpoint on 127.0.0.1:0."""
    running: list[Server] = []

    async def _start(**limits: Any) -> Server:
        app = make_app(
            ingest=fakes.ingest,
            health=fakes.health,
            metrics=fakes.metrics,
            token=TOKEN,
            max_body=MAX_BODY,
            **limits,
        )
        running.append(await serve(app, "127.0.0.1", 0))
        return running[-1]

    yield _start
    for server in running:
        await server.stop()


async def connect(server: Server, length: int, *extra: str, token: str = TOKEN) -> Stream:
    """Open a connection and send the head of a digest post of ``length`` bytes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    lines = [
        "POST /v1/digests HTTP/1.1",
        "Host: test",
        f"Authorization: Bearer {token}",
        f"Content-Length: {length}",
        *extra,
    ]
    writer.write("\r\n".join(lines).encode() + b"\r\n\r\n")
    await writer.drain()
    return reader, writer


async def drip(writer: asyncio.StreamWriter, data: bytes, every: float) -> None:
    """Send ``data`` one byte at a time, until done or the server stops listening."""
    for byte in data:
        try:
            writer.write(bytes([byte]))
            await writer.drain()
        except OSError:
            return
        await asyncio.sleep(every)


async def answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """Read one response: status, headers (lower-case names), body (by Content-Length)."""
    async with asyncio.timeout(GUARD):
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(status_line.split()[1]), headers, body


async def closed(reader: asyncio.StreamReader) -> bool:
    """Whether the server ends the connection (end of stream or reset) within the guard."""
    async with asyncio.timeout(GUARD):
        try:
            while await reader.read(4096):
                pass
        except ConnectionError:
            pass
    return True


async def post(server: Server, body: bytes) -> tuple[int, dict[str, Any]]:
    """A normal, fast upload."""
    async with aiohttp.ClientSession() as session:
        url = f"{server.url}/v1/digests"
        async with session.post(url, data=body, headers=AUTH) as resp:
            return resp.status, await resp.json()


async def test_slow_body_gets_408_and_the_connection_closes(start: Serve, fakes: Fakes) -> None:
    """A body that does not arrive within ``body_timeout`` gets a one-line JSON 408, then
    the server ends the connection; nothing is ingested and the slot is free again."""
    server = await start(body_timeout=1.0, max_uploads=1)
    reader, writer = await connect(server, 100)
    dripping = asyncio.create_task(drip(writer, b"x" * 100, 0.5))
    try:
        status, headers, body = await answer(reader)
        assert status == 408
        assert headers["content-type"].startswith("application/json")
        assert headers["connection"].lower() == "close"
        assert b"\n" not in body
        assert "body_timeout" in json.loads(body)["error"]
        assert await closed(reader)
    finally:
        dripping.cancel()
        writer.close()
    assert fakes.digests == []
    assert await post(server, b"# after\n") == (202, REPORT)
    assert [d.data for d in fakes.digests] == [b"# after\n"]


async def test_slow_headers_are_cut_off(start: Serve, fakes: Fakes) -> None:
    """Headers that never finish do not keep a connection: it is closed after
    ``header_timeout``."""
    server = await start(header_timeout=1.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    head = f"POST /v1/digests HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\n"
    dripping = asyncio.create_task(drip(writer, head.encode() + b"X-Slow: " + b"a" * 200, 0.5))
    try:
        assert await closed(reader)
    finally:
        dripping.cancel()
        writer.close()
    assert fakes.digests == []


async def test_uploads_past_the_cap_get_503_at_once(start: Serve, fakes: Fakes) -> None:
    """With ``max_uploads`` N, N slow uploads hold the slots; one more gets 503 with
    Retry-After at once (not queued), with or without ``Expect: 100-continue``. Once the N
    are done, a normal upload goes through; every accepted digest is ingested."""
    cap = 3
    server = await start(body_timeout=60.0, max_uploads=cap)
    bodies = [f"# slow {i}\n".encode() for i in range(cap)]
    held: list[Stream] = []
    for body in bodies:
        reader, writer = await connect(server, len(body), "Expect: 100-continue")
        async with asyncio.timeout(GUARD):  # the handler has its slot when this arrives
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100 ")
        await drip(writer, body[:1], 0)
        held.append((reader, writer))

    extra = [await connect(server, 10), await connect(server, 10, "Expect: 100-continue")]
    await drip(extra[0][1], b"#", 0)
    for reader, writer in extra:
        status, headers, body = await answer(reader)
        assert status == 503
        assert int(headers["retry-after"]) > 0
        assert "max_uploads" in json.loads(body)["error"]
        writer.close()
    assert fakes.digests == []

    await asyncio.gather(*(drip(w, b[1:], 0.05) for (_, w), b in zip(held, bodies, strict=True)))
    for reader, writer in held:
        assert (await answer(reader))[0] == 202
        writer.close()
    assert sorted(d.data for d in fakes.digests) == bodies
    assert (await post(server, b"# normal\n"))[0] == 202
    assert sorted(d.data for d in fakes.digests) == sorted([*bodies, b"# normal\n"])


async def test_unauthenticated_clients_hold_no_slot(start: Serve, fakes: Fakes) -> None:
    """A bad token is refused before the body is read: slow unauthenticated posts, however
    many, leave the only slot to the token holder."""
    server = await start(body_timeout=60.0, max_uploads=1)
    intruders = [await connect(server, 100, token="wrong") for _ in range(3)]
    for reader, writer in intruders:
        await drip(writer, b"x", 0)
        assert (await answer(reader))[0] == 401
    assert (await post(server, b"# mine\n"))[0] == 202
    for _, writer in intruders:
        writer.close()
    assert [d.data for d in fakes.digests] == [b"# mine\n"]


async def test_slot_is_freed_after_every_outcome(
    start: Serve, fakes: Fakes, caplog: pytest.LogCaptureFixture
) -> None:
    """With one slot, an unreadable digest (422), a failing pipeline (500), a body over the
    limit (413) and a client that hangs up mid-body (no traceback logged for it) each give
    the slot back."""
    server = await start(max_uploads=1)
    assert (await post(server, b"bad"))[0] == 422
    assert (await post(server, b"boom"))[0] == 500
    async with aiohttp.ClientSession() as session:

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(5):
                yield b"y" * 300

        url = f"{server.url}/v1/digests"
        async with session.post(url, data=chunks(), headers=AUTH) as resp:
            assert resp.status == 413
    reader, writer = await connect(server, 100, "Expect: 100-continue")
    async with asyncio.timeout(GUARD):
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100 ")
    writer.write(b"# gone")
    writer.close()
    await writer.wait_closed()
    for _ in range(200):  # the server notices the hang-up when it reads next
        status, _ = await post(server, b"# ok\n")
        if status != 503:
            break
        await asyncio.sleep(0.05)
    assert status == 202
    assert [d.data for d in fakes.digests][-1] == b"# ok\n"
    assert not [r for r in caplog.records if r.name == "aiohttp.server"]


async def test_notifier_run_applies_the_configured_limits(tmp_path: Path) -> None:
    """``server: {body_timeout, max_uploads}`` of rules.yaml reach the endpoint that
    ``notifier run`` serves: one upload at a time, and a 1 s body deadline."""
    extra = (
        f"store: sqlite:///{tmp_path}/n.db\n"
        f'server: {{listen: 0, token: "{TOKEN}", body_timeout: 1s, max_uploads: 1}}\n'
    )
    service = Service(write_config(tmp_path, "{}", extra=extra))
    listening: asyncio.Future[tuple[str, int]] = asyncio.get_running_loop().create_future()
    service.on_listening = listening.set_result
    running = asyncio.create_task(service.run())
    try:
        async with asyncio.timeout(GUARD):
            _, port = await listening
        server = cast(Server, SimpleNamespace(port=port))
        reader, writer = await connect(server, 10, "Expect: 100-continue")
        async with asyncio.timeout(GUARD):
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100 ")
        other = await connect(server, 10)
        assert (await answer(other[0]))[0] == 503
        other[1].close()
        status, _, body = await answer(reader)
        assert status == 408
        assert "within 1 s" in json.loads(body)["error"]
        assert await closed(reader)
        writer.close()
        async with (  # still serving
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as resp,
        ):
            assert resp.status == 200
    finally:
        service.stop()
        async with asyncio.timeout(GUARD):
            await running
