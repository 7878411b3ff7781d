"""Apprise sizes each message in the unit its service counts (issue 13, item 9).

ntfy counts the message body in UTF-8 bytes (4096 by default); Apprise's ntfy plugin turns a
JSON request over 8000 characters (``\\uXXXX`` escapes included) into an attachment upload,
which a server without ``attachment-cache-dir`` refuses with 400 40014. The fake ntfy server
enforces both, like the real one.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from channels.apprise_channel import AppriseChannel
from channels.apprise_sizes import LIMITS, utf16_len
from channels.base import Entry, Message, Outcome
from channels.ntfy._text import entry_text
from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import FakeClock, Recorded, record, serve


def chinese_batch(n: int = 20) -> tuple[Entry, ...]:
    """A day of Chinese AI news: ~650 bytes an item as text, ~13 KB for 20."""
    return tuple(
        Entry(
            f"第{i}条：国产大模型厂商发布新一代推理模型，性能对标国际领先水平",
            f"https://news.example.cn/2025/12/01/{i:04d}.html",
            summary="据报道，该模型在数学、代码与长文本理解等多项基准测试中取得显著提升，"
            "推理成本较上一代下降约一半，并将向开发者开放接口与开源权重。"
            * 2
            + "分析人士认为，这将进一步加剧行业价格竞争并推动应用落地。",
            source="36氪",
            score=6.5,
            rule="国产模型",
        )
        for i in range(n)
    )


def item_numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"第(\d+)条", text)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make(clock: FakeClock, *urls: str) -> AppriseChannel:
    return AppriseChannel(
        "extra", {"urls": list(urls)}, clock=clock, sleep=clock.sleep, throttle=False
    )


def ntfy_url(fake: FakeNtfy, topic: str = "alerts", query: str = "") -> str:
    return fake.url.replace("http://", "ntfy://") + f"/{topic}" + query


def test_the_batch_is_the_one_of_the_issue() -> None:
    size = sum(len(entry_text(e).encode()) for e in chinese_batch())
    assert 12_000 <= size <= 14_000


@pytest.mark.parametrize("query", ["", "?format=markdown"])
async def test_a_chinese_batch_reaches_ntfy_in_messages_of_at_most_4096_bytes(
    clock: FakeClock, query: str
) -> None:
    async with FakeNtfy(clock=clock, attachments=False) as fake:
        channel = make(clock, ntfy_url(fake, query=query))
        result = await channel.send(Message(chinese_batch()))
        await channel.aclose()

    assert (result.outcome, result.sent_entries) == (Outcome.SENT, 20)
    assert fake.errors == []  # no attachment upload refused, nothing retried
    assert len(fake.messages) == result.sent_parts > 1
    seen: list[int] = []
    for stored in fake.messages:
        assert "attachment" not in stored
        assert len(stored["message"].encode()) <= 4096
        seen += item_numbers(stored["message"])
    assert seen == list(range(20))  # every item once, whole, in order
    for request in fake.requests:
        assert len(request.body) <= 8000  # Apprise's JSON limit (else an attachment upload)


async def test_with_attachments_on_nothing_becomes_an_attachment(clock: FakeClock) -> None:
    """ntfy.sh takes attachments: a too-big body would arrive as a file, not a message."""
    async with FakeNtfy(clock=clock, attachments=True) as fake:
        channel = make(clock, ntfy_url(fake))
        result = await channel.send(Message(chinese_batch()))
        await channel.aclose()
    assert result.sent_entries == 20
    assert fake.attachments_stored == []


def english_batch(n: int = 20) -> tuple[Entry, ...]:
    return tuple(
        Entry(
            f"Item {i}: a lab ships a new reasoning model",
            f"https://news.example.com/{i}",
            summary="It beats the last one on maths and code, at half the cost. " * 4,
            source="The Verge",
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("batch", "limit", "refusals"),
    [
        # ASCII: the message passes 3000 bytes first (40014); Chinese: the JSON request,
        # 6 characters per \uXXXX, passes 2 x 1500 first (41303, "JSON body too large").
        (english_batch, 3000, {(400, 40014)}),
        (chinese_batch, 1500, {(413, 41303), (400, 40014)}),
    ],
)
async def test_40014_through_apprise_splits_and_retries(
    clock: FakeClock, batch: Any, limit: int, refusals: set[tuple[int, int]]
) -> None:
    """A server with a smaller message-size-limit refuses, then gets smaller messages."""
    async with FakeNtfy(clock=clock, message_limit=limit) as fake:
        channel = make(clock, ntfy_url(fake))
        first = await channel.send(Message(batch()))
        errors_after_first = list(fake.errors)
        second = await channel.send(Message(batch(6)))
        await channel.aclose()

    assert (first.outcome, first.sent_entries) == (Outcome.SENT, 20)
    assert (second.outcome, second.sent_entries) == (Outcome.SENT, 6)
    assert errors_after_first
    assert set(errors_after_first) <= refusals
    assert fake.errors == errors_after_first  # learnt: the second send fits at once
    numbers = [
        int(n) for m in fake.messages for n in re.findall(r"(?:第|Item )(\d+)", m["message"])
    ]
    assert numbers == [*range(20), *range(6)]
    assert all(len(m["message"].encode()) <= limit for m in fake.messages)


async def test_a_url_that_took_the_big_part_does_not_get_it_again(clock: FakeClock) -> None:
    bodies: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        rec: Recorded = await record(request)
        bodies.append(rec.json)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hook)
    async with serve(app) as url, FakeNtfy(clock=clock, message_limit=1500) as fake:
        channel = make(clock, url.replace("http://", "json://") + "/hook", ntfy_url(fake))
        result = await channel.send(Message(chinese_batch()))
        await channel.aclose()
    assert (result.outcome, result.sent_entries) == (Outcome.SENT, 20)
    hooked = [n for b in bodies for n in item_numbers(b["message"])]
    stored = [n for m in fake.messages for n in item_numbers(m["message"])]
    assert hooked == stored == list(range(20))


async def test_40014_that_splitting_cannot_fix_fails_after_a_few_tries(clock: FakeClock) -> None:
    async with FakeNtfy(clock=clock) as fake:
        fake.fail_next(50, kind="attachments")
        channel = make(clock, ntfy_url(fake))
        result = await channel.send(Message(chinese_batch(1)))
        await channel.aclose()
    assert (result.outcome, result.code) == (Outcome.FAILED, "40014")
    assert 2 <= len(fake.requests) <= 8


# -- sizes of other services --------------------------------------------------------------------


class Capture:
    """A fake for the HTTP services below: records JSON or form bodies, answers 200."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            self.bodies.append((await record(request)).json or {})
        else:  # Pushover posts a form
            self.bodies.append(dict(await request.post()))
        return web.json_response({"status": 1, "request": "r", "ok": True})


@pytest.fixture
async def capture() -> AsyncIterator[tuple[Capture, str]]:
    fake = Capture()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    async with serve(app) as url:
        yield fake, url


async def test_discord_gets_at_most_2000_per_message_title_included(
    clock: FakeClock, capture: tuple[Capture, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from apprise.plugins.discord import NotifyDiscord

    fake, url = capture
    monkeypatch.setattr(NotifyDiscord, "notify_url", url + "/api/webhooks")
    channel = make(clock, "discord://1234567890/" + "t" * 64)
    result = await channel.send(Message(chinese_batch()))
    await channel.aclose()
    assert result.sent_entries == 20
    assert len(fake.bodies) == result.sent_parts > 1
    for body in fake.bodies:
        assert utf16_len(body["content"]) <= 2000
    seen = [n for b in fake.bodies for n in item_numbers(b["content"])]
    assert seen == list(range(20))


async def test_an_item_too_big_alone_is_cut_with_an_ellipsis(
    clock: FakeClock, capture: tuple[Capture, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from apprise.plugins.pushover import NotifyPushover

    fake, url = capture
    monkeypatch.setattr(NotifyPushover, "notify_url", url + "/1/messages.json")
    huge = Entry("巨" * 500, "https://example.com/x", summary="长" * 3000, source="s")
    channel = make(clock, "pover://" + "u" * 30 + "@" + "a" * 30)
    result = await channel.send(Message((huge, chinese_batch(1)[0])))
    await channel.aclose()
    assert result.sent_entries == 2
    messages = [b.get("message") or "" for b in fake.bodies]
    assert all(len(m) <= 1024 for m in messages)  # Pushover: 1024 characters
    assert "…" in messages[0]
    assert "长" in messages[0]
    assert item_numbers(messages[-1]) == [0]


def test_the_table_cites_a_source_for_every_service() -> None:
    for scheme, limit in LIMITS.items():
        assert limit.source, scheme
        assert limit.limit is None or limit.limit > 0


def test_json_measure_counts_escapes_like_apprise() -> None:
    from channels.apprise_sizes import json_ascii_len

    for text in ("plain", "中文", "🚀 and \n quotes \"'", "\\back"):
        assert json_ascii_len(text) == len(json.dumps(text)) - 2


@pytest.mark.parametrize(
    ("url", "measure", "limit"),
    [
        # Telegram folds the title into the body: "title\r\n" + body within 4096.
        ("tgram://123456:ABCDEFabcdef1234567890abcdefABCDEF/12345", utf16_len, 4096),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general", utf16_len, 3000),
        # Not in the table: Apprise's body_maxlen (2048) counted in UTF-8 bytes, which is
        # also how WeCom counts.
        ("wecombot://" + "k" * 20, lambda s: len(s.encode()), 2048),
    ],
)
def test_render_sizes_in_the_service_unit(
    clock: FakeClock, url: str, measure: Any, limit: int
) -> None:
    channel = make(clock, url)
    parts = channel.render(Message(chinese_batch()))
    assert len(parts) > 1
    assert sum(p.entries for p in parts) == 20
    plugin = channel._services()[0].plugin  # type: ignore[union-attr]
    folded = plugin.title_maxlen <= 0
    for part in parts:
        body = part.payload.text if channel._format(plugin) == "text" else part.payload.markdown
        title = part.payload.title + "\r\n" if folded else ""
        assert measure(title + body) <= limit
