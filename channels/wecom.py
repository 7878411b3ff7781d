"""WeCom (企业微信) group robot webhook: markdown, markdown_v2, text or news.

Protocol (reference channel-protocols.md §4, checked against a 2025-08 transcription of
developer.work.weixin.qq.com/document/path/91770 and the error-code page 96213):

- ``POST {webhook}`` (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``), JSON in
  UTF-8; the key is the only credential (no signing).
- Limits, in UTF-8 bytes of ``content``: text 2048, markdown and markdown_v2 4096; news takes
  1–8 articles, title ≤ 128 bytes and description ≤ 512 bytes (longer ones are truncated).
- 20 messages a minute per robot, failed ones included; then 45009.
- Every answer is HTTP 200 ``{"errcode": N, "errmsg": "…, hint: [...] …"}``, 0 meaning sent.
  Match on errcode only: the docs warn that errmsg changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from channels._robot import (
    WECOM,
    WECOM_V2,
    RobotChannel,
    Sizes,
    clean,
    entry_block,
    inline,
    markdown,
    meta,
    pack_entries,
    plain,
    webhook_problems,
)
from channels.base import Entry, Message, Outcome, Part, Problem, Result, Setting
from channels.ratelimit import Window
from channels.render import cut, safe_url, utf8_len

_EXAMPLE = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
#: errmsg ends in ", hint: [1708…], from ip: …, more info at https://…" (real answers, [3p]).
_HINT = re.compile(r"[\s,.;]*\bhint:.*$", re.DOTALL)
#: 45009 freq limit; 45033 concurrency; -1 busy (retry at most 3 times, per the docs).
_RETRY = {45009, 45033, -1}
#: 93000 "invalid webhook url": the key is wrong or the robot was removed from the group.
_GONE = 93000


class WeComChannel(RobotChannel):
    """Post digests to a WeCom group through its robot (消息推送)."""

    type = "wecom"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("webhook", required=True, secret=True, help=f"the robot's URL, {_EXAMPLE}"),
        Setting("format", default="markdown", choices=("markdown", "markdown_v2", "text", "news")),
        Setting("timeout", kind=float, default=10.0, help="seconds per request"),
    )
    # 20 messages a minute per robot, failures included [doc]. (The limiter widens the
    # window by `timeout`: see RobotChannel.__init__.)
    windows: ClassVar[tuple[Window, ...]] = (Window(20, 60.0),)
    #: UTF-8 bytes of ``content`` per msgtype [doc]. (Real servers answer "text.content exceed
    #: max length 5120" [3p]; the documented 2048 is the safe one.)
    limits: ClassVar[Mapping[str, int]] = {"markdown": 4096, "markdown_v2": 4096, "text": 2048}
    #: news: 1–8 articles; title ≤ 128 and description ≤ 512 bytes [doc].
    news_articles: ClassVar[int] = 8
    news_title: ClassVar[int] = 128
    news_description: ClassVar[int] = 512

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        return webhook_problems(values, "key", _EXAMPLE)

    # -- rendering ---------------------------------------------------------------------------

    def render(self, message: Message) -> list[Part]:
        if not (message.entries or clean(message.text) or clean(message.title)):
            return []
        fmt = self.options["format"]
        if fmt != "news":
            return self._content(fmt, message.entries, 0, message.title, message.text)
        # news has no room for a heading or free text: they go first, as markdown.
        parts: list[Part] = []
        if clean(message.text):
            parts = self._content("markdown", (), 0, message.title, message.text)
        # Articles need a link: a run of entries without one is sent as markdown, in order.
        run: list[Entry] = []
        for index, entry in enumerate([*message.entries, None]):
            linked = entry is not None and safe_url(entry.url) is not None
            if run and (entry is None or linked != (safe_url(run[0].url) is not None)):
                first = index - len(run)
                if safe_url(run[0].url):
                    parts += self._news(run)
                else:
                    parts += self._content("markdown", run, first, "", "")
                run = []
            if entry is not None:
                run.append(entry)
        return parts

    def _content(
        self, fmt: str, entries: Sequence[Entry], offset: int, title: str, text: str
    ) -> list[Part]:
        """markdown, markdown_v2 or text payloads; entry numbers start after ``offset``."""
        limit = self.limits[fmt]
        text = cut(text, limit // 2, utf8_len)  # free text never crowds the entries out

        def build(es: Sequence[Entry], start: int, first: bool) -> dict[str, Any]:
            extra = text if first else ""
            if fmt == "text":
                content = _text(es, offset + start, title, extra)
            else:
                dialect = WECOM if fmt == "markdown" else WECOM_V2
                heading = inline(cut(clean(title), 64))
                content = markdown(es, offset + start, dialect, heading=heading, text=extra)
            return {"msgtype": fmt, fmt: {"content": content}}

        def fits(es: Sequence[Entry], start: int, first: bool) -> bool:
            return utf8_len(build(es, start, first)[fmt]["content"]) <= limit

        def room(start: int, first: bool) -> int:
            empty = build((), start, first)[fmt]["content"]
            return limit - utf8_len(empty) + (0 if empty else 2)  # 2: the "\n\n" before

        def entry(e: Entry, index: int) -> int:
            number = offset + index + 1
            if fmt == "text":
                return 2 + utf8_len(_text_block(e, number))
            return 2 + utf8_len(entry_block(e, number, WECOM if fmt == "markdown" else WECOM_V2))

        if not entries:
            return [Part(build((), 0, True), 0)]
        groups = pack_entries(entries, fits, sizes=Sizes(room, entry))
        return [Part(build(es, start, i == 0), len(es)) for i, (start, es) in enumerate(groups)]

    def _news(self, entries: Sequence[Entry]) -> list[Part]:
        """news payloads of at most 8 articles, one per (linked) entry."""
        articles = [self._article(e) for e in entries]
        step = self.news_articles
        return [
            Part({"msgtype": "news", "news": {"articles": articles[i : i + step]}}, len(chunk))
            for i in range(0, len(articles), step)
            if (chunk := articles[i : i + step])
        ]

    def _article(self, entry: Entry) -> dict[str, str]:
        article = {
            "title": cut(plain(entry.title) or "…", self.news_title, utf8_len),
            "url": safe_url(entry.url) or "",
        }
        description = "\n".join(x for x in (plain(entry.summary), plain(meta(entry))) if x)
        if description:
            article["description"] = cut(description, self.news_description, utf8_len)
        return article

    # -- sending -----------------------------------------------------------------------------

    async def deliver(self, payload: Any) -> Result:
        answer = await self.post(self.options["webhook"].strip(), payload)
        return answer if isinstance(answer, Result) else self.classify(answer)

    def classify(self, body: Mapping[str, Any]) -> Result:
        """Read WeCom's answer (HTTP 200, errcode inside)."""
        detail = _HINT.sub("", str(body.get("errmsg", ""))).strip() or "no errmsg"
        try:
            code = int(body["errcode"])
        except (KeyError, TypeError, ValueError):
            return self.result(Outcome.FAILED, detail="the answer has no errcode")
        if code == 0:
            return self.result(Outcome.SENT, detail=detail)
        if code == 45009:  # a rolling minute: the oldest send leaves it within 60 s
            return self.result(Outcome.RETRY, code="45009", detail=detail, retry_after=60.0)
        if code in _RETRY:
            return self.result(Outcome.RETRY, code=str(code), detail=detail)
        if code == _GONE:
            detail += " (the key is wrong or the robot was removed from the group)"
            return self.result(Outcome.GONE, code=str(code), detail=detail)
        return self.result(Outcome.FAILED, code=str(code), detail=detail)


def _text(entries: Sequence[Entry], start: int, title: str, text: str) -> str:
    """A plain-text message: links stay bare URLs, which the client makes clickable."""
    blocks = [plain(cut(clean(title), 64))] if clean(title) else []
    if lines := [plain(line) for line in text.splitlines() if line.strip()]:
        blocks.append("\n".join(lines))
    blocks += [_text_block(entry, i) for i, entry in enumerate(entries, start + 1)]
    return "\n\n".join(blocks)


def _text_block(entry: Entry, number: int) -> str:
    """One entry of a text message: numbered title, summary, meta, bare link."""
    lines = [f"{number}. {plain(entry.title) or '…'}", plain(entry.summary), plain(meta(entry))]
    lines.append(safe_url(entry.url) or "")
    return "\n".join(x for x in lines if x)
