"""Serve the application on a host and port until stopped."""

from __future__ import annotations

import dataclasses
import logging

from aiohttp import web

from notifier.config import ServerSpec
from notifier.server._limits import HEADER_TIMEOUT
from notifier.server._log import AccessLogger

log = logging.getLogger("notifier.http")


@dataclasses.dataclass(frozen=True, slots=True)
class Server:
    """A running HTTP endpoint."""

    runner: web.AppRunner
    host: str
    #: The port bound (the one the OS chose when asked for port 0).
    port: int

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8080``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        """Stop listening, let requests in progress finish (up to the shutdown timeout)."""
        await self.runner.cleanup()

    async def cleanup(self) -> None:
        """The same as :meth:`stop` (``AppRunner``'s name for it)."""
        await self.stop()


async def serve(
    app: web.Application, host: str, port: int, *, shutdown_timeout: float = 10.0
) -> Server:
    """Start serving ``app`` on ``host:port`` (``0``: a free port) and return at once.

    A connection that has not sent a whole request head within the app's header timeout
    (see :func:`make_app`), counted from the connection or the previous answer, is closed.

    Args:
        app: From :func:`make_app`.
        host: The address to listen on (``0.0.0.0`` for every interface).
        port: The port, or 0 for one the OS picks (see :attr:`Server.port`).
        shutdown_timeout: How long :meth:`Server.stop` waits for requests in progress.

    Raises:
        OSError: The address cannot be bound (in use, not permitted).
    """
    runner = web.AppRunner(
        app,
        access_log_class=AccessLogger,
        access_log=log,
        shutdown_timeout=shutdown_timeout,
        # aiohttp arms this at the connection and after each answer, and closes the
        # connection if no whole request head has arrived by then: the header deadline.
        keepalive_timeout=app.get(HEADER_TIMEOUT, ServerSpec().header_timeout),
        handle_signals=False,  # ``notifier run`` owns the signals
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    bound = runner.addresses[0][1]
    log.debug("listening on %s:%d", host, bound)
    return Server(runner, host, bound)
