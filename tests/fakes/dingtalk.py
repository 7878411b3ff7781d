"""A fake DingTalk custom robot: verifies signatures, keywords, size, payload shape, and bans.

It answers like the real ``/robot/send`` (always HTTP 200 with ``errcode``/``errmsg``; codes
and messages from channel-protocols.md §3): unknown token 300005, security failures 310000
(``sign not match`` / ``invalid timestamp`` / ``keywords not in content``), and after the 21st
message inside a minute 130101 for ``ban_seconds`` (10 minutes in reality).

Script failures with :meth:`FakeDingTalk.fail_next`: an HTTP status, a hang (the client times
out), or any answer body. Call :meth:`release` before the server stops so that hung handlers
end.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import dataclasses
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.server import Recorded, record

PATH = "/robot/send"
KEYWORDS_MISSING = (
    "keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"
)
#: The size answer's code is undocumented; the message is the one third parties quote.
TOO_LONG = 460101
_MSGTYPES = {"text", "markdown", "actionCard", "link", "feedCard"}


@dataclasses.dataclass
class Robot:
    """One robot: its credentials, what it accepted, and its rate-limit state."""

    token: str
    secret: str | None = None
    keywords: tuple[str, ...] = ()
    sent: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    times: collections.deque[float] = dataclasses.field(default_factory=collections.deque)
    banned_until: float = float("-inf")
    bans: int = 0
    #: The most messages seen inside any one window.
    peak: int = 0


@dataclasses.dataclass
class _Scripted:
    status: int = 200
    body: dict[str, Any] | None = None
    hang: bool = False


class FakeDingTalk:
    """The DingTalk robot API on an aiohttp app; serve ``.app`` with ``tests.fakes.server``."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        rate: int = 20,
        per: float = 60.0,
        ban_seconds: float = 600.0,
        max_body: int = 20_000,
    ) -> None:
        self.clock, self.wall = clock, wall
        self.rate, self.per, self.ban_seconds, self.max_body = rate, per, ban_seconds, max_body
        self.robots: dict[str, Robot] = {}
        self.requests: list[Recorded] = []
        self.answers: list[dict[str, Any]] = []
        self._script: collections.deque[_Scripted] = collections.deque()
        self._release: asyncio.Event | None = None
        self.app = web.Application()
        self.app.router.add_route("*", PATH, self._handle)

    def add_robot(
        self, token: str, *, secret: str | None = None, keywords: tuple[str, ...] = ()
    ) -> Robot:
        self.robots[token] = robot = Robot(token, secret, keywords)
        return robot

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        errcode: int | None = None,
        errmsg: str = "",
        body: dict[str, Any] | None = None,
        hang: bool = False,
    ) -> None:
        """Answer the next ``count`` requests with this instead of handling them."""
        if errcode is not None:
            body = {"errcode": errcode, "errmsg": errmsg}
        for _ in range(count):
            self._script.append(_Scripted(status, body, hang))

    def release(self) -> None:
        """End every hung request."""
        if self._release is not None:
            self._release.set()

    # -- the endpoint ------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        req = await record(request)
        self.requests.append(req)
        if self._script:
            step = self._script.popleft()
            if step.hang:
                self._release = self._release or asyncio.Event()
                await self._release.wait()
            if step.body is None:
                return web.Response(status=step.status, text="upstream error")
            return self._answer(step.body, step.status)
        answer = self._check(request, req)
        return self._answer(answer)

    def _answer(self, body: dict[str, Any], status: int = 200) -> web.Response:
        self.answers.append(body)
        return web.json_response(body, status=status)

    def _check(self, request: web.Request, req: Recorded) -> dict[str, Any]:
        if request.method != "POST":
            return _err(43002, "需要POST请求")
        token = req.query.get("access_token")
        if not token:
            return _err(40035, "缺少参数 access_token")
        robot = self.robots.get(token)
        if robot is None:
            return _err(300005, "token is not exist")
        if robot.secret and (problem := self._signature(robot.secret, req.query)):
            return _err(310000, problem)
        if (limited := self._count(robot)) is not None:
            return limited
        if request.content_type != "application/json":
            return _err(43004, "无效的HTTP HEADER Content-Type")
        if len(req.body) > self.max_body:
            return _err(TOO_LONG, f"message too long, exceed {self.max_body} bytes")
        try:
            payload = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _err(40035, "缺少参数 json")
        if refusal := _shape(payload):
            return refusal
        if robot.keywords and not any(k in _content(payload) for k in robot.keywords):
            return _err(310000, KEYWORDS_MISSING)
        robot.sent.append(payload)
        return {"errcode": 0, "errmsg": "ok"}

    def _signature(self, secret: str, query: dict[str, str]) -> str | None:
        """Check ``timestamp`` (ms, ±1 h) and ``sign`` the way the robot does."""
        try:
            timestamp = int(query["timestamp"])
        except (KeyError, ValueError):
            return "invalid timestamp"
        if abs(self.wall() * 1000 - timestamp) > 3_600_000:
            return "invalid timestamp"
        mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
        expected = base64.b64encode(mac.digest()).decode()
        # aiohttp has already URL-decoded the query, as the real server does.
        if not hmac.compare_digest(query.get("sign", ""), expected):
            return "sign not match"
        return None

    def _count(self, robot: Robot) -> dict[str, Any] | None:
        """20 a minute; the 21st locks the robot for ``ban_seconds``."""
        now = self.clock()
        if now < robot.banned_until:
            return _err(130101, "send too fast, exceed 20 times per minute")
        while robot.times and robot.times[0] <= now - self.per:
            robot.times.popleft()
        robot.times.append(now)
        robot.peak = max(robot.peak, len(robot.times))
        if len(robot.times) > self.rate:
            robot.banned_until = now + self.ban_seconds
            robot.bans += 1
            return _err(130101, "send too fast, exceed 20 times per minute")
        return None


def _err(code: int, message: str) -> dict[str, Any]:
    return {"errcode": code, "errmsg": message}


def _shape(payload: Any) -> dict[str, Any] | None:
    """Check the fields each msgtype requires (as the robot docs list them)."""
    if not isinstance(payload, dict) or payload.get("msgtype") not in _MSGTYPES:
        return _err(400105, "不支持的消息类型")
    kind = payload["msgtype"]
    body = payload.get(kind)
    if not isinstance(body, dict):
        return _err(40035, f"缺少参数 {kind}")
    required = {
        "text": ("content",),
        "markdown": ("title", "text"),
        "actionCard": ("title", "text"),
        "link": ("title", "text", "messageUrl"),
        "feedCard": (),
    }[kind]
    for name in required:
        if not isinstance(body.get(name), str) or not body[name].strip():
            return _err(40035, f"缺少参数 {kind}.{name}")
    if kind == "actionCard":
        single = body.get("singleTitle") and body.get("singleURL")
        buttons = body.get("btns")
        good = isinstance(buttons, list) and all(
            isinstance(b, dict) and b.get("title") and b.get("actionURL") for b in buttons
        )
        good = good and bool(buttons)
        if not (single or good):
            return _err(40035, "缺少参数 actionCard.btns")
    return None


def _content(payload: dict[str, Any]) -> str:
    """The text the keyword check reads: the message body, not the preview title."""
    body = payload[payload["msgtype"]]
    return str(body.get("text") or body.get("content") or "")
