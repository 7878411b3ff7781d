"""Access log lines: one per request, with no header values but the user agent."""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from notifier.server._app import route_of

#: Routes polled by probes and scrapers: logged at DEBUG when they succeed.
QUIET_ROUTES = frozenset({"/healthz", "/metrics"})


class AccessLogger(AbstractAccessLogger):
    """Log ``METHOD PATH STATUS BYTES MS REMOTE "AGENT"`` with the same fields as ``http``.

    The query string and every header but ``User-Agent`` are left out, so a token sent
    where it does not belong (``?token=``, ``Authorization``) never reaches the log.
    """

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Emit one line for a finished request."""
        status = response.status
        if status >= 500:
            level = logging.WARNING
        elif status < 400 and route_of(request) in QUIET_ROUTES:
            level = logging.DEBUG
        else:
            level = logging.INFO
        if not self.logger.isEnabledFor(level):
            return
        fields = {
            "method": request.method,
            "path": _printable(request.path, 200),
            "status": status,
            "bytes": response.body_length,
            "ms": round(time * 1000, 1),
            "remote": request.remote,
            "agent": _printable(request.headers.get("User-Agent", ""), 120),
        }
        self.logger.log(
            level,
            '%(method)s %(path)s %(status)d %(bytes)dB %(ms).1fms %(remote)s "%(agent)s"',
            fields,
            extra={"http": fields},
        )

    @property
    def enabled(self) -> bool:
        """Whether any access line would be logged."""
        return self.logger.isEnabledFor(logging.WARNING)


def _printable(text: str, limit: int) -> str:
    return "".join(c if c.isprintable() else "?" for c in text[:limit])
