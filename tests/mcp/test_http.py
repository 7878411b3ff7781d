"""``notifier mcp --http``: streamable HTTP behind the bearer token of $NOTIFIER_MCP_TOKEN."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.mcp.workspace import TOKEN, Workspace

ASYNC = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def url(space: Workspace) -> Iterator[str]:
    """The /mcp URL of a ``notifier mcp --http 127.0.0.1:0`` (the port it says it took)."""
    env = {**space.env(), "NOTIFIER_MCP_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "notifier", "mcp", "--http", "127.0.0.1:0"],
        cwd=space.root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/mcp)", line)
        assert found, line + (proc.stderr.read() if proc.poll() is not None else "")
        yield found.group(1)
    finally:
        proc.terminate()
        try:
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stderr.close()


@ASYNC
async def test_with_the_token_the_tools_answer(url: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with (
        httpx.AsyncClient(headers=headers, timeout=60) as http,
        streamable_http_client(url, http_client=http) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        names = {t.name for t in (await session.list_tools()).tools}
        assert "search_stories" in names
        result = await session.call_tool("search_stories", {"query": "OpenAI", "days": 2})
        assert not result.isError
        assert result.structuredContent is not None
        assert result.structuredContent["total"] > 0
        status = await session.call_tool("status", {})
        assert TOKEN not in str(status.content)


@ASYNC
@pytest.mark.parametrize("header", [None, "Bearer wrong-token-0123456789", f"Basic {TOKEN}"])
async def test_without_the_token_401(url: str, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    headers["Accept"] = "application/json, text/event-stream"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, json=body, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in answer.text


def test_http_needs_a_token(space: Workspace) -> None:
    env = {k: v for k, v in space.env().items() if k != "NOTIFIER_MCP_TOKEN"}
    for token in (None, "short"):
        if token:
            env["NOTIFIER_MCP_TOKEN"] = token
        done = subprocess.run(
            [sys.executable, "-m", "notifier", "mcp", "--http", "127.0.0.1:0"],
            cwd=space.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1
        assert "NOTIFIER_MCP_TOKEN" in done.stderr


def test_http_needs_host_and_port(space: Workspace) -> None:
    env = {**space.env(), "NOTIFIER_MCP_TOKEN": TOKEN}
    done = subprocess.run(
        [sys.executable, "-m", "notifier", "mcp", "--http", "8080"],
        cwd=space.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "expected HOST:PORT" in done.stderr


@ASYNC
async def test_a_foreign_host_header_is_refused_even_with_the_token(url: str) -> None:
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/json, text/event-stream",
        "Host": "evil.example",
    }
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, json=body, headers=headers)
    assert answer.status_code in (400, 421)
