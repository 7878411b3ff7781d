"""DingTalk custom robot (自定义机器人) webhook: markdown or actionCard, optionally signed.

Protocol (reference channel-protocols.md §3; [doc] = copies of DingTalk's robot pages,
[3p] = consistent third-party reports):

- ``POST {webhook}`` (``https://oapi.dingtalk.com/robot/send?access_token=…``), JSON in UTF-8.
- Signing (加签): ``timestamp`` (ms) and ``sign`` = Base64(HMAC-SHA256(key=secret,
  msg=f"{ts}\\n{secret}")) go in the *query string*, URL-encoded; ±1 hour [doc].
- Custom keywords (自定义关键词): every message must contain one, else 310000 [doc].
- Every answer is HTTP 200 ``{"errcode": N, "errmsg": "…"}``, 0 meaning sent [3p].
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from channels._robot import (
    DINGTALK,
    RobotChannel,
    Sizes,
    clean,
    encode,
    entry_block,
    inline,
    json_len,
    markdown,
    pack_entries,
    plain,
    webhook_problems,
)
from channels.base import Entry, Message, Outcome, Part, Problem, Result, Setting
from channels.ratelimit import Window
from channels.render import cut, safe_url

if TYPE_CHECKING:  # imported on first request: `notifier check` never loads httpx
    import httpx

_EXAMPLE = "https://oapi.dingtalk.com/robot/send?access_token=…"

#: Rate-limit answers: 130101 "send too fast, exceed 20 times per minute" (Aliyun table, [3p]);
#: 410100 is the newer docs' name for it.
_THROTTLED = {130101, 410100}
#: The robot or its group is gone for good [3p]: disable the target.
_GONE = {
    400013: "the group was dissolved",
    400102: "the robot was stopped",
    400106: "the robot does not exist",
}
#: "token is not exist". FAILED, not GONE: it is mostly a wrong or truncated access_token
#: (n8n-nodes-dingtalk#23, aliyundrive-subscribe#229) or an external group (300005,
#: prometheus-webhook-dingtalk#226, where a working robot also got it now and then), so
#: disabling the target would silence robots that work; each send reports it instead.
_BAD_TOKEN = {300001, 300005, 400101}
#: 310000 is every security check; the errmsg says which one [3p].
_SECURITY_ADVICE = {
    "keywords not in content": "the robot has custom keywords: list them in this channel's "
    "`keywords` setting so that every message carries one",
    "sign not match": "check `secret` (the robot's SEC… signing secret)",
    "invalid timestamp": "this host's clock is more than an hour off",
    "whitelist": "add this host's public IP to the robot's IP allow-list",
}
#: After 130101 the robot stays locked for 10 minutes [doc, old page].
_LOCKOUT = 600.0


class DingTalkChannel(RobotChannel):
    """Post digests to a DingTalk group through a custom robot."""

    type = "dingtalk"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("webhook", required=True, secret=True, help=f"the robot's URL, {_EXAMPLE}"),
        Setting("secret", secret=True, help="the SEC… secret when the robot signs (加签)"),
        Setting("format", default="markdown", choices=("markdown", "actionCard")),
        Setting("keywords", kind=list, default=(), help="the robot's custom keywords, if any"),
        Setting("timeout", kind=float, default=10.0, help="seconds per request"),
    )
    # 20 messages a minute per robot, and the 21st locks it for 10 minutes [doc]. (The
    # limiter widens the window by `timeout`: see RobotChannel.__init__.)
    windows: ClassVar[tuple[Window, ...]] = (Window(20, 60.0),)
    #: DingTalk rejects a request body over 20000 bytes (apprise dingtalk.py, [3p]); the
    #: whole JSON body is measured, as sent.
    max_body: ClassVar[int] = 20_000
    #: Buttons (entries) per actionCard: our choice, a longer column is unreadable.
    card_buttons: ClassVar[int] = 5
    #: Code points of the ``title`` field (the notification preview) and of a button.
    title_chars: ClassVar[int] = 64
    button_chars: ClassVar[int] = 30

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any],
        *,
        client: httpx.AsyncClient | None = None,
        wall: Callable[[], float] = time.time,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, settings, client=client, **kwargs)
        self._wall = wall

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        problems = webhook_problems(values, "access_token", _EXAMPLE)
        if not all(isinstance(k, str) and k for k in values["keywords"]):
            problems.append(("keywords", "setting 'keywords' must be a list of words"))
        return problems

    # -- rendering ---------------------------------------------------------------------------

    def render(self, message: Message) -> list[Part]:
        if not (message.entries or clean(message.text) or clean(message.title)):
            return []
        heading, title = self._titles(message)
        # Free text goes in the first payload; never let it crowd the entries out.
        text = cut(message.text, self.max_body // 2, json_len)

        def build(entries: Sequence[Entry], start: int, first: bool) -> dict[str, Any]:
            return self._payload(entries, start, heading, title, text if first else "")

        def fits(entries: Sequence[Entry], start: int, first: bool) -> bool:
            return len(encode(build(entries, start, first))) <= self.max_body

        if not message.entries:
            return [Part(build([], 0, True), 0)]
        if self.options["format"] == "actionCard":  # a few entries a card: fits alone is cheap
            groups = pack_entries(message.entries, fits, max_count=self.card_buttons)
        else:
            groups = pack_entries(message.entries, fits, sizes=self._sizes(build))
        return [Part(build(es, start, i == 0), len(es)) for i, (start, es) in enumerate(groups)]

    def _sizes(self, build: Callable[[Sequence[Entry], int, bool], dict[str, Any]]) -> Sizes:
        """Bytes of a markdown payload: the JSON without entries, plus each entry's block."""
        sep = json_len("\n\n")

        def room(start: int, first: bool) -> int:
            empty = build([], start, first)
            return self.max_body - len(encode(empty)) + (0 if empty["markdown"]["text"] else sep)

        def entry(e: Entry, index: int) -> int:
            return sep + json_len(entry_block(e, index + 1, DINGTALK))

        return Sizes(room, entry)

    def _titles(self, message: Message) -> tuple[str, str]:
        """The heading line (markdown) and the ``title`` field, each with a keyword if set."""
        keywords: list[str] = list(self.options["keywords"] or ())
        heading = inline(cut(clean(message.title), self.title_chars))
        if keywords and not any(k in heading for k in keywords):
            heading = f"{keywords[0]} {heading}".strip()  # raw: the robot matches it verbatim
        fallback = message.entries[0].title if message.entries else ""
        title = plain(cut(clean(message.title or fallback), self.title_chars)) or "notifier"
        if keywords and not any(k in title for k in keywords):
            title = f"{keywords[0]} {title}"
        return heading, title

    def _payload(
        self, entries: Sequence[Entry], start: int, heading: str, title: str, text: str
    ) -> dict[str, Any]:
        body = markdown(entries, start, DINGTALK, heading=heading, text=text)
        if self.options["format"] != "actionCard":
            return {"msgtype": "markdown", "markdown": {"title": title, "text": body}}
        buttons = [
            {"title": cut(f"{start + i + 1}. {plain(e.title)}", self.button_chars), "actionURL": u}
            for i, e in enumerate(entries)
            if (u := safe_url(e.url))
        ]
        if buttons:
            card = {"title": title, "text": body, "btnOrientation": "0", "btns": buttons}
            return {"msgtype": "actionCard", "actionCard": card}
        return {"msgtype": "markdown", "markdown": {"title": title, "text": body}}

    # -- sending -----------------------------------------------------------------------------

    def signed_url(self) -> httpx.URL:
        """The webhook URL, with ``timestamp`` and ``sign`` when a secret is set."""
        import httpx

        url = httpx.URL(self.options["webhook"].strip())
        secret: str | None = self.options["secret"]
        if not secret:
            return url
        timestamp = str(round(self._wall() * 1000))
        digest = hmac.new(
            secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256
        ).digest()
        # httpx percent-encodes the Base64 (+ / =) in the query: the "urlEncode" step.
        sign = base64.b64encode(digest).decode()
        return url.copy_merge_params({"timestamp": timestamp, "sign": sign})

    async def deliver(self, payload: Any) -> Result:
        answer = await self.post(self.signed_url(), payload)
        return answer if isinstance(answer, Result) else self.classify(answer)

    def classify(self, body: Mapping[str, Any]) -> Result:
        """Read DingTalk's answer (always HTTP 200, errcode inside)."""
        message = str(body.get("errmsg", "")).split(", more:")[0].strip()
        if body.get("status") == 1111 or body.get("punish"):
            # A gateway wrapper seen when throttled: {"status":1111,"wait":5,"punish":"deny"}.
            wait = body.get("wait")
            wait = max(60.0, float(wait) if isinstance(wait, int | float) else 0.0)
            detail = "throttled by the gateway"
            return self.result(Outcome.RETRY, code="1111", detail=detail, retry_after=wait)
        try:
            code = int(body["errcode"])
        except (KeyError, TypeError, ValueError):
            return self.result(Outcome.FAILED, detail="the answer has no errcode")
        if code == 0:
            return self.result(Outcome.SENT, detail=message or "ok")
        fields: dict[str, Any] = {"code": str(code), "detail": message or "no errmsg"}
        if code in _THROTTLED:
            fields["detail"] += " (the robot is locked for 10 minutes)"
            return self.result(Outcome.RETRY, retry_after=_LOCKOUT, **fields)
        if code == -1:  # 系统繁忙, system busy: retry a few times
            return self.result(Outcome.RETRY, **fields)
        if code in _GONE:
            fields["detail"] += f" ({_GONE[code]})"
            return self.result(Outcome.GONE, **fields)
        if code in _BAD_TOKEN:
            fields["detail"] += " (check the access_token of `webhook`)"
        elif code == 310000:
            advice = next((a for k, a in _SECURITY_ADVICE.items() if k in message), None)
            if advice:
                fields["detail"] += f": {advice}"
        return self.result(Outcome.FAILED, **fields)
