"""Feishu / Lark custom group bot, through its webhook.

Protocol (official guide "自定义机器人使用指南",
open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):

- ``POST https://open.feishu.cn/open-apis/bot/v2/hook/<token>`` (Lark: open.larksuite.com)
  with ``{"msg_type": ..., "card"|"content": ...}``; with signing on, ``timestamp`` (seconds,
  a string) and ``sign`` = Base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")) go in
  the JSON body too.
- The answer is HTTP 200 in practice with a business ``code`` (0 = sent), so the body is
  always read: 19021 bad sign, 19024 keyword missing, 19001 bad token, 9499 bad request
  (or over 20 KB), 11232 frequency limited.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from channels._logs import HOOK_PATH, redact_httpx_logs
from channels.base import Channel, Entry, Message, Outcome, Part, Problem, Result, Setting
from channels.feishu.common import (
    COLORS,
    FEISHU_HOST,
    FORMATS,
    LARK_HOST,
    MAX_CARD_ENTRIES,
    content_for,
    json_bytes,
    origin_problem,
    pack_message,
)
from channels.ratelimit import Window

if TYPE_CHECKING:  # imported on first request: `notifier check` never loads httpx
    import httpx

# --- answers ---------------------------------------------------------------------------

RATE_CODES = frozenset({11232})  # "frequency limited" (HTTP 200)
_HINTS = {
    19021: "check the signing secret and this machine's clock (±1 h)",
    19022: "this machine's IP is not in the bot's allow-list",
    19024: "the message lacks every keyword the bot requires; put one in the title",
    19001: "the webhook token is wrong, or the bot was removed from the group",
}


def sign(timestamp: str, secret: str) -> str:
    """Feishu's webhook signature: HMAC-SHA256 of an empty message, keyed by ts\\nsecret."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, digestmod=hashlib.sha256).digest()).decode()


def classify_hook(status: int, body: bytes) -> tuple[Outcome, str, str]:
    """Return (outcome, code, detail) of a webhook answer."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        transient = status >= 500 or status in (408, 429)
        return (Outcome.RETRY if transient else Outcome.FAILED), f"http_{status}", ""
    code = data.get("code", data.get("StatusCode"))  # old deployments: StatusCode only
    msg = str(data.get("msg") or data.get("StatusMessage") or "")
    if code is None:
        return (Outcome.RETRY if status >= 500 else Outcome.FAILED), f"http_{status}", msg
    if code == 0 and status < 400:
        return Outcome.SENT, "0", msg
    lowered = msg.lower()
    # 9499 "too many request" was seen with HTTP 400 (ccfos/nightingale#1437).
    if code in RATE_CODES or status == 429 or "frequency" in lowered or "too many" in lowered:
        return Outcome.RETRY, str(code), msg
    if status >= 500:
        return Outcome.RETRY, str(code), msg
    hint = _HINTS.get(code) if isinstance(code, int) else None
    return Outcome.FAILED, str(code), f"{msg} ({hint})" if hint else msg


# --- the webhook channel ---------------------------------------------------------------


def _hook_settings(host: str) -> tuple[Setting, ...]:
    return (
        Setting("webhook", required=True, secret=True,
                help=f"the bot's webhook URL ({host}{HOOK_PATH}…) or just its token"),
        Setting("secret", secret=True, help="signing secret (签名校验), if the bot has one"),
        Setting("format", default="interactive", choices=FORMATS, help="message type"),
        Setting("color", default="blue", choices=COLORS, help="card header colour"),
        Setting("host", default=host, help="API origin used when webhook is a bare token"),
        Setting("timeout", kind=float, default=10.0, help="seconds per request"),
    )  # fmt: skip


class FeishuChannel(Channel):
    """A Feishu custom group bot, through its webhook."""

    type = "feishu"
    settings: ClassVar[tuple[Setting, ...]] = _hook_settings(FEISHU_HOST)
    # "100 次/分钟，5 次/秒" per bot per tenant (custom bot guide, 频率控制).
    windows: ClassVar[tuple[Window, ...]] = (Window(5, 1.0), Window(100, 60.0))
    # "请求体的数据大小不能超过 20 KB" (custom bot guide): JSON body bytes; 20 000 is the
    # stricter reading of "20 KB".
    max_body: ClassVar[int] = 20_000

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any],
        *,
        client: httpx.AsyncClient | None = None,
        wall: Callable[[], float] = time.time,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, settings, **kwargs)
        hook = self.options["webhook"].strip()
        self._url = hook if "://" in hook else self.options["host"].rstrip("/") + HOOK_PATH + hook
        self._secret: str | None = self.options["secret"]
        self._client = client
        self._own_client = client is None
        self._wall = wall
        self._build = content_for(self.options["format"], self.options["color"])
        redact_httpx_logs()  # httpx logs each request URL, token included, at INFO

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        hook = str(values.get("webhook") or "").strip()
        if "://" in hook:
            problem = origin_problem("webhook", hook)
            if not problem and HOOK_PATH not in hook:
                problem = f"setting 'webhook' must contain {HOOK_PATH}<token>"
            return [("webhook", problem)] if problem else []
        if not re.fullmatch(r"[A-Za-z0-9_-]+", hook):
            return [
                (
                    "webhook",
                    "setting 'webhook' must be a URL or a bare token (letters, digits, -, _)",
                )
            ]
        problem = origin_problem("host", str(values.get("host")))
        return [("host", problem)] if problem else []

    # -- rendering

    def _wrap(self, title: str, text: str, entries: Sequence[Entry]) -> dict[str, Any]:
        fmt = self.options["format"]
        content = self._build(title, text, entries)
        if fmt == "interactive":
            return {"msg_type": "interactive", "card": content}  # card is top-level
        if fmt == "post":
            return {"msg_type": "post", "content": {"post": content}}
        return {"msg_type": "text", "content": content}

    def _size(self, body: dict[str, Any]) -> int:
        if self._secret:  # the signature fields are added at send time: same lengths
            body = {**body, "timestamp": "1700000000", "sign": "A" * 44}
        return len(json_bytes(body))

    def render(self, message: Message) -> list[Part]:
        cap = MAX_CARD_ENTRIES if self.options["format"] == "interactive" else 10_000
        return pack_message(message, self._wrap, self._size, self.max_body, cap)

    # -- delivery

    def _http(self) -> httpx.AsyncClient:
        import httpx

        if self._client is None:
            self._client = httpx.AsyncClient()
        return self._client

    async def deliver(self, payload: Any) -> Result:
        import httpx

        body = dict(payload)
        if self._secret:
            ts = str(int(self._wall()))
            body["timestamp"], body["sign"] = ts, sign(ts, self._secret)
        try:
            resp = await self._http().post(
                self._url,
                content=json_bytes(body),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=self.options["timeout"],
            )
        except httpx.TimeoutException as exc:
            return Result(Outcome.RETRY, self.name, code="timeout", detail=type(exc).__name__)
        except httpx.HTTPError as exc:  # connection refused, reset, TLS, ...
            return Result(Outcome.RETRY, self.name, code="network", detail=self._scrub(exc))
        outcome, code, detail = classify_hook(resp.status_code, resp.content)
        return Result(outcome, self.name, code=code, detail=self._scrub(detail))

    def _scrub(self, text: object) -> str:
        """``text`` without the webhook URL, its token or the secret."""
        out = f"{type(text).__name__}: {text}" if isinstance(text, Exception) else str(text)
        token = self._url.rsplit("/", 1)[-1]
        for secret in (self._url, token, self._secret):
            if secret:
                out = out.replace(secret, "***")
        return out[:500]

    async def aclose(self) -> None:
        if self._client is not None and self._own_client:
            await self._client.aclose()
        self._client = None


class LarkChannel(FeishuChannel):
    """The same custom bot on Lark (international): only the default host differs."""

    type = "lark"
    settings: ClassVar[tuple[Setting, ...]] = _hook_settings(LARK_HOST)
