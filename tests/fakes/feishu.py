"""A local Feishu/Lark: custom-bot webhooks and the open API (token + im/v1/messages).

It behaves like the service as channel-protocols.md §2 and §8 describe it: it verifies
webhook signatures (±1 h) and keywords, checks payload shapes, enforces the body limits
(20 KB webhook; 30 KB card/post and 150 KB text on im/v1) and the rate limits (5/s and
100/min per bot; 5/s per chat and 50/s per app), and answers with the service's own bodies
— business errors inside HTTP 200 for webhooks, HTTP 400/429 with a ``code`` on the open
API. Time comes from an injectable :class:`FakeClock`; ``fail_next`` scripts failures.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import dataclasses
import hashlib
import hmac
import json
import math
import secrets
from typing import Any

from aiohttp import web

from tests.fakes.server import FakeClock, Recorded, record

Script = str | int | tuple[int, str, int]
HOOK_LIMIT = 20_000  # "请求体的数据大小不能超过 20 KB" (stricter reading of 20 KB)
APP_LIMITS = {"text": 150_000, "post": 30_000, "interactive": 30_000}  # error 230025
HOOK_OK = {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}
MESSAGES = {
    9499: "Bad Request",
    11232: "frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]",
    19001: "param invalid: incoming webhook access token invalid",
    19002: "param invalid: msg_type",
    19021: "sign match fail or timestamp is not within one hour from current time",
    19022: "Ip Not Allowed",
    19024: "Key Words Not Found",
    10003: "invalid param",
    10014: "app secret invalid",
    230001: "Your request contains an invalid request parameter.",
    230002: "Bot/User can NOT be out of the chat.",
    230020: "This operation triggers the frequency limit",
    230025: "The length of the message content reaches its limit",
    230053: "The user has stopped the bot from sending messages",
    99991400: "request trigger frequency limit",
    99991663: "Invalid access token for authorization. Please make a request with token attached.",
}
CARD_TAGS = {"markdown", "hr", "div", "note", "img", "action", "column_set"}
POST_TAGS = {"text", "a", "at", "img", "media", "emotion", "hr", "code_block", "md"}
COLORS = {"blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "carmine"}
COLORS |= {"violet", "purple", "indigo", "grey", "default"}


@dataclasses.dataclass
class Bot:
    """A custom bot in a group, with its security settings."""

    token: str
    secret: str | None = None
    keywords: tuple[str, ...] = ()


class Windows:
    """Sliding windows per key; counts every request that reaches the check."""

    def __init__(self, clock: FakeClock, limits: tuple[tuple[int, float], ...]) -> None:
        self.clock, self.limits = clock, limits
        self.log: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self.peak: dict[float, int] = dict.fromkeys((s for _, s in limits), 0)

    def hit(self, key: str) -> float | None:
        """Count a request; return seconds until it would have been allowed, or None if ok."""
        now, log = self.clock(), self.log[key]
        longest = max(s for _, s in self.limits)
        while log and not log[0] + longest > now:
            log.popleft()
        log.append(now)
        wait = None
        for count, seconds in self.limits:
            inside = [t for t in log if t + seconds > now]  # same test as the client limiter
            self.peak[seconds] = max(self.peak[seconds], len(inside))
            if len(inside) > count:
                wait = max(wait or 0.0, inside[-count - 1] + seconds - now)
        return wait


def hook_sign(timestamp: str, secret: str) -> str:
    """The documented signature: HMAC-SHA256(key=f"{ts}\\n{secret}", msg=b""), Base64."""
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FeishuFake:
    """Both Feishu surfaces on one aiohttp app; inspect ``hook_messages``/``app_messages``."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.bots: dict[str, Bot] = {}
        self.apps: dict[str, str] = {}  # app_id -> app_secret
        self.chats: set[str] = set()  # chats (and users) the app bot can reach
        self.requests: list[Recorded] = []
        self.hook_messages: list[tuple[str, dict[str, Any]]] = []
        self.app_messages: list[dict[str, Any]] = []
        self.token_fetches = 0
        self.throttled = 0  # answers that said "frequency limited"
        self.hook_rate = Windows(self.clock, ((5, 1.0), (100, 60.0)))
        self.chat_rate = Windows(self.clock, ((5, 1.0),))
        self.app_rate = Windows(self.clock, ((50, 1.0), (1000, 60.0)))
        self._tokens: dict[str, str] = {}  # tenant_access_token -> app_id
        self._uuids: dict[str, dict[str, Any]] = {}
        self._script: collections.deque[Script] = collections.deque()
        self._release = asyncio.Event()
        self.hang_seconds = 5.0
        self.base = ""  # set by the test once served

    # -- test controls

    def add_bot(
        self, token: str, secret: str | None = None, keywords: tuple[str, ...] = ()
    ) -> Bot:
        self.bots[token] = Bot(token, secret, keywords)
        return self.bots[token]

    def add_app(self, app_id: str, app_secret: str, chats: tuple[str, ...] = ()) -> None:
        self.apps[app_id] = app_secret
        self.chats.update(chats)

    def fail_next(self, n: int, what: Script) -> None:
        """Script the next ``n`` requests: "pass" (behave), "5xx", "timeout" (hang, do nothing),
        "accept_then_hang" (do the work, then hang), a service error code, or
        ``(code, msg, http_status)``."""
        self._script.extend([what] * n)

    def revoke_tokens(self) -> None:
        """Expire every tenant_access_token issued so far (as after 2 hours)."""
        self._tokens.clear()

    def release(self) -> None:
        """Let hanging handlers finish (call before the server stops)."""
        self._release.set()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/open-apis/bot/v2/hook/{token}", self._hook)
        app.router.add_post("/open-apis/auth/v3/tenant_access_token/internal", self._token)
        app.router.add_post("/open-apis/im/v1/messages", self._message)
        return app

    # -- helpers

    async def _hang(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), self.hang_seconds)

    async def _scripted(self, status: int) -> web.Response | str | None:
        """Apply the next scripted failure: a response, "after" (hang later) or None.

        A code is answered with its usual message and ``status``; ``(code, msg, status)``
        answers exactly that.
        """
        if not self._script:
            return None
        what = self._script.popleft()
        if what == "pass":
            return None
        if what == "5xx":
            return web.Response(status=502, text="<html>502 Bad Gateway</html>",
                                content_type="text/html")  # fmt: skip
        if what == "timeout":
            await self._hang()
            return web.Response(status=504, text="too late")
        if what == "accept_then_hang":
            return "after"
        if isinstance(what, tuple):
            code, msg, status = what
            return web.json_response({"code": code, "data": {}, "msg": msg}, status=status)
        assert isinstance(what, int), what
        if what == 99991400:
            return self._app_error(99991400, status=429, reset=3)
        return self._error(what, status)

    def _error(self, code: int, status: int = 200) -> web.Response:
        if code in (11232, 230020, 99991400):
            self.throttled += 1
        body = {"code": code, "data": {}, "msg": MESSAGES.get(code, "error")}
        return web.json_response(body, status=status)

    def _app_error(self, code: int, status: int = 400, reset: float | None = None) -> web.Response:
        resp = self._error(code, status)
        if reset is not None:  # the gateway's limit headers ("Rate limits" doc)
            resp.headers["x-ogw-ratelimit-limit"] = "50"
            resp.headers["x-ogw-ratelimit-reset"] = str(math.ceil(reset))
        return resp

    # -- custom bot webhook

    async def _hook(self, request: web.Request) -> web.StreamResponse:
        rec = await record(request)
        self.requests.append(rec)
        scripted = await self._scripted(200)
        if isinstance(scripted, web.Response):
            return scripted
        bot = self.bots.get(request.match_info["token"])
        if bot is None:
            return self._error(19001)
        if self.hook_rate.hit(bot.token) is not None:
            return self._error(11232)
        if len(rec.body) > HOOK_LIMIT:
            return self._error(9499)
        try:
            body = json.loads(rec.body)
        except ValueError:
            return self._error(9499)
        if not isinstance(body, dict):
            return self._error(9499)
        if bot.secret and not self._signed(body, bot.secret):
            return self._error(19021)
        if bot.keywords and not any(k in " ".join(_texts(body)) for k in bot.keywords):
            return self._error(19024)
        if body.get("msg_type") not in ("text", "post", "image", "share_chat", "interactive"):
            return self._error(19002)
        if not _hook_shape_ok(body):
            return self._error(9499)
        self.hook_messages.append((bot.token, body))
        if scripted == "after":
            await self._hang()
        return web.json_response(HOOK_OK)

    def _signed(self, body: dict[str, Any], secret: str) -> bool:
        ts, sig = body.get("timestamp"), body.get("sign")
        if not isinstance(ts, str) or not isinstance(sig, str) or not ts.isdigit():
            return False
        if abs(self.clock.wall() - int(ts)) > 3600:
            return False
        return hmac.compare_digest(sig, hook_sign(ts, secret))

    # -- open API

    async def _token(self, request: web.Request) -> web.Response:
        rec = await record(request)  # the SDK sends no Content-Type: parse the body anyway
        self.requests.append(rec)
        self.token_fetches += 1
        try:
            body = json.loads(rec.body)
        except ValueError:
            return self._error(10003, 400)
        app_id, app_secret = body.get("app_id"), body.get("app_secret")
        if app_id not in self.apps:
            return self._error(10003, 400)
        if not hmac.compare_digest(str(app_secret), self.apps[app_id]):
            return self._error(10014, 400)
        token = "t-" + secrets.token_hex(16)
        self._tokens[token] = app_id
        ok = {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200}
        return web.json_response(ok)

    async def _message(self, request: web.Request) -> web.StreamResponse:
        rec = await record(request)
        self.requests.append(rec)
        scripted = await self._scripted(400)
        if isinstance(scripted, web.Response):
            return scripted
        auth = request.headers.get("Authorization", "")
        app_id = self._tokens.get(auth.removeprefix("Bearer "))
        if not auth.startswith("Bearer ") or app_id is None:
            return self._app_error(99991663, status=400)
        if (wait := self.app_rate.hit(app_id)) is not None:
            return self._app_error(99991400, status=429, reset=wait)
        rid_type = request.query.get("receive_id_type")
        try:
            body = json.loads(rec.body)
            content = json.loads(body["content"])
            rid, msg_type = body["receive_id"], body["msg_type"]
        except (ValueError, KeyError, TypeError):
            return self._app_error(230001)
        if rid_type not in ("chat_id", "open_id", "user_id", "union_id", "email"):
            return self._app_error(230001)
        if msg_type not in APP_LIMITS or len(rec.body) > APP_LIMITS[msg_type]:
            return self._app_error(230025 if msg_type in APP_LIMITS else 230001)
        if rid not in self.chats:
            return self._app_error(230002)
        if (uuid := body.get("uuid")) and uuid in self._uuids:  # dedupe for 1 hour
            return web.json_response({"code": 0, "msg": "success", "data": self._uuids[uuid]})
        if self.chat_rate.hit(rid) is not None:
            return self._app_error(230020)
        if not _app_shape_ok(msg_type, content):
            return self._app_error(230001)
        data = {
            "message_id": "om_" + secrets.token_hex(8),
            "chat_id": rid,
            "msg_type": msg_type,
            "create_time": str(int(self.clock.wall() * 1000)),
            "body": {"content": body["content"]},
        }
        self.app_messages.append({"receive_id": rid, "msg_type": msg_type, "content": content})
        if uuid:
            self._uuids[uuid] = data
        if scripted == "after":
            await self._hang()
        return web.json_response({"code": 0, "msg": "success", "data": data})


# -- payload shapes (as the docs define them)


def _texts(node: Any) -> list[str]:
    """Every text a keyword may match: text/title/content string values."""
    if isinstance(node, dict):
        out = []
        for key, value in node.items():
            if key in ("text", "title", "content") and isinstance(value, str):
                out.append(value)
            else:
                out.extend(_texts(value))
        return out
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def _card_ok(card: Any) -> bool:
    if not isinstance(card, dict):
        return False
    elements = card.get("body", {}).get("elements") if card.get("schema") == "2.0" else None
    elements = elements if elements is not None else card.get("elements")
    if not isinstance(elements, list):
        return False
    header = card.get("header")
    if header is not None:
        title = header.get("title", {})
        if title.get("tag") not in ("plain_text", "lark_md"):
            return False
        if (
            not isinstance(title.get("content"), str)
            or header.get("template", "blue") not in COLORS
        ):
            return False
    for el in elements:
        if not isinstance(el, dict) or el.get("tag") not in CARD_TAGS:
            return False
        if el["tag"] == "markdown" and not isinstance(el.get("content"), str):
            return False
    return True


def _post_ok(post: Any) -> bool:
    if not isinstance(post, dict) or not ({"zh_cn", "en_us"} & post.keys()):
        return False
    for lang in post.values():
        paragraphs = lang.get("content") if isinstance(lang, dict) else None
        if not isinstance(paragraphs, list):
            return False
        for paragraph in paragraphs:
            if not isinstance(paragraph, list):
                return False
            for node in paragraph:
                if not isinstance(node, dict) or node.get("tag") not in POST_TAGS:
                    return False
                if node["tag"] in ("text", "a") and not isinstance(node.get("text"), str):
                    return False
                if node["tag"] == "a" and not str(node.get("href", "")).startswith("http"):
                    return False
    return True


def _hook_shape_ok(body: dict[str, Any]) -> bool:
    kind, content = body["msg_type"], body.get("content")
    if kind == "interactive":
        return _card_ok(body.get("card"))
    if kind == "post":
        return isinstance(content, dict) and _post_ok(content.get("post"))
    if kind == "text":
        return isinstance(content, dict) and bool(content.get("text"))
    return isinstance(content, dict)


def _app_shape_ok(kind: str, content: Any) -> bool:
    if kind == "interactive":
        return _card_ok(content)
    if kind == "post":
        return _post_ok(content)
    return isinstance(content, dict) and isinstance(content.get("text"), str) and bool(content)
