"""The HTTP endpoint's routes: ``POST /v1/digests``, ``GET /healthz``, ``GET /metrics``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.web_exceptions import HTTPException

from notifier.config import ServerSpec
from notifier.errors import DigestError, StoreError
from notifier.server._limits import HEADER_TIMEOUT, RETRY_AFTER, Slots, answer_and_close
from notifier.sources import Digest

if TYPE_CHECKING:
    from notifier.metrics import Metrics

log = logging.getLogger("notifier.http")

#: The pipeline: parse, match, queue; returns a JSON-ready report.
Ingest = Callable[[Digest], Awaitable[Mapping[str, Any]]]
#: The service's state for ``/healthz``; ``{"status": "ok", ...}`` when healthy.
Health = Callable[[], Awaitable[Mapping[str, Any]]]

DIGESTS = "/v1/digests"
_SOURCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# What curl and form posts send by default: says nothing about the digest's format.
_NO_HINT = ("application/x-www-form-urlencoded", "application/octet-stream")
_CHUNK = 64 * 1024
#: Seconds a client is told to wait while the store is unavailable.
STORE_RETRY_AFTER = 30
_DEFAULTS = ServerSpec()


def make_app(
    *,
    ingest: Ingest,
    health: Health,
    metrics: Metrics | None,
    token: str | None,
    max_body: int,
    refresh_metrics: Callable[[], Awaitable[object]] | None = None,
    body_timeout: float = _DEFAULTS.body_timeout,
    header_timeout: float = _DEFAULTS.header_timeout,
    max_uploads: int = _DEFAULTS.max_uploads,
) -> web.Application:
    """Build the service's HTTP application.

    Args:
        ingest: Hands a digest to the pipeline; raises :class:`DigestError` for a digest
            that cannot be read.
        health: Returns the service's state; a ``status`` other than ``ok`` makes
            ``/healthz`` answer 503.
        metrics: Served at ``/metrics`` and counts requests (``None``: no ``/metrics``).
        token: The bearer token ``POST /v1/digests`` requires (``None`` or empty: ingest
            is disabled and answers 404).
        max_body: The largest digest accepted, in bytes (413 beyond).
        refresh_metrics: Awaited before ``/metrics`` renders (e.g. to set the queue depth
            from the store).
        body_timeout: Seconds to receive a digest's body (408 beyond).
        header_timeout: Seconds to receive a request's line and headers, from the
            connection or the previous answer; :func:`serve` closes the connection beyond.
        max_uploads: Digests received or processed at once (503 with Retry-After beyond).
    """
    routes = _Routes(
        ingest,
        health,
        metrics,
        token or None,
        max_body,
        refresh_metrics,
        body_timeout=body_timeout,
        max_uploads=max_uploads,
    )
    app = web.Application(
        client_max_size=max_body,
        middlewares=[_counting(metrics)] if metrics else [],
    )
    app[HEADER_TIMEOUT] = header_timeout
    app.router.add_post(DIGESTS, routes.post_digest, expect_handler=routes.expect)
    app.router.add_get("/healthz", routes.healthz)
    if metrics is not None:
        app.router.add_get("/metrics", routes.metrics)
    return app


class _Routes:
    def __init__(
        self,
        ingest: Ingest,
        health: Health,
        metrics: Metrics | None,
        token: str | None,
        max_body: int,
        refresh_metrics: Callable[[], Awaitable[object]] | None,
        *,
        body_timeout: float,
        max_uploads: int,
    ) -> None:
        self.ingest = ingest
        self.health = health
        self._metrics = metrics
        self.max_body = max_body
        self.refresh_metrics = refresh_metrics
        self.body_timeout = body_timeout
        self.uploads = Slots(max_uploads)
        # Compared as digests: equal lengths, so the time taken says nothing about the token.
        self._token = hashlib.sha256(token.encode()).digest() if token else None

    async def expect(self, request: web.Request) -> web.StreamResponse | None:
        """``Expect: 100-continue``: refuse before the client sends the body."""
        refused = self._refuse(request) or (self._busy() if self.uploads.full else None)
        if refused is not None:
            if self._metrics is not None:  # middlewares do not see this answer
                self._metrics.http_request(DIGESTS, refused.status)
            return refused
        if request.headers.get("Expect", "").lower() != "100-continue":
            raise web.HTTPExpectationFailed(text="unknown Expect header")
        if request.version >= (1, 1):
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            request.writer.output_size = 0  # the access log counts the response alone
        return None

    async def post_digest(self, request: web.Request) -> web.StreamResponse:
        """Hand the body to the pipeline as a digest; answer with its report."""
        refused = self._refuse(request)
        if refused is not None:
            return refused
        ctype = request.headers.get("Content-Type")
        if ctype and ctype.lower().startswith("multipart/"):
            return _error(415, "send the digest as the raw body (curl --data-binary @FILE)")
        source = request.headers.get("X-Source", "http")
        if not _SOURCE_RE.fullmatch(source):
            return _error(400, "X-Source: letters, digits, '_', '.', '-', at most 64")
        if not self.uploads.take():
            return self._busy()
        try:
            return await self._receive(request, source, ctype)
        finally:
            self.uploads.give()

    async def _receive(
        self, request: web.Request, source: str, ctype: str | None
    ) -> web.StreamResponse:
        """Read the body within the deadline and ingest it (holding an upload slot)."""
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await _read(request, self.max_body)
        except TimeoutError:
            late = (
                f"the digest did not arrive within {self.body_timeout:g} s (server.body_timeout)"
            )
            return await answer_and_close(request, _error(408, late))
        except ConnectionResetError:  # nobody to answer; no traceback in the log either
            return _error(400, "the connection was lost before the whole digest arrived")
        if body is None:
            return _too_large(self.max_body)
        if not body:
            return _error(400, "empty body: send a digest")
        name = _filename(request.query.get("name") or request.headers.get("X-Digest-Name"))
        hint = ctype if ctype and not ctype.lower().startswith(_NO_HINT) else None
        origin = f"POST {DIGESTS} ({name})" if name else f"POST {DIGESTS}"
        digest = Digest(body, origin, source, content_type=hint, filename=name)
        try:
            report = await self.ingest(digest)
        except DigestError as exc:
            return _error(422, _one_line(exc.reason))
        except StoreError as exc:  # an outage, not a bug: one line, and the client retries
            log.warning("ingest of %s from %s: %s", origin, source, exc)
            return _error(
                503,
                "the store is unavailable; send the digest again later",
                headers={"Retry-After": str(STORE_RETRY_AFTER)},
            )
        except Exception:
            log.exception("ingest of %s from %s failed", origin, source)
            return _error(500, "internal error: see the service's log")
        return _json(202, dict(report))

    async def healthz(self, request: web.Request) -> web.StreamResponse:
        """200 with the service's state, or 503 when it is not ok."""
        try:
            state = {"status": "ok", **(await self.health())}
        except Exception:
            log.exception("health check failed")
            return _json(503, {"status": "error", "error": "health check failed"})
        return _json(200 if state["status"] == "ok" else 503, state)

    async def metrics(self, request: web.Request) -> web.StreamResponse:
        """Every metric, in the Prometheus text format."""
        assert self._metrics is not None  # the route exists only with metrics
        if self.refresh_metrics is not None:
            try:
                await self.refresh_metrics()
            except Exception:  # stale gauges beat no metrics at all
                log.exception("refreshing metrics failed")
        return web.Response(
            body=self._metrics.render(), headers={"Content-Type": self._metrics.content_type}
        )

    def _refuse(self, request: web.Request) -> web.StreamResponse | None:
        """The answer to a digest post that must not be read, if it must not."""
        if self._token is None:
            return _error(404, "ingest is disabled: set server.token to enable it")
        if not self._authorized(request.headers.get("Authorization")):
            return _error(
                401,
                "a valid 'Authorization: Bearer TOKEN' header is required",
                headers={"WWW-Authenticate": 'Bearer realm="notifier"'},
            )
        declared = request.content_length
        if declared is not None and declared > self.max_body:
            return _too_large(self.max_body)
        return None

    def _busy(self) -> web.Response:
        limit = self.uploads.limit
        return _error(
            503,
            f"busy: {limit} uploads in progress (server.max_uploads); retry in {RETRY_AFTER} s",
            headers={"Retry-After": str(RETRY_AFTER)},
        )

    def _authorized(self, header: str | None) -> bool:
        scheme, _, given = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip() or self._token is None:
            return False
        return hmac.compare_digest(hashlib.sha256(given.strip().encode()).digest(), self._token)


async def _read(request: web.Request, limit: int) -> bytes | None:
    """The body, or ``None`` as soon as it grows past ``limit`` bytes (never buffered whole)."""
    body = bytearray()
    while chunk := await request.content.read(_CHUNK):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _filename(raw: str | None) -> str | None:
    """A filename hint without its directories and control characters."""
    if not raw:
        return None
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()[:255]
    return name if name not in ("", ".", "..") else None


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _json(status: int, data: Mapping[str, Any], **kw: Any) -> web.Response:
    body = json.dumps(data, ensure_ascii=False, default=str)
    return web.Response(status=status, text=body, content_type="application/json", **kw)


def _error(status: int, message: str, **kw: Any) -> web.Response:
    return _json(status, {"error": message}, **kw)


def _too_large(limit: int) -> web.Response:
    return _error(413, f"digest larger than {limit} bytes (server.max_body)")


def route_of(request: web.BaseRequest) -> str:
    """The route a request matched (its template), or ``unmatched``: a bounded label."""
    match = getattr(request, "match_info", None)
    resource = match.route.resource if match is not None else None
    return resource.canonical if resource is not None else "unmatched"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _counting(metrics: Metrics) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """A middleware counting requests by route and status in ``metrics``."""

    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except HTTPException as exc:
            status = exc.status
            raise
        finally:
            metrics.http_request(route_of(request), status)

    return count
