"""A polled URL: a feed or a digest over HTTP, fetched every ``interval`` seconds.

Requests are conditional: the ``ETag`` and ``Last-Modified`` of the last good response go
back as ``If-None-Match`` / ``If-Modified-Since`` (saved in the store, so a restart keeps
them), and a ``304 Not Modified`` hands nothing over. A body identical to the last one
handed over is not handed over again either (servers that ignore validators). Validators
are saved only after the pipeline took the digest: a crash in between means the next poll
fetches it again, never that it is skipped.

Failures (timeouts, refused connections, HTTP errors, oversized bodies) wait longer each
time: ``interval`` × 2, × 4 ... up to ``interval`` × 8 or an hour, whichever is less (never
less than ``interval``), or longer when the server sends ``Retry-After``. The error is kept
as ``last_error`` (no URL query string, no header value in it).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from notifier.parse.targets import TooLarge, read_capped
from notifier.sources._status import Tracked, log
from notifier.sources.base import Digest, Emit, LoadState, SaveState

if TYPE_CHECKING:
    import httpx

USER_AGENT = "notifier/0.1 (+digest poller)"
MAX_SIZE = 20 * 1024 * 1024
#: Backoff never waits longer than this unless the interval itself is longer.
MAX_BACKOFF = 3600.0
#: Nor longer than this many intervals.
BACKOFF_INTERVALS = 8
#: A ``Retry-After`` beyond this is not believed.
MAX_RETRY_AFTER = 86400.0


class PollError(Exception):
    """One failed poll; the message is safe to show."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UrlSource(Tracked):
    """Poll ``url`` every ``interval`` seconds (``timeout`` for the whole request)."""

    kind = "url"

    def __init__(
        self,
        name: str,
        url: str,
        *,
        interval: float = 600.0,
        timeout: float = 20.0,
        headers: Mapping[str, str] | None = None,
        max_size: int = MAX_SIZE,
        load_state: LoadState | None = None,
        save_state: SaveState | None = None,
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name, load_state, save_state, clock)
        self.url = url
        self.interval = interval
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.max_size = max_size
        #: Consecutive failed polls (0 after a good one).
        self.failures = 0
        self.etag: str | None = None
        self.last_modified: str | None = None
        self._sha256: str | None = None
        self._retry_after: float | None = None
        self._client = client
        self._sleep = sleep

    @property
    def shown_url(self) -> str:
        """The URL for messages: no user info, no query string (either may hold a key)."""
        parts = urlsplit(self.url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return f"{parts.scheme}://{host}{parts.path}" + ("?…" if parts.query else "")

    def delay(self) -> float:
        """Seconds until the next poll: ``interval``, or the backoff after failures."""
        if not self.failures:
            return self.interval
        cap = max(self.interval, min(self.interval * BACKOFF_INTERVALS, MAX_BACKOFF))
        wait = min(cap, self.interval * 2.0 ** min(self.failures, 32))
        if self._retry_after is not None:
            wait = max(wait, min(self._retry_after, MAX_RETRY_AFTER))
        return wait

    async def once(self, emit: Emit) -> None:
        """Poll once; a failure is kept in ``last_error``, not raised."""
        async with self._session() as client:
            await self.poll(emit, client)

    async def run(self, emit: Emit) -> None:
        """Poll now, then every ``interval`` (backing off after failures), until cancelled."""
        async with self._session() as client:
            while True:
                await self.poll(emit, client)
                await self._sleep(self.delay())

    async def poll(self, emit: Emit, client: httpx.AsyncClient) -> bool:
        """Fetch the URL once and hand a new body to ``emit``; return whether it went well."""
        state = await self.restore()
        if state:
            self.etag = _text(state.get("etag"))
            self.last_modified = _text(state.get("last_modified"))
            self._sha256 = _text(state.get("sha256"))
        try:
            response = await self._fetch(client)
            if response is not None:
                await self._hand_over(emit, *response)
        except Exception as exc:  # a poll never ends the source; the next one may work
            error = exc if isinstance(exc, PollError) else PollError(self._describe(exc))
            if error is not exc:
                log.debug("source %s: poll failed", self.name, exc_info=True)
            self.failures += 1
            self._retry_after = error.retry_after
            self.failed(str(error))
            ok = False
        else:
            self.failures = 0
            self._retry_after = None
            self.succeeded()
            ok = True
        await self.save(
            url=self.shown_url,
            etag=self.etag,
            last_modified=self.last_modified,
            sha256=self._sha256,
            failures=self.failures,
            next_poll=self._clock() + self.delay(),
        )
        return ok

    async def _fetch(
        self, client: httpx.AsyncClient
    ) -> tuple[bytes, str | None, str | None, str | None] | None:
        """Return (body, content type, ETag, Last-Modified), or ``None`` for 304/empty."""
        import httpx

        headers = {"User-Agent": USER_AGENT, **self.headers}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        try:
            async with (
                asyncio.timeout(self.timeout),
                client.stream("GET", self.url, headers=headers, timeout=self.timeout) as response,
            ):
                if response.status_code == 304:
                    return None
                if not response.is_success:
                    raise PollError(
                        f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                        _retry_after(response.headers.get("retry-after"), self._clock()),
                    )
                body = await self._read(response)
                if not body:  # 204, or an empty file: nothing to read
                    return None
                return (
                    body,
                    response.headers.get("content-type"),
                    response.headers.get("etag"),
                    response.headers.get("last-modified"),
                )
        except TimeoutError:
            raise PollError(f"timed out after {self.timeout:g}s") from None
        except httpx.TimeoutException as exc:
            raise PollError(f"timed out after {self.timeout:g}s ({type(exc).__name__})") from None
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            raise PollError(self._describe(exc)) from None

    async def _read(self, response: httpx.Response) -> bytes:
        try:
            return await read_capped(response, self.max_size)
        except TooLarge as exc:
            raise PollError(f"{exc} (max_size)") from None

    async def _hand_over(
        self,
        emit: Emit,
        body: bytes,
        content_type: str | None,
        etag: str | None,
        modified: str | None,
    ) -> None:
        digest = hashlib.sha256(body).hexdigest()
        if digest != self._sha256:
            name = PurePosixPath(urlsplit(self.url).path).name or None
            try:
                await emit(
                    Digest(body, self.shown_url, self.name, content_type, name, self.layout)
                )
            except Exception as exc:
                log.debug("source %s: emit failed", self.name, exc_info=True)
                raise PollError(f"not handed over ({type(exc).__name__}: {exc})") from None
            self.digests += 1
        # Only now: had the pipeline not taken it, the next poll must fetch it again.
        self._sha256, self.etag, self.last_modified = digest, etag, modified

    def _describe(self, exc: Exception) -> str:
        """``ConnectError: …`` without the URL's secrets (httpx may quote the URL)."""
        text = str(exc).replace(self.url, self.shown_url)
        for value in self.headers.values():
            if value:
                text = text.replace(value, "***")
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[httpx.AsyncClient]:
        """The injected client, or one of our own for the duration."""
        if self._client is not None:
            yield self._client
            return
        import httpx

        async with httpx.AsyncClient(follow_redirects=True) as client:
            yield client


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - now)
    return None
