"""Limits and hostile input: caps, command rate, over-long and empty input, HTML in
keywords, unknown commands, a failing handler. The bot always answers, never crashes."""

from __future__ import annotations

import logging

import pytest

from notifier.config import BotLimits
from notifier.store import Store
from tests.bot.conftest import ALICE, StartBot
from tests.bot.memory import MemorySubscriptions
from tests.fakes.server import FakeClock
from tests.fakes.telegram import FakeTelegram


async def test_subscription_and_keyword_caps(start_bot: StartBot, store: Store) -> None:
    limits = BotLimits(subscriptions=2, keywords=3, expr_chars=30, commands=1000)
    talk = await start_bot(limits=limits)
    assert "Subscribed #1" in (await talk.reply(ALICE, "/sub OpenAI")).text
    dup = await talk.reply(ALICE, "/sub   OpenAI ")
    assert dup.text == "You already have this subscription (#1)."
    assert "Subscribed #2" in (await talk.reply(ALICE, "/sub 英伟达 +芯片")).text
    capped = await talk.reply(ALICE, "/sub DeepSeek")
    assert capped.text.startswith("This chat has 2 subscriptions, the most allowed.")
    await talk.reply(ALICE, "/unsub 2")
    many = await talk.reply(ALICE, "/sub a1 a2 +a3 !a4")
    assert many.text == "Too many keywords: 4 (at most 3 per subscription)."
    long = await talk.reply(ALICE, "/sub " + "x" * 31)
    assert long.text == "That expression is too long: 31 characters (at most 30)."
    assert len(await store.subscriptions.subscriptions(ALICE)) == 1


async def test_bad_and_empty_input(start_bot: StartBot, store: Store) -> None:
    talk = await start_bot()
    for text in ("/sub", "/sub   ", "/sub@notifier_test_bot"):
        assert (await talk.reply(ALICE, text)).text.startswith("Usage: /sub OpenAI")
    only_excluded = await talk.reply(ALICE, "/sub !广告")
    assert only_excluded.text.startswith("Only excluded words (!word): add a word to look for")
    unclosed = await talk.reply(ALICE, '/sub "Sam Altman')
    assert unclosed.text == (
        'I could not read that expression: unterminated quote: add the closing " (character 1).'
    )
    bad_regex = await talk.reply(ALICE, "/sub /GPT-(/")
    assert bad_regex.text.startswith("I could not read that expression:")
    assert (await talk.reply(ALICE, "/unsub")).text.startswith("Usage: /unsub 3")
    assert "/unsub all deletes every one" in (await talk.reply(ALICE, "/unsub abc")).text
    assert "number from /list" in (await talk.reply(ALICE, "/pause 1" + "9" * 40)).text
    assert (await talk.reply(ALICE, "/mode")).text.startswith("Usage: /mode instant")
    assert (await talk.reply(ALICE, "/mode digest 25:00")).text.startswith("25:00 is not a time")
    assert (await talk.reply(ALICE, "/mode weekly")).text.startswith("Usage: /mode instant")
    assert (await talk.reply(ALICE, "/tz Mars/Olympus")).text.startswith("Unknown time zone")
    assert (await talk.reply(ALICE, "/tz ../../etc/passwd")).text.startswith("Unknown time zone")
    assert (await talk.reply(ALICE, "/tz")).text == "Usage: /tz Asia/Shanghai (now: UTC)"
    assert (await talk.reply(ALICE, "/quiet 23:00")).text.startswith("Usage: /quiet")
    assert (await talk.reply(ALICE, "/quiet 7:00-7:00")).text.startswith("Usage: /quiet")
    assert (await talk.reply(ALICE, "/test")).text.startswith("Usage: /test a headline")
    assert "no subscriptions to test" in (await talk.reply(ALICE, "/test OpenAI")).text
    assert (await talk.reply(ALICE, "/top")).text == "No stories from today yet."
    assert await store.subscriptions.subscriptions(ALICE) == []


async def test_html_in_keywords_is_refused_and_never_injected(
    start_bot: StartBot, store: Store
) -> None:
    talk = await start_bot()
    tag = await talk.reply(ALICE, "/sub <b>OpenAI</b>")
    assert tag.text == "Keywords cannot contain HTML tags like <b>; send plain words."
    link = await talk.reply(ALICE, '/sub <a href="https://evil.example">x</a>')
    assert link.text.startswith("Keywords cannot contain HTML tags")
    # Characters that are HTML-special but not tags are fine, and shown as typed.
    ok = await talk.reply(ALICE, '/sub AT&T "<3 AI" 1<2')
    assert 'Subscribed #1: AT&T "<3 AI" 1<2' in ok.text
    assert 'any of: AT&T, "<3 AI", 1<2' in ok.text
    assert [e["type"] for e in ok.entities].count("text_link") == 0
    listing = await talk.reply(ALICE, "/list")
    assert 'AT&T "<3 AI" 1<2' in listing.text
    test = await talk.reply(ALICE, "/test <i>AT&T</i> & <script>")
    assert "✅ #1" in test.text
    assert [s.expr for s in await store.subscriptions.subscriptions(ALICE)] == ['AT&T "<3 AI" 1<2']


async def test_over_long_messages_get_a_clear_answer(start_bot: StartBot, store: Store) -> None:
    talk = await start_bot()
    huge = "/sub " + "英伟达 " * 1000  # 4,005 characters
    assert len(huge) > 4000
    reply = await talk.reply(ALICE, huge)
    assert reply.text == f"That message is too long ({len(huge)} characters); I read at most 1000."
    text = await talk.reply(ALICE, "a" * 4096)
    assert text.text.startswith("That message is too long (4096 characters)")
    assert await store.subscriptions.chat(ALICE) is None


async def test_unknown_commands_and_plain_text(start_bot: StartBot) -> None:
    talk = await start_bot()
    unknown = "I don't know that command. /help lists what I can do."
    assert (await talk.reply(ALICE, "/frobnicate")).text == unknown
    assert (await talk.reply(ALICE, "/SUB OpenAI")).text == unknown  # commands are lower case
    assert (await talk.reply(ALICE, "/")).text == unknown
    assert (await talk.reply(ALICE, "hello")).text.startswith("Send a command")
    sticker = {
        "sticker": {
            "file_id": "CAAC",
            "file_unique_id": "AgAD",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    }
    replies = await talk.say(ALICE, None, **sticker)
    assert [r.text for r in replies] == ["Send a command, e.g. /sub OpenAI; /help lists them all."]


async def test_command_rate_per_user(start_bot: StartBot, clock: FakeClock) -> None:
    now = [1_000.0]
    talk = await start_bot(limits=BotLimits(commands=3, per_seconds=60), bot_clock=lambda: now[0])
    for _ in range(3):
        assert "Commands" in (await talk.reply(ALICE, "/help")).text
    slow = await talk.reply(ALICE, "/help")
    assert slow.text == "Too many commands; please wait 60 s."
    assert await talk.say(ALICE, "/help") == []  # told once per window, then quiet
    assert "Commands" in (await talk.reply(2002, "/help")).text  # other users are not slowed
    now[0] += 61
    assert "Commands" in (await talk.reply(ALICE, "/help")).text


async def test_a_failing_handler_gets_a_polite_answer(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(MemorySubscriptions):
        async def add(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            raise RuntimeError("disk on fire")

    talk = await start_bot(subs=Broken())
    with caplog.at_level(logging.ERROR, "notifier.bot"):
        reply = await talk.reply(ALICE, "/sub OpenAI")
    assert reply.text == "Sorry, something went wrong. Please try again in a moment."
    assert "disk on fire" in caplog.text
    assert "Commands" in (await talk.reply(ALICE, "/help")).text  # still running


async def test_replies_hit_flood_control_without_crashing(
    start_bot: StartBot, tg: FakeTelegram
) -> None:
    talk = await start_bot()
    tg.flood_next(1)  # a short wait: the reply goes out after it
    assert "Commands" in (await talk.reply(ALICE, "/help")).text
    tg.flood_next(30, count=2)  # long ones too: waited out, never dropped
    assert "Commands" in (await talk.reply(ALICE, "/help")).text
    assert "Commands" in (await talk.reply(ALICE, "/help")).text
    statuses = [c.status for c in tg.calls if c.method == "sendmessage"]
    assert statuses == [429, 200, 429, 429, 200, 200]
