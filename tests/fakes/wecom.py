"""A fake WeCom group robot: checks the key, payload shape, UTF-8 byte limits and 20/minute.

It answers like the real ``/cgi-bin/webhook/send`` (HTTP 200, ``errcode``/``errmsg`` with the
real ``hint: [...]`` suffix on errors; codes from channel-protocols.md §4 and the 2025-08
transcription of the docs): unknown key 93000, over 20 a minute 45009 (every request with a
valid key counts, refused ones too), too long 40058, empty 44004, bad msgtype 40008, more
than 8 news articles 45008, an article URL without a scheme 45034.

Script failures with :meth:`FakeWeCom.fail_next`; call :meth:`release` before the server
stops so that hung handlers end.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.server import Recorded, record

PATH = "/cgi-bin/webhook/send"
#: UTF-8 bytes of ``content`` per msgtype (docs; real servers say 5120 for text, [3p]).
LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
_MSGTYPES = {"text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"}


@dataclasses.dataclass
class Robot:
    """One robot: what it accepted and its rate-limit state."""

    key: str
    sent: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    times: collections.deque[float] = dataclasses.field(default_factory=collections.deque)
    #: The most requests seen inside any one window, and how many were refused for it.
    peak: int = 0
    throttled: int = 0


@dataclasses.dataclass
class _Scripted:
    status: int = 200
    body: dict[str, Any] | None = None
    hang: bool = False


class FakeWeCom:
    """The WeCom robot API on an aiohttp app; serve ``.app`` with ``tests.fakes.server``."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        rate: int = 20,
        per: float = 60.0,
        limits: dict[str, int] | None = None,
        news_max: int = 8,
    ) -> None:
        self.clock = clock
        self.rate, self.per, self.news_max = rate, per, news_max
        self.limits = dict(LIMITS if limits is None else limits)
        self.robots: dict[str, Robot] = {}
        self.requests: list[Recorded] = []
        self.answers: list[dict[str, Any]] = []
        self._script: collections.deque[_Scripted] = collections.deque()
        self._release: asyncio.Event | None = None
        self._hints = itertools.count(1)
        self.app = web.Application()
        self.app.router.add_route("*", PATH, self._handle)

    def add_robot(self, key: str) -> Robot:
        self.robots[key] = robot = Robot(key)
        return robot

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        errcode: int | None = None,
        errmsg: str = "",
        hang: bool = False,
    ) -> None:
        """Answer the next ``count`` requests with this instead of handling them."""
        for _ in range(count):
            body = self._err(errcode, errmsg) if errcode is not None else None
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
                return web.Response(status=step.status, text="<html>502 Bad Gateway</html>")
            return self._answer(step.body, step.status)
        return self._answer(self._check(req))

    def _answer(self, body: dict[str, Any], status: int = 200) -> web.Response:
        self.answers.append(body)
        return web.json_response(body, status=status)

    def _err(self, code: int, message: str) -> dict[str, Any]:
        """An error as WeCom words it: the message, then a hint, our IP and a help link."""
        hint = f"[{int(time.time())}{next(self._hints):05d}-fake]"
        return {
            "errcode": code,
            "errmsg": f"{message}, hint: {hint}, from ip: 127.0.0.1, "
            f"more info at https://open.work.weixin.qq.com/devtool/query?e={code}",
        }

    def _check(self, req: Recorded) -> dict[str, Any]:
        robot = self.robots.get(req.query.get("key", ""))
        if req.method != "POST" or robot is None:
            return self._err(93000, "invalid webhook url")
        if not self._count(robot):
            return self._err(45009, "api freq out of limit")
        try:
            payload = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._err(40035, "invalid param, Warning: wrong json format.")
        kind = payload.get("msgtype") if isinstance(payload, dict) else None
        if kind not in _MSGTYPES or kind not in {*self.limits, "news"}:
            return self._err(40008, "invalid message type")
        body = payload.get(kind)
        if not isinstance(body, dict):
            return self._err(44004, "empty content")
        problem = self._news(body) if kind == "news" else self._content(kind, body)
        if problem:
            return problem
        robot.sent.append(payload)
        return {"errcode": 0, "errmsg": "ok"}

    def _count(self, robot: Robot) -> bool:
        """20 a minute per robot; every request counts, refused ones too."""
        now = self.clock()
        while robot.times and robot.times[0] <= now - self.per:
            robot.times.popleft()
        robot.times.append(now)
        robot.peak = max(robot.peak, len(robot.times))
        if len(robot.times) > self.rate:
            robot.throttled += 1
            return False
        return True

    def _content(self, kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
        content = body.get("content")
        if not isinstance(content, str) or not content.strip():
            return self._err(44004, "empty content")
        limit = self.limits[kind]
        if len(content.encode("utf-8")) > limit:
            return self._err(
                40058, f"{kind}.content exceed max length {limit}. invalid Request Parameter"
            )
        return None

    def _news(self, body: dict[str, Any]) -> dict[str, Any] | None:
        articles = body.get("articles")
        if not isinstance(articles, list) or not articles:
            return self._err(44004, "empty content")
        if len(articles) > self.news_max:
            return self._err(45008, "invalid news article count")
        for article in articles:
            if not isinstance(article, dict) or not article.get("title"):
                return self._err(44004, "empty content")
            if not str(article.get("url", "")).startswith(("http://", "https://")):
                return self._err(45034, "url must start with http:// or https://")
        return None
