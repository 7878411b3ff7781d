"""A local ntfy server that behaves like the real one (binwiederhier/ntfy server/*.go).

What it checks, as the server does:

- ``POST/PUT /`` JSON publish (``transformBodyJSON``): body over ``json_limit`` (2 x message
  limit on current servers; ``json_limit=4096`` is a 2023 server) -> 413 41303; bad JSON or
  a wrong field type -> 400 40024; topic not ``[-_A-Za-z0-9]{1,64}`` -> 400 40009; then the
  fields become headers and go through the normal publish path.
- ``POST/PUT /<topic>`` header publish: ``X-Title``/``Title``/``t``, ``X-Priority``/``p``,
  ``X-Tags``/``ta``, ``X-Click``, ``X-Markdown``/``md``; body is the message.
- priority must be 1..5 or a name -> else 400 40007; the body becomes an attachment when a
  ``filename`` is given (JSON field, ``X-Filename``/``Filename``/``file``/``f`` header or
  query: how Apprise uploads a body it finds too big), or when it is over the message limit
  (4096 bytes) or not UTF-8 (``handlePublishBody`` cases 4 and 6); with attachments off (the
  default here, as on a server without ``attachment-cache-dir``) that is 400 40014
  "invalid request: attachments not allowed" (``handleBodyAsAttachment``).
- auth when ``users``/``tokens`` are given: a bad Basic/Bearer -> 401 40101; a topic in
  ``protected`` written without one of its users -> 403 40301.
- the visitor bucket: ``burst`` requests refilled one per ``replenish`` seconds, per IP or
  user, on the injected clock -> 429 42901 (no Retry-After, like the real server).
- success: 200 and the message JSON (id, time, expires, event, topic, title, message, ...).

``fail_next(n, ...)`` scripts the next n requests: an HTTP status with an ntfy error body,
or ``hang=True`` (never answers until the fake stops: a client timeout).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import re
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.server import Recorded, record, serve

TOPIC_RE = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
PRIORITIES = {"min": 1, "low": 2, "default": 3, "high": 4, "max": 5, "urgent": 5}
LINK = "https://ntfy.sh/docs/publish/#limitations"

DOCS = "https://ntfy.sh/docs/"

#: (http status, ntfy code, message, link) as server/errors.go defines them.
ERRORS: dict[str, tuple[int, int, str, str]] = {
    "priority": (400, 40007, "invalid priority parameter", DOCS + "publish/#message-priority"),
    "topic": (400, 40009, "invalid request: topic invalid", ""),
    "attachments": (
        400,
        40014,
        "invalid request: attachments not allowed",
        DOCS + "config/#attachments",
    ),
    "json": (400, 40024, "invalid request: request body must be valid JSON", ""),
    "unauthorized": (401, 40101, "unauthorized", DOCS + "publish/#authentication"),
    "forbidden": (403, 40301, "forbidden", DOCS + "publish/#authentication"),
    "too_large": (413, 41303, "JSON body too large", ""),
    "rate": (429, 42901, "limit reached: too many requests, please be nice", LINK),
    "quota": (429, 42908, "limit reached: too many messages", LINK),
    "not_found": (404, 40401, "page not found", ""),
    "internal": (500, 50001, "internal server error", ""),
}


def error_body(kind: str) -> tuple[int, dict[str, Any]]:
    """Return (status, body) of a server error, in errHTTP's JSON shape (link if any)."""
    status, code, message, link = ERRORS[kind]
    body: dict[str, Any] = {"code": code, "http": status, "error": message}
    if link:
        body["link"] = link
    return status, body


@dataclasses.dataclass
class _Script:
    status: int = 500
    body: Any = None
    hang: bool = False


@dataclasses.dataclass
class _Bucket:
    tokens: float
    last: float


class FakeNtfy:
    """The fake server; use ``async with FakeNtfy(...) as fake:`` then ``fake.url``."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        wall: Callable[[], float] | None = None,
        message_limit: int = 4096,
        json_limit: int | None = None,
        attachments: bool = False,
        users: dict[str, str] | None = None,
        tokens: dict[str, str] | None = None,
        protected: dict[str, set[str]] | None = None,
        burst: int = 60,
        replenish: float = 5.0,
        delay: float = 0.0,
        port: int = 0,
    ) -> None:
        self.clock = clock
        self.wall = wall or clock
        self.message_limit = message_limit
        self.json_limit = json_limit or 2 * message_limit
        self.attachments = attachments
        self.users = users or {}
        self.tokens = tokens or {}
        self.protected = protected or {}
        self.burst = burst
        self.replenish = replenish
        #: Seconds each request takes (real time), to keep requests in flight in tests.
        self.delay = delay
        #: The loopback port to listen on (0: a free one; a fixed one to restart a server).
        self.port = port
        self.requests: list[Recorded] = []
        #: Every message the server stored, in order.
        self.messages: list[dict[str, Any]] = []
        #: Every error answered: (http status, ntfy code).
        self.errors: list[tuple[int, int]] = []
        #: Every attachment stored (attachments on): (file name, size in bytes).
        self.attachments_stored: list[tuple[str, int]] = []
        self._buckets: dict[str, _Bucket] = {}
        self._script: list[_Script] = []
        self._stop = asyncio.Event()
        self.url = ""

    # -- test controls ---------------------------------------------------------------------

    def fail_next(
        self, n: int = 1, *, status: int = 500, kind: str | None = None, hang: bool = False
    ) -> None:
        """Answer the next ``n`` requests with ``status`` (or error ``kind``), or hang."""
        for _ in range(n):
            if kind is not None:
                code, body = error_body(kind)
                self._script.append(_Script(code, body))
            else:
                body = {"code": status * 100 + 1, "http": status, "error": "scripted failure"}
                self._script.append(_Script(status, body, hang))

    @property
    def rate_limited(self) -> int:
        """How many requests the visitor bucket refused."""
        return sum(1 for _, code in self.errors if code == 42901)

    async def __aenter__(self) -> FakeNtfy:
        app = web.Application(client_max_size=1024**2)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._serving = serve(app, self.port)
        self.url = await self._serving.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()  # release hanging handlers before the runner waits for them
        await self._serving.__aexit__(*exc)

    # -- the server --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        rec = await record(request)
        self.requests.append(rec)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._script:
            step = self._script.pop(0)
            if step.hang:
                await self._stop.wait()
            return self._answer(step.status, step.body)
        if request.method not in ("POST", "PUT"):
            return self._error("not_found")
        user, problem = self._authenticate(request)
        if problem:
            return self._error(problem)
        if not self._allow(user or request.remote or "?"):
            return self._error("rate")
        if rec.path == "/":
            fields, problem = self._from_json(rec.body)
            if problem:
                return self._error(problem)
        else:
            fields = self._from_headers(request, rec.body)
        return self._publish(fields, user)

    def _authenticate(self, request: web.Request) -> tuple[str | None, str | None]:
        header = request.headers.get("Authorization", "").strip()
        if not (self.users or self.tokens) or not header.lower().startswith(("basic ", "bearer ")):
            return None, None
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            user = self.tokens.get(value.strip())
            return (user, None) if user else (None, "unauthorized")
        try:
            name, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except ValueError:
            return None, "unauthorized"
        if self.users.get(name) == password and name:
            return name, None
        return None, "unauthorized"

    def _allow(self, visitor: str) -> bool:
        now = self.clock()
        bucket = self._buckets.setdefault(visitor, _Bucket(float(self.burst), now))
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.last) / self.replenish)
        bucket.last = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def _from_json(self, body: bytes) -> tuple[dict[str, Any], str | None]:
        if len(body) > self.json_limit:
            return {}, "too_large"
        try:
            data = json.loads(body)
        except ValueError:
            return {}, "json"
        if not isinstance(data, dict):
            return {}, "json"
        types = {
            "topic": str,
            "title": str,
            "message": str,
            "priority": int,
            "tags": list,
            "click": str,
            "markdown": bool,
            "filename": str,
        }
        for key, kind in types.items():
            value = data.get(key)
            if value is not None and (
                not isinstance(value, kind) or (kind is int and isinstance(value, bool))
            ):
                return {}, "json"  # Go's decoder rejects a wrong type
        if any(not isinstance(t, str) for t in data.get("tags") or []):
            return {}, "json"
        if not TOPIC_RE.match(data.get("topic") or ""):
            return {}, "topic"
        priority = data.get("priority") or 0
        return {
            "topic": data["topic"],
            "title": data.get("title") or "",
            "body": (data.get("message") or "triggered").encode("utf-8"),
            "priority": str(priority) if priority else "",
            # transformBodyJSON joins the tags with "," into X-Tags; publish splits them.
            "tags": ",".join(data.get("tags") or []),
            "click": data.get("click") or "",
            "markdown": bool(data.get("markdown")),
            "filename": data.get("filename") or "",
        }, None

    def _from_headers(self, request: web.Request, body: bytes) -> dict[str, Any]:
        def param(*names: str) -> str:
            for name in names:
                if name in request.headers:
                    return request.headers[name]
                if name.lower() in request.query:
                    return request.query[name.lower()]
            return ""

        markdown = param("X-Markdown", "Markdown", "md").lower() in ("1", "yes", "true")
        return {
            "topic": request.path.strip("/"),
            "title": param("X-Title", "Title", "t"),
            "body": body or b"triggered",
            "priority": param("X-Priority", "Priority", "prio", "p"),
            "tags": param("X-Tags", "Tags", "Tag", "ta"),
            "click": param("X-Click", "Click"),
            "markdown": markdown or request.content_type == "text/markdown",
            "filename": param("X-Filename", "Filename", "file", "f"),
        }

    def _publish(self, fields: dict[str, Any], user: str | None) -> web.Response:
        topic = fields["topic"]
        if not TOPIC_RE.match(topic):
            return self._error("topic")
        allowed = self.protected.get(topic)
        if allowed is not None and user not in allowed:
            return self._error("forbidden")
        priority = 0
        if raw := fields["priority"].strip().lower():
            if raw in PRIORITIES:
                priority = PRIORITIES[raw]
            elif raw.isdigit() and 1 <= int(raw) <= 5:
                priority = int(raw)
            else:
                return self._error("priority")
        now = int(self.wall())
        message: dict[str, Any] = {
            "id": secrets.token_urlsafe(9)[:12],
            "time": now,
            "expires": now + 43200,
            "event": "message",
            "topic": topic,
        }
        body: bytes = fields["body"]
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        filename = fields["filename"]
        if filename or text is None or len(body) > self.message_limit:
            if not self.attachments:
                return self._error("attachments")
            name = filename or "attachment.txt"
            message["message"] = f"You received a file: {name}"
            message["attachment"] = {
                "name": name,
                "size": len(body),
                "url": f"{self.url}/file/{message['id']}.txt",
            }
            self.attachments_stored.append((name, len(body)))
        else:
            message["message"] = text.strip()  # handleBodyAsTextMessage trims
        optional = {
            "title": fields["title"],
            "priority": priority,
            "tags": [t.strip() for t in fields["tags"].split(",") if t.strip()],
            "click": fields["click"],
            "content_type": "text/markdown" if fields["markdown"] else "",
        }
        message.update({k: v for k, v in optional.items() if v})
        self.messages.append(message)
        return web.Response(text=json.dumps(message) + "\n", content_type="application/json")

    def _error(self, kind: str) -> web.Response:
        status, body = error_body(kind)
        return self._answer(status, body)

    def _answer(self, status: int, body: Any) -> web.Response:
        if isinstance(body, dict):
            self.errors.append((status, int(body.get("code", 0))))
            return web.Response(
                status=status, text=json.dumps(body) + "\n", content_type="application/json"
            )
        self.errors.append((status, 0))
        return web.Response(status=status, text=str(body or ""))
