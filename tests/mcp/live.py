"""A real ``notifier mcp`` process and the SDK's own client session to it, over stdio.

The session lives in a task of its own (the SDK's transports are anyio task groups: they
must be left from the task that entered them), so that one server serves a whole test
module.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from tests.mcp.workspace import Workspace


class Live:
    """``notifier mcp ARGS`` on a workspace, with a client session (``async with``)."""

    def __init__(self, space: Workspace, *args: str, prelude: str = "") -> None:
        """``prelude``: Python run first in the server's process (``import sys`` done)."""
        code = f"import sys\n{prelude}\nfrom notifier.cli import main\n"
        code += f"sys.exit(main({['mcp', *args]!r}))\n"
        self.params = StdioServerParameters(
            command=sys.executable,
            args=["-c", code],
            env=space.env(),
            cwd=str(space.root),
        )
        self.log = Path(space.root) / f"server-{abs(hash(args))}.log"
        self.session: ClientSession | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Live:
        ready = asyncio.Event()
        self._task = asyncio.create_task(self._run(ready))
        waiter = asyncio.create_task(ready.wait())
        await asyncio.wait([self._task, waiter], return_when=asyncio.FIRST_COMPLETED)
        if not ready.is_set():
            waiter.cancel()
            await self._task  # raises what went wrong
            raise RuntimeError(f"notifier mcp did not start: {self.log.read_text()}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.wait_for(self._task, 30)

    async def _run(self, ready: asyncio.Event) -> None:
        with self.log.open("w") as errlog:
            async with (
                stdio_client(self.params, errlog=errlog) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                self.session = session
                ready.set()
                await self._stop.wait()

    async def call(self, tool: str, **arguments: Any) -> CallToolResult:
        """Call ``tool``; the result whatever it is (``isError`` set for a tool error)."""
        assert self.session is not None
        return await asyncio.wait_for(self.session.call_tool(tool, arguments), 60)

    async def data(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """Call ``tool`` and return its structured result (the text holds the same JSON)."""
        result = await self.call(tool, **arguments)
        assert not result.isError, text(result)
        assert result.structuredContent is not None
        summary, _, body = text(result).partition("\n")
        assert summary
        assert json.loads(body) == result.structuredContent
        return result.structuredContent

    async def error(self, tool: str, **arguments: Any) -> str:
        """Call ``tool``, expecting a tool error: return its one-line message."""
        result = await self.call(tool, **arguments)
        message = text(result)
        assert result.isError, message[:500]
        assert "\n" not in message, message
        assert "Traceback" not in message, message
        return message


def text(result: CallToolResult) -> str:
    """The text of a tool result."""
    return "".join(getattr(block, "text", "") for block in result.content)
