"""Telegram channel against the local fake Bot API server (tests/fakes/telegram.py)."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from channels import channel_class
from channels.base import Entry, Message, Outcome, Result
from channels.ratelimit import Window
from channels.render import cut
from channels.telegram import TelegramChannel
from channels.telegram.channel import GROUP_WINDOWS, PRIVATE_WINDOWS
from channels.telegram.render import (
    RAW_LIMIT,
    SUMMARY_MAX,
    TEXT_LIMIT,
    measure,
    render_message,
)
from notifier.errors import ConfigError
from tests.fakes.server import FakeClock
from tests.fakes.telegram import (
    BLOCKED_CHAT,
    DEACTIVATED_CHAT,
    DEFAULT_TOKEN,
    KICKED_CHAT,
    MIGRATED_CHAT,
    MIGRATED_TO,
    MISSING_CHAT,
    FakeTelegram,
    ParseError,
    parse_html,
)

CHAT = 42
GROUP = -1001234567890
SECRET_HALF = DEFAULT_TOKEN.partition(":")[2]

ENTRIES = (
    Entry(
        title="OpenAI 发布 GPT-5：推理能力大幅提升",
        url="https://example.com/a?x=1&y=2",
        summary="新模型在数学与代码基准上领先。",
        source="机器之心",
        score=8.5,
        rule="大模型",
        tags=("OpenAI", "GPT-5"),
    ),
    Entry(
        title="Nvidia unveils Blackwell Ultra",
        url="https://example.com/b",
        summary="Shipping in Q3.",
        source="The Verge",
        score=6.0,
        rule="chips",
    ),
)
MESSAGE = Message(entries=ENTRIES, title="AI 日报 2025-11-09", text="今日 2 条匹配")

EXPECTED_HTML = (
    "<b>AI 日报 2025-11-09</b>\n"
    "今日 2 条匹配\n"
    "\n"
    '<b>1. <a href="https://example.com/a?x=1&amp;y=2">'
    "OpenAI 发布 GPT-5：推理能力大幅提升</a></b>\n"
    "新模型在数学与代码基准上领先。\n"
    "<i>机器之心 · 大模型 · 8.5</i> #OpenAI #GPT_5\n"
    "\n"
    '<b>2. <a href="https://example.com/b">Nvidia unveils Blackwell Ultra</a></b>\n'
    "Shipping in Q3.\n"
    "<i>The Verge · chips · 6</i>"
)
EXPECTED_TEXT = (
    "AI 日报 2025-11-09\n"
    "今日 2 条匹配\n"
    "\n"
    "1. OpenAI 发布 GPT-5：推理能力大幅提升\n"
    "新模型在数学与代码基准上领先。\n"
    "机器之心 · 大模型 · 8.5 #OpenAI #GPT_5\n"
    "\n"
    "2. Nvidia unveils Blackwell Ultra\n"
    "Shipping in Q3.\n"
    "The Verge · chips · 6"
)

Factory = Callable[..., TelegramChannel]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def tg(clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(clock=clock) as fake:
        fake.add_chat(GROUP, "supergroup", title="AI 群", forum_topics={7})
        yield fake


@pytest.fixture
async def make(tg: FakeTelegram, clock: FakeClock) -> AsyncIterator[Factory]:
    made: list[TelegramChannel] = []

    def factory(name: str = "tg", **settings: Any) -> TelegramChannel:
        values = {"token": DEFAULT_TOKEN, "chat_id": CHAT, "api_server": tg.url, **settings}
        channel = TelegramChannel(name, values, clock=clock, sleep=clock.sleep)
        made.append(channel)
        return channel

    yield factory
    for channel in made:
        await channel.aclose()


def entry(n: int, **fields: Any) -> Entry:
    return Entry(
        title=fields.pop("title", f"第{n}条 Item {n}：大模型推理进展"),
        url=fields.pop("url", f"https://example.com/{n}"),
        summary=fields.pop("summary", "长摘要" * 120),
        source="机器之心",
        score=7.0,
        rule="llm",
        **fields,
    )


def numbers(text: str) -> list[int]:
    """The entry numbers at the start of lines of a visible text."""
    return [int(m) for m in re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)]


def assert_no_secret(*things: object) -> None:
    for thing in things:
        text = thing if isinstance(thing, str) else repr(thing)
        if isinstance(thing, Result):
            text += json.dumps(thing.to_json(), ensure_ascii=False)
        assert DEFAULT_TOKEN not in text
        assert SECRET_HALF not in text


# -- a normal send ---------------------------------------------------------------------------


async def test_send_renders_html_with_cjk(tg: FakeTelegram, make: Factory) -> None:
    result = await make().send(MESSAGE)

    assert result.outcome is Outcome.SENT
    assert (result.sent_parts, result.sent_entries, result.attempts) == (1, 2, 1)
    [sent] = tg.sent
    assert sent.raw == EXPECTED_HTML
    assert sent.text == EXPECTED_TEXT
    assert sent.chat_id == CHAT
    assert sent.preview_disabled
    assert not sent.silent
    assert sent.thread_id is None
    links = [e["url"] for e in sent.entities if e["type"] == "text_link"]
    assert links == ["https://example.com/a?x=1&y=2", "https://example.com/b"]
    # aiogram posts a urlencoded form; nested objects are JSON inside it.
    call = tg.calls[-1]
    assert call.method == "sendmessage"
    assert call.content_type == "application/x-www-form-urlencoded"
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert "disable_notification" not in call.params


async def test_settings_reach_the_request(tg: FakeTelegram, make: Factory) -> None:
    channel = make(chat_id=GROUP, silent=True, disable_preview=False, thread_id=7)
    assert (await channel.send(MESSAGE)).outcome is Outcome.SENT
    [sent] = tg.sent
    assert (sent.chat_id, sent.thread_id, sent.silent) == (GROUP, 7, True)
    assert not sent.preview_disabled
    assert "link_preview_options" not in tg.calls[-1].params


async def test_channel_username(tg: FakeTelegram, make: Factory) -> None:
    chat = tg.add_chat(-1009876543210, "channel", username="ai_news")
    channel = make(chat_id="@ai_news")
    assert channel.limiter.windows == GROUP_WINDOWS
    assert (await channel.send(MESSAGE)).outcome is Outcome.SENT
    assert tg.sent[0].chat_id == chat.id


async def test_empty_message_sends_nothing(tg: FakeTelegram, make: Factory) -> None:
    result = await make().send(Message())
    assert result.outcome is Outcome.SENT
    assert result.sent_parts == 0
    assert tg.calls == []


async def test_text_only_message(tg: FakeTelegram, make: Factory) -> None:
    result = await make().send(Message(text="今天没有匹配 <none> & 0 items"))
    assert result.outcome is Outcome.SENT
    assert tg.sent[0].text == "今天没有匹配 <none> & 0 items"


# -- splitting -------------------------------------------------------------------------------


async def test_long_batch_splits_on_entry_boundaries(tg: FakeTelegram, make: Factory) -> None:
    entries = tuple(entry(n, tags=("大模型", "😀")) for n in range(1, 61))
    message = Message(entries=entries, title="AI 日报 🚀")

    result = await make().send(message)

    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 60
    assert result.sent_parts == len(tg.sent) > 1
    seen: list[int] = []
    for sent in tg.sent:
        assert len(sent.text) <= TEXT_LIMIT  # the fake parsed it and counted code points
        assert len(sent.raw.encode()) <= RAW_LIMIT
        assert sent.text.startswith("AI 日报 🚀\n\n")  # every part keeps the heading
        seen += numbers(sent.text)
        for n in numbers(sent.text):  # an entry is whole: title, summary and meta together
            block = sent.text.split(f"\n{n}. ", 1)[1].split("\n\n", 1)[0]
            summary = cut(entries[n - 1].summary, SUMMARY_MAX)
            assert block.split("\n")[1:] == [summary, "机器之心 · llm · 7 #大模型"]
    assert seen == list(range(1, 61))
    assert max(len(s.text) for s in tg.sent) > TEXT_LIMIT - 700  # packed, not wasteful


async def test_astral_emoji_count_as_one(tg: FakeTelegram, make: Factory) -> None:
    # 😀 is 1 code point (2 UTF-16 units): Telegram counts code points, so ~12 fit per part.
    entries = tuple(entry(n, title="😀" * 300, summary="🎉" * 300) for n in range(1, 31))
    parts = render_message(Message(entries=entries))
    assert all(measure(p.payload) <= TEXT_LIMIT for p in parts)
    # ~620 code points an entry: 6 per part. Counting UTF-16 units would fit only 3 (10 parts).
    assert len(parts) == 5

    result = await make().send(Message(entries=entries))
    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 30
    assert sum(len(numbers(s.text)) for s in tg.sent) == 30


async def test_invisible_urls_split_by_bytes(tg: FakeTelegram, make: Factory) -> None:
    # Long hrefs are invisible: the raw 32768-byte limit is what splits these.
    long_url = "https://example.com/?q=" + "a" * 6000
    entries = tuple(entry(n, url=long_url, summary="短") for n in range(1, 21))
    result = await make().send(Message(entries=entries))
    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 20
    assert len(tg.sent) >= 4
    assert all(len(s.raw.encode()) <= RAW_LIMIT and len(s.text) < 2000 for s in tg.sent)


async def test_oversized_entry_is_shortened_not_split(tg: FakeTelegram, make: Factory) -> None:
    huge = entry(2, title="标题" * 3000, url="https://example.com/" + "x" * 40_000)
    message = Message(entries=(entry(1), huge, entry(3)), title="Digest")
    result = await make().send(message)
    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 3
    assert [n for s in tg.sent for n in numbers(s.text)] == [1, 2, 3]
    shortened = next(s for s in tg.sent if 2 in numbers(s.text))
    assert "…" in shortened.text
    assert len(shortened.raw.encode()) <= RAW_LIMIT


# -- escaping --------------------------------------------------------------------------------

HOSTILE = (
    "<b>not bold</b>",
    '</a><a href="javascript:alert(1)">click</a>',
    "AT&T &amp; &lt;tag&gt; &#60;b&#62; &nbsp;",
    "*bold* _italic_ __under__ [link](http://x.y) `code` ```pre```",
    "😀👍🏽 👨‍👩‍👧 emoji and 中文",
    "مرحبا بالعالم — שלום",
    "<script>alert('x')</script> <br> <tg-spoiler>",
    "a < b > c",
    "\u202etxt.exe",
)


async def test_hostile_titles_are_escaped(tg: FakeTelegram, make: Factory) -> None:
    entries = tuple(
        Entry(title=t, url=f"https://example.com/{i}", summary=t, source=t, tags=(t,))
        for i, t in enumerate(HOSTILE)
    )
    entries += (
        Entry("bad link", url='https://x.y/"><b>x</b>'),
        Entry("js link", url="javascript:alert(1)"),
    )

    result = await make().send(Message(entries=entries, title="<i>title</i> & *x*"))

    assert result.outcome is Outcome.SENT, result.detail
    [sent] = tg.sent
    assert sent.text.startswith("<i>title</i> & *x*\n")
    for title in HOSTILE:
        shown = title.replace("\u202e", "")  # control characters are dropped
        assert shown.strip() in sent.text.replace("\u2068", "").replace("\u2069", "")
    # Only our own markup became entities: bold titles, italic meta, http(s) links.
    assert {e["type"] for e in sent.entities} <= {"bold", "italic", "text_link"}
    urls = [e["url"] for e in sent.entities if e["type"] == "text_link"]
    assert all(u.startswith("https://") for u in urls)
    assert "https://x.y/%22%3E%3Cb%3Ex%3C/b%3E" in urls
    assert "javascript" not in " ".join(urls)


async def test_rtl_text_is_isolated() -> None:
    [part] = render_message(Message(entries=(Entry("مرحبا بالعالم", "https://e.x/1"),)))
    assert "\u2068مرحبا بالعالم\u2069" in part.payload


def test_every_rendering_parses_as_telegram_html() -> None:
    for title in HOSTILE:
        for part in render_message(Message(entries=(Entry(title, summary=title),), title=title)):
            text, _ = parse_html(part.payload)
            assert len(text) == measure(part.payload)  # we count exactly what Telegram counts


# -- rate limits -----------------------------------------------------------------------------


async def test_burst_to_private_chat_stays_under_limit(
    tg: FakeTelegram, make: Factory, clock: FakeClock
) -> None:
    channel = make()
    assert channel.limiter.windows == PRIVATE_WINDOWS == (Window(1, 1.0),)
    results = await asyncio.gather(*(channel.send(MESSAGE) for _ in range(12)))
    assert all(r.outcome is Outcome.SENT and r.attempts == 1 for r in results)
    assert tg.rate_limited == 0
    assert len(tg.sent) == 12
    assert tg.max_in_window(CHAT, 1.0) == 1
    assert clock.slept  # the limiter waited (on the fake clock)


async def test_burst_to_group_stays_under_20_per_minute(tg: FakeTelegram, make: Factory) -> None:
    channel = make(chat_id=GROUP)
    assert channel.limiter.windows == GROUP_WINDOWS
    results = await asyncio.gather(*(channel.send(MESSAGE) for _ in range(45)))
    assert all(r.outcome is Outcome.SENT and r.attempts == 1 for r in results)
    assert tg.rate_limited == 0
    assert len(tg.sent) == 45
    assert tg.max_in_window(GROUP, 60.0) == 20


async def test_fake_enforces_flood_control(tg: FakeTelegram, clock: FakeClock) -> None:
    # The fake is not lenient: a client without a limiter gets 429s with retry_after.
    async with aiohttp.ClientSession() as http:
        answers = []
        for _ in range(3):
            async with http.post(
                tg.api_url("sendMessage"), json={"chat_id": GROUP, "text": "x"}
            ) as resp:
                answers.append((resp.status, resp.headers.get("Retry-After"), await resp.json()))
    assert answers[0][0] == 200
    assert answers[1] == (
        429,
        "1",
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    assert tg.rate_limited == 2


# -- transient failures ----------------------------------------------------------------------


async def test_429_waits_retry_after_then_sends(
    tg: FakeTelegram, make: Factory, clock: FakeClock
) -> None:
    tg.flood_next(retry_after=7)
    result = await make().send(MESSAGE)
    assert result.outcome is Outcome.SENT
    assert result.attempts == 2
    assert 7.0 in clock.slept
    assert len(tg.sent) == 1


async def test_long_429_is_handed_back(tg: FakeTelegram, make: Factory) -> None:
    tg.flood_next(retry_after=3600)
    result = await make().send(MESSAGE)
    assert result.outcome is Outcome.RETRY
    assert (result.code, result.retry_after) == ("429", 3600.0)
    assert result.detail == "Too Many Requests: retry after 3600"
    assert tg.sent == []


async def test_429_without_parameters_reads_the_description(make: Factory) -> None:
    from aiogram.exceptions import TelegramAPIError
    from aiogram.methods import SendMessage

    exc = TelegramAPIError(SendMessage(chat_id=1, text="x"), "Too Many Requests: retry after 9")
    exc.http_status = 429  # type: ignore[attr-defined]
    result = make()._classify(exc)
    assert (result.outcome, result.code, result.retry_after) == (Outcome.RETRY, "429", 9.0)


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (500, "Internal Server Error"),
        (502, "Bad Gateway"),
        (500, "Internal Server Error: restart"),
    ],
)
async def test_5xx_is_retried(
    tg: FakeTelegram, make: Factory, status: int, description: str
) -> None:
    tg.fail_next(status=status, description=description)
    result = await make().send(MESSAGE)
    assert result.outcome is Outcome.SENT
    assert result.attempts == 2
    assert len(tg.sent) == 1


async def test_gateway_html_page_is_retried(tg: FakeTelegram, make: Factory) -> None:
    tg.gateway_error_next(status=502)
    result = await make().send(MESSAGE)
    assert result.outcome is Outcome.SENT
    assert result.attempts == 2


async def test_persistent_5xx_gives_retry_with_code(tg: FakeTelegram, make: Factory) -> None:
    tg.fail_next(5, status=503, description="Service Unavailable")
    result = await make().send(MESSAGE)
    assert result.outcome is Outcome.RETRY
    assert (result.code, result.detail, result.attempts) == ("503", "Service Unavailable", 3)
    tg.gateway_error_next(5, status=504)
    result = await make("b").send(MESSAGE)
    assert (result.outcome, result.code) == (Outcome.RETRY, "504")


async def test_timeout_is_retried(tg: FakeTelegram, make: Factory) -> None:
    tg.timeout_next()
    result = await make(timeout=0.2).send(MESSAGE)
    assert result.outcome is Outcome.SENT
    assert result.attempts == 2
    assert len(tg.sent) == 1


async def test_dropped_connection_is_retried(tg: FakeTelegram, make: Factory) -> None:
    tg.disconnect_next()
    result = await make().send(MESSAGE)
    assert result.outcome is Outcome.SENT
    assert result.attempts == 2


async def test_unreachable_server_is_retry(make: Factory, clock: FakeClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await make(api_server=f"http://127.0.0.1:{port}").send(MESSAGE)
    assert result.outcome is Outcome.RETRY
    assert result.code is None
    assert result.detail.startswith("network error:")
    assert_no_secret(result)


# -- permanent failures and gone targets -----------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "description"),
    [
        (
            "<b>unclosed",
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b",
        ),
        (
            "a<br>b",
            'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 1',
        ),
        ("x" * (TEXT_LIMIT + 1), "Bad Request: message is too long"),
        ("<b> </b>", "Bad Request: message text is empty"),
        ("&amp;" * 7000, "Bad Request: text is too long"),
    ],
)
async def test_bad_payloads_fail_with_the_description(
    tg: FakeTelegram, make: Factory, payload: str, description: str
) -> None:
    result = await make().deliver(payload)
    assert (result.outcome, result.code, result.detail) == (Outcome.FAILED, "400", description)
    assert tg.sent == []


async def test_exactly_4096_code_points_is_accepted(tg: FakeTelegram, make: Factory) -> None:
    payload = "<b>" + "😀" * 4000 + "</b>" + "&lt;" * 96
    assert measure(payload) == TEXT_LIMIT
    assert (await make().deliver(payload)).outcome is Outcome.SENT
    assert len(tg.sent[0].text) == TEXT_LIMIT


async def test_bad_token_is_failed(tg: FakeTelegram, make: Factory) -> None:
    result = await make(token="987654:WRONG-token_value").send(MESSAGE)
    assert (result.outcome, result.code, result.detail) == (Outcome.FAILED, "401", "Unauthorized")
    assert "WRONG-token_value" not in repr(result)


async def test_missing_forum_topic_is_failed(make: Factory) -> None:
    result = await make(chat_id=GROUP, thread_id=99).send(MESSAGE)
    assert (result.outcome, result.code) == (Outcome.FAILED, "400")
    assert result.detail == "Bad Request: message thread not found"


@pytest.mark.parametrize(
    ("chat", "code", "description"),
    [
        (BLOCKED_CHAT, "403", "Forbidden: bot was blocked by the user"),
        (DEACTIVATED_CHAT, "403", "Forbidden: user is deactivated"),
        (KICKED_CHAT, "403", "Forbidden: bot was kicked from the group chat"),
        (MISSING_CHAT, "400", "Bad Request: chat not found"),
    ],
)
async def test_gone_targets(make: Factory, chat: int, code: str, description: str) -> None:
    result = await make(chat_id=chat).send(MESSAGE)
    assert (result.outcome, result.code, result.detail) == (Outcome.GONE, code, description)
    assert result.attempts == 1
    assert result.sent_entries == 0


async def test_kicked_from_supergroup(tg: FakeTelegram, make: Factory) -> None:
    tg.kick(GROUP)
    result = await make(chat_id=GROUP).send(MESSAGE)
    assert (result.outcome, result.detail) == (
        Outcome.GONE,
        "Forbidden: bot was kicked from the supergroup chat",
    )


async def test_migrated_group_is_resent_and_reported(tg: FakeTelegram, make: Factory) -> None:
    entries = tuple(entry(n) for n in range(1, 21))  # several parts
    channel = make(chat_id=MIGRATED_CHAT)

    result = await channel.send(Message(entries=entries))

    assert result.outcome is Outcome.SENT
    assert result.new_address == str(MIGRATED_TO)
    assert result.sent_entries == 20
    assert result.sent_parts == len(tg.sent) > 1
    assert {s.chat_id for s in tg.sent} == {MIGRATED_TO}
    assert channel.chat_id == MIGRATED_TO
    assert f"chat_id={MIGRATED_TO}" in channel.describe()
    # Later sends go straight to the supergroup.
    migrate_errors = sum(1 for c in tg.calls if c.status == 400)
    assert migrate_errors == 1
    again = await channel.send(MESSAGE)
    assert again.outcome is Outcome.SENT
    assert again.new_address is None
    assert again.attempts == 1


async def test_migrated_then_blocked_reports_both(tg: FakeTelegram, make: Factory) -> None:
    tg.kick(MIGRATED_TO)
    result = await make(chat_id=MIGRATED_CHAT).send(MESSAGE)
    assert result.outcome is Outcome.GONE
    assert result.new_address == str(MIGRATED_TO)


# -- secrets, settings and registry ----------------------------------------------------------


async def test_secrets_never_leak(tg: FakeTelegram, make: Factory) -> None:
    channel = make()
    tg.fail_next(3, status=500)
    results = [await channel.send(MESSAGE)]
    results.append(await make(api_server="http://127.0.0.1:1").send(MESSAGE))
    results.append(await make(api_server="http://[::1").send(MESSAGE))  # invalid URL
    assert_no_secret(channel.describe(), repr(channel), *results)
    assert "token=***" in channel.describe()
    with pytest.raises(ConfigError) as info:
        TelegramChannel("bad", {"token": "not a token " + SECRET_HALF, "chat_id": CHAT})
    assert_no_secret(str(info.value))
    assert "setting 'token'" in str(info.value)


def test_check_and_warnings() -> None:
    assert TelegramChannel.check({"token": DEFAULT_TOKEN, "chat_id": -100123}) == []
    assert TelegramChannel.check({"token": DEFAULT_TOKEN, "chat_id": "@ai_news"}) == []
    problems = TelegramChannel.check({"token": "x" + SECRET_HALF, "chat_id": "some chat"})
    assert len(problems) == 2
    assert all(SECRET_HALF not in p for p in problems)
    assert TelegramChannel.check({"chat_id": 1}) == [
        "missing setting 'token': bot token from @BotFather"
    ]
    assert TelegramChannel.warnings({"api_server": "http://tg.example.org"})
    assert TelegramChannel.warnings({"api_server": "http://127.0.0.1:8081"}) == []
    assert TelegramChannel.warnings({}) == []


def test_defaults() -> None:
    channel = TelegramChannel("d", {"token": DEFAULT_TOKEN, "chat_id": "42"})
    assert channel.chat_id == 42
    assert channel.options == {
        "token": DEFAULT_TOKEN,
        "chat_id": "42",
        "api_server": "https://api.telegram.org",
        "disable_preview": True,
        "silent": False,
        "thread_id": None,
        "timeout": 30.0,
    }


def test_registered_and_import_is_light() -> None:
    assert channel_class("telegram") is TelegramChannel
    code = (
        "import sys, channels.telegram as t; "
        "t.TelegramChannel.check({'token': '1:a', 'chat_id': 1}); "
        "assert 'aiogram' not in sys.modules, 'aiogram imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


async def test_injected_bot_is_used_and_not_closed(tg: FakeTelegram, clock: FakeClock) -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.url))
    bot = Bot(DEFAULT_TOKEN, session=session)
    settings = {"token": DEFAULT_TOKEN, "chat_id": CHAT, "api_server": "http://unused.invalid"}
    channel = TelegramChannel("inj", settings, clock=clock, sleep=clock.sleep, bot=bot)
    assert (await channel.send(MESSAGE)).outcome is Outcome.SENT
    await channel.aclose()
    assert (await bot.get_me()).username == "notifier_test_bot"  # still usable
    await session.close()


# -- the fake itself (reused by the subscription bot) ----------------------------------------


async def request(
    tg: FakeTelegram, method: str, token: str | None = None, **kwargs: Any
) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(tg.api_url(method, token), **kwargs) as resp,
    ):
        return resp.status, await resp.json()


async def calls_reach(tg: FakeTelegram, count: int) -> None:
    """Yield to the server until it has received ``count`` requests."""
    for _ in range(1000):
        if len(tg.calls) >= count:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the fake never received the request")


async def test_fake_token_and_method_errors(tg: FakeTelegram) -> None:
    assert await request(tg, "getMe", token="bad") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized: invalid token specified"},
    )
    assert (await request(tg, "getMe", token="1:other"))[1]["description"] == "Unauthorized"
    assert (await request(tg, "sendPhotoz"))[1]["description"] == "Not Found: method not found"
    status, body = await request(tg, "GETME")  # method names are case-insensitive
    assert status == 200
    assert body["result"]["is_bot"] is True


async def test_fake_reads_json_form_and_multipart(tg: FakeTelegram) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(CHAT))
    form.add_field("text", "<i>multi</i>")
    form.add_field("parse_mode", "HTML")
    form.add_field("file", b"bytes", filename="a.txt")
    await request(tg, "sendMessage", json={"chat_id": 1, "text": "json"})
    await request(tg, "sendMessage", data={"chat_id": 2, "text": "form"})
    status, body = await request(tg, "sendMessage", data=form)
    assert status == 200, body
    assert [s.text for s in tg.sent] == ["json", "form", "multi"]
    assert body["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 5}]
    assert tg.calls[-1].content_type == "multipart/form-data"


def test_fake_html_parser_matches_tdlib() -> None:
    assert parse_html(
        '<b>粗</b> &lt;&amp;&gt; &nbsp;<a href="https://e.x/?a=1&amp;b=2">L</a>'
    ) == (
        "粗 <&> &nbsp;L",
        [
            {"type": "bold", "offset": 0, "length": 1},
            {"type": "text_link", "offset": 12, "length": 1, "url": "https://e.x/?a=1&b=2"},
        ],
    )
    assert parse_html("😀<i>x</i>")[1] == [{"type": "italic", "offset": 2, "length": 1}]  # UTF-16
    assert parse_html('<pre><code class="language-py">x</code></pre>')[1] == [
        {"type": "pre", "offset": 0, "length": 1, "language": "py"}
    ]
    assert parse_html("<blockquote expandable>q</blockquote>")[1][0]["type"] == (
        "expandable_blockquote"
    )
    for bad, message in [
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("中</b>", "Unexpected end tag at byte offset 3"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
    ]:
        with pytest.raises(ParseError) as info:
            parse_html(bad)
        assert str(info.value) == message


async def test_fake_long_polling(tg: FakeTelegram) -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    bot = Bot(DEFAULT_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
    try:
        assert await bot.get_updates(timeout=0) == []
        poll = asyncio.ensure_future(bot.get_updates(timeout=30, allowed_updates=["message"]))
        await calls_reach(tg, 2)
        first = tg.message_update(CHAT, "/start")
        tg.callback_update(CHAT, "sub:ai")  # not allowed: dropped
        [update] = await poll
        assert update.update_id == first["update_id"]
        assert update.message.text == "/start"
        second = tg.message_update(CHAT, "/stop")
        [again] = await bot.get_updates(offset=update.update_id + 1, timeout=1)
        assert again.update_id == second["update_id"]
        assert await bot.get_updates(offset=again.update_id + 1, timeout=0) == []
    finally:
        await bot.session.close()


async def test_fake_second_poller_conflicts(tg: FakeTelegram) -> None:
    first = asyncio.ensure_future(request(tg, "getUpdates", json={"timeout": 30}))
    await calls_reach(tg, 1)
    second = asyncio.ensure_future(request(tg, "getUpdates", json={"timeout": 30}))
    await calls_reach(tg, 2)
    status, body = await first
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other")
    tg.message_update(CHAT, "hi")
    status, body = await second
    assert status == 200
    assert body["result"][0]["message"]["text"] == "hi"
    await request(tg, "setWebhook", json={"url": "https://e.x/hook"})
    status, body = await request(tg, "getUpdates", json={})
    assert status == 409
    assert "webhook is active" in body["description"]
    await request(tg, "deleteWebhook", json={"drop_pending_updates": True})
    assert (await request(tg, "getUpdates", json={}))[1]["result"] == []


async def test_fake_bot_methods(tg: FakeTelegram) -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.exceptions import TelegramBadRequest
    from aiogram.types import BotCommand

    bot = Bot(DEFAULT_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
    try:
        assert await bot.set_my_commands([BotCommand(command="start", description="开始")])
        assert [c.command for c in await bot.get_my_commands()] == ["start"]
        with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand(command="Bad-Cmd", description="x")])

        tg.set_member(GROUP, 7, "creator")
        tg.set_member(GROUP, 8, "administrator")
        tg.set_member(GROUP, 9, "restricted")
        statuses = [(await bot.get_chat_member(GROUP, u)).status for u in (7, 8, 9, 10)]
        assert statuses == ["creator", "administrator", "restricted", "member"]

        sent = await bot.send_message(CHAT, "<b>v1</b>", parse_mode="HTML")
        edited = await bot.edit_message_text(
            "<b>v2</b>", chat_id=CHAT, message_id=sent.message_id, parse_mode="HTML"
        )
        assert edited.text == "v2"
        assert tg.messages[(CHAT, sent.message_id)].edits == 1
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await bot.edit_message_text(
                "<b>v2</b>", chat_id=CHAT, message_id=sent.message_id, parse_mode="HTML"
            )
        with pytest.raises(TelegramBadRequest, match="message to edit not found"):
            await bot.edit_message_text("x", chat_id=CHAT, message_id=999)

        query = tg.callback_update(CHAT, "sub:ai", message_id=sent.message_id)["callback_query"]
        assert await bot.answer_callback_query(query["id"], text="已订阅")
        assert tg.callback_answers[0]["text"] == "已订阅"
        with pytest.raises(TelegramBadRequest, match="query is too old"):
            await bot.answer_callback_query(query["id"])
    finally:
        await bot.session.close()


async def test_fake_serves_an_aiogram_dispatcher(tg: FakeTelegram) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.filters import CommandStart
    from aiogram.types import CallbackQuery
    from aiogram.types import Message as TgMessage

    bot = Bot(DEFAULT_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
    dp = Dispatcher()
    answered = asyncio.Event()

    @dp.message(CommandStart())
    async def start(message: TgMessage) -> None:
        await message.answer("<b>欢迎</b> welcome", parse_mode="HTML")

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("已订阅")
        answered.set()

    polling = asyncio.ensure_future(
        dp.start_polling(bot, handle_signals=False, polling_timeout=5, close_bot_session=True)
    )
    tg.message_update(CHAT, "/start")
    for _ in range(1000):
        if tg.sent:
            break
        await asyncio.sleep(0.005)
    tg.callback_update(CHAT, "sub:ai", message_id=tg.sent[0].message_id)
    await asyncio.wait_for(answered.wait(), 10)
    await dp.stop_polling()
    await polling
    assert [s.text for s in tg.sent] == ["欢迎 welcome"]
    assert tg.callback_answers[0]["text"] == "已订阅"
    assert tg.calls[0].method == "getme"
