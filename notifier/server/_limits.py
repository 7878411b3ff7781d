"""Upload limits: how many digests are received or processed at once, and how a refused or
timed-out request ends."""

from __future__ import annotations

from aiohttp import web

#: Seconds a client is told to wait when every upload slot is taken.
RETRY_AFTER = 5
#: ``server.header_timeout``, carried by the app from :func:`make_app` to :func:`serve`.
HEADER_TIMEOUT = web.AppKey("header_timeout", float)


class Slots:
    """Uploads in progress, at most ``limit``: past it a request is refused, never queued."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"max_uploads must be at least 1, got {limit}")
        self.limit = limit
        self.used = 0

    @property
    def full(self) -> bool:
        """Whether every slot is taken."""
        return self.used >= self.limit

    def take(self) -> bool:
        """Take a slot if one is free; ``False`` when full."""
        if self.full:
            return False
        self.used += 1
        return True

    def give(self) -> None:
        """Return a slot taken by :meth:`take`."""
        self.used -= 1


async def answer_and_close(request: web.Request, response: web.Response) -> web.Response:
    """Send ``response`` at once and end the stream after it (``Connection: close``, then
    a half-close), though the client is still sending: aiohttp then discards what it sends
    for at most its lingering time (10 s) and closes."""
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    transport = request.transport
    if transport is not None and transport.can_write_eof() and not transport.is_closing():
        transport.write_eof()
    return response
