"""``notifier mcp --http HOST:PORT``: streamable HTTP at ``/mcp``, every request checked
for ``Authorization: Bearer $NOTIFIER_MCP_TOKEN`` (401 otherwise).

Starlette and uvicorn are imported here only: stdio does not pay for them.
"""

from __future__ import annotations

import hmac
import json
import signal
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from notifier.mcp.server import Server

PATH = "/mcp"


class BearerAuth:
    """ASGI middleware: HTTP requests without the bearer token get 401."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or ()).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                body = json.dumps({"error": "unauthorized: send Authorization: Bearer TOKEN"})
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b'Bearer realm="notifier"'),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body.encode()})
                return
        await self.app(scope, receive, send)


async def serve(server: Server, host: str, port: int, token: str) -> None:
    """Serve ``server`` on ``host:port`` (0: any free port, said on stderr) until SIGTERM
    or Ctrl-C; SIGTERM ends with status 0 (uvicorn raises the signal again once it has
    stopped cleanly: this handler is the one it finds)."""
    import uvicorn

    signal.signal(signal.SIGTERM, _stopped)

    app = BearerAuth(server.streamable_http_app(), token)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # from now on clients wait in the backlog until uvicorn accepts
    except OSError:
        sock.close()
        raise
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"notifier mcp: serving http://{shown}:{bound}{PATH}", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    try:
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        sock.close()


def _stopped(signum: int, frame: object) -> None:
    raise SystemExit(0)
