"""Feishu / Lark app bot: a self-built app sends to a chat or user through lark-oapi.

Wire (lark-oapi 1.7.5, ``core/token/manager.py``, ``api/im/v1/resource/message.py``):

1. ``POST {domain}/open-apis/auth/v3/tenant_access_token/internal`` {app_id, app_secret}
   -> ``tenant_access_token`` (7200 s; the SDK caches it process-wide until 10 min before).
2. ``POST {domain}/open-apis/im/v1/messages?receive_id_type=chat_id`` with
   ``Authorization: Bearer t-…`` and {receive_id, msg_type, content (a JSON string), uuid}.

The SDK fetches the token with blocking ``requests`` even from its async ``acreate``, so
the whole call runs in a worker thread (``asyncio.to_thread``) to keep the loop free.
Errors come as JSON ``code``s, usually with HTTP 400 (429 for the gateway's rate limit).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from channels.base import Channel, Message, Outcome, Part, Problem, Result, Setting
from channels.feishu.common import (
    COLORS,
    FEISHU_HOST,
    FORMATS,
    MAX_CARD_ENTRIES,
    content_for,
    origin_problem,
    pack_message,
)
from channels.ratelimit import Window

if TYPE_CHECKING:
    import asyncio

RECEIVE_ID_TYPES = ("chat_id", "open_id", "user_id", "union_id", "email")
# "文本消息请求体最大不能超过150KB；卡片及富文本消息请求体最大不能超过30KB" (im/v1 message
# create, ``content``; error 230025). Counted on the whole JSON body, as the SDK encodes it.
MAX_BODY = {"text": 150_000, "post": 30_000, "interactive": 30_000}

# Codes (im/v1 message create error table; "Rate limits" doc for 99991400).
RATE_CODES = frozenset({99991400, 230020, 230049})  # gateway limit, chat limit, "being sent"
GONE_CODES = frozenset({230002, 230029, 230053})  # bot not in chat, user left, user blocked bot
TOKEN_CODES = frozenset({99991663, 99991668})  # invalid/expired tenant_access_token


def classify(status: int, headers: Mapping[str, str], data: Any) -> tuple[Outcome, str, str]:
    """Return (outcome, code, detail) for an im/v1 answer (``data`` is the parsed body)."""
    code = data.get("code") if isinstance(data, dict) else None
    msg = str(data.get("msg") or "") if isinstance(data, dict) else ""
    if code == 0 and status < 400:
        return Outcome.SENT, "0", str((data.get("data") or {}).get("message_id") or "")
    if code in RATE_CODES or status == 429:
        return Outcome.RETRY, str(code if code is not None else f"http_{status}"), msg
    if code is None or status >= 500:
        transient = status >= 500 or status == 408
        label = f"http_{status}" if code is None else str(code)
        return (Outcome.RETRY if transient else Outcome.FAILED), label, msg
    if code in GONE_CODES:
        return Outcome.GONE, str(code), msg
    return Outcome.FAILED, str(code), msg


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``x-ogw-ratelimit-reset`` (the gateway's limit answer), if any."""
    for key, value in headers.items():
        if key.lower() == "x-ogw-ratelimit-reset":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


class FeishuAppChannel(Channel):
    """Send as a Feishu/Lark self-built app bot to one chat or user."""

    type = "feishu_app"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("app_id", required=True, help="the app's App ID (cli_…)"),
        Setting("app_secret", required=True, secret=True, help="the app's App Secret"),
        Setting("receive_id", required=True, help="where to send: chat id (oc_…) or user id"),
        Setting("receive_id_type", default="chat_id", choices=RECEIVE_ID_TYPES),
        Setting("format", default="interactive", choices=FORMATS, help="message type"),
        Setting("color", default="blue", choices=COLORS, help="card header colour"),
        Setting("domain", default=FEISHU_HOST, help="API origin; Lark: open.larksuite.com"),
        Setting("timeout", kind=float, default=10.0, help="seconds per request"),
    )
    # "5 QPS to the same user; 5 QPS per group shared by all bots in it" (im/v1 message
    # create, 频率限制). The app-wide 50/s and 1000/min span every target of the app.
    windows: ClassVar[tuple[Window, ...]] = (Window(5, 1.0),)

    def __init__(self, name: str, settings: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(name, settings, **kwargs)
        self._build = content_for(self.options["format"], self.options["color"])
        self._lark: Any = None
        self._lock = threading.Lock()

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        problem = origin_problem("domain", values["domain"])
        return [("domain", problem)] if problem else []

    # -- rendering

    def _body(self, title: str, text: str, entries: Any) -> dict[str, Any]:
        fmt = self.options["format"]
        content = json.dumps(self._build(title, text, entries), ensure_ascii=False)
        rid = self.options["receive_id"]
        # Same content, same uuid: a retry after a timeout that did go through is dropped
        # by Feishu ("持有相同uuid的请求1小时内至多成功发送一条消息"; max 50 chars).
        uuid = hashlib.sha256(f"{rid}\n{fmt}\n{content}".encode()).hexdigest()[:32]
        return {"receive_id": rid, "msg_type": fmt, "content": content, "uuid": uuid}

    @staticmethod
    def _size(body: dict[str, Any]) -> int:
        # lark-oapi's JSON.marshal: json.dumps(ensure_ascii=False), default separators.
        return len(json.dumps(body, ensure_ascii=False).encode())

    def render(self, message: Message) -> list[Part]:
        fmt = self.options["format"]
        cap = MAX_CARD_ENTRIES if fmt == "interactive" else 10_000
        return pack_message(message, self._body, self._size, MAX_BODY[fmt], cap)

    # -- delivery

    async def deliver(self, payload: Any) -> Result:
        import asyncio

        if self._lark is None:
            await asyncio.to_thread(self._client, asyncio.get_running_loop())
        return await asyncio.to_thread(self._deliver_blocking, payload)

    def _client(self, loop: asyncio.AbstractEventLoop | None = None) -> Any:
        import asyncio

        with self._lock:
            if self._lark is None:
                # Importing lark_oapi runs asyncio.get_event_loop() (lark_oapi/ws/client.py);
                # in a worker thread that creates, and leaks, a new loop. Lend it ours, as
                # if imported on the loop's own thread.
                if loop is not None:
                    asyncio.set_event_loop(loop)
                try:
                    import lark_oapi as lark
                finally:
                    if loop is not None:
                        asyncio.set_event_loop(None)
                self._lark = (
                    lark.Client.builder()
                    .app_id(self.options["app_id"])
                    .app_secret(self.options["app_secret"])
                    .domain(self.options["domain"].rstrip("/"))
                    .timeout(self.options["timeout"])
                    .log_level(lark.LogLevel.ERROR)
                    .build()
                )
            return self._lark

    def _deliver_blocking(self, payload: dict[str, Any]) -> Result:
        import requests
        from lark_oapi.core.exception import ObtainAccessTokenException

        for attempt in (1, 2):
            try:
                status, headers, data = self._post(payload)
            except ObtainAccessTokenException as exc:  # the token fetch answered an error
                outcome = Outcome.RETRY if exc.code in RATE_CODES else Outcome.FAILED
                detail = self._scrub(f"tenant_access_token: {exc.msg}")
                return Result(outcome, self.name, code=str(exc.code), detail=detail)
            except requests.Timeout as exc:
                return Result(Outcome.RETRY, self.name, code="timeout", detail=type(exc).__name__)
            except requests.RequestException as exc:
                return Result(Outcome.RETRY, self.name, code="network", detail=self._scrub(exc))
            except ValueError as exc:  # a non-JSON answer claimed JSON (gateway error page)
                return Result(Outcome.RETRY, self.name, code="bad_answer", detail=self._scrub(exc))
            code = data.get("code") if isinstance(data, dict) else None
            if code in TOKEN_CODES and attempt == 1:
                self._forget_token()  # expired or revoked early: fetch a new one, once
                continue
            break
        outcome, code_s, detail = classify(status, headers, data)
        wait = retry_after(headers) if outcome is Outcome.RETRY else None
        return Result(
            outcome, self.name, code=code_s, detail=self._scrub(detail), retry_after=wait
        )

    def _post(self, payload: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        from lark_oapi.api.im.v1 import CreateMessageRequest, CreateMessageRequestBody
        from lark_oapi.core.model import RequestOption

        body = (
            CreateMessageRequestBody.builder()
            .receive_id(payload["receive_id"])
            .msg_type(payload["msg_type"])
            .content(payload["content"])
            .uuid(payload["uuid"])
            .build()
        )
        request = (
            CreateMessageRequest.builder()
            .receive_id_type(self.options["receive_id_type"])
            .request_body(body)
            .build()
        )
        option = RequestOption.builder().headers(
            {"Content-Type": "application/json; charset=utf-8"}
        )
        # Client.request (not message.create) keeps the status of a non-JSON answer.
        raw = self._client().request(request, option.build()).raw
        try:
            data = json.loads(raw.content) if raw.content else None
        except ValueError:
            data = None
        return raw.status_code, dict(raw.headers or {}), data

    def _forget_token(self) -> None:
        from lark_oapi.core.token.manager import TokenManager

        # The SDK's cache key for a self-built app's tenant token (core/token/manager.py).
        TokenManager.cache.set(f"self_tenant_token:{self.options['app_id']}", "", 0)

    def _scrub(self, text: object) -> str:
        out = f"{type(text).__name__}: {text}" if isinstance(text, Exception) else str(text)
        secret = self.options["app_secret"]
        return (out.replace(secret, "***") if secret else out)[:500]
