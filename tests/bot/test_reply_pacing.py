"""Bot replies are paced per chat like pushes: quick commands all get their replies at
Telegram's pace (1 message a second in a chat), a 429 is waited out, a reply never goes
out just after a push to the same chat, and a chat that is gone ends a reply, logged once.

The fake Bot API enforces the pace with real 429 + ``retry_after`` answers on the test's
clock; the bot's pacer waits on that clock too, so nothing here waits in real time.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

import pytest

from notifier.config import BotLimits
from notifier.pipeline.dispatch import Dispatcher
from notifier.pipeline.targets import Targets
from notifier.store import NewDelivery, NewStory, Store
from notifier.subscriptions.directory import Directory
from notifier.subscriptions.model import target_name
from notifier.subscriptions.targets import SubscriberTargets
from tests.bot.conftest import ALICE, StartBot
from tests.fakes.server import FakeClock
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram, Sent

#: Telegram's pace in a private chat (channels.telegram.channel.PRIVATE_WINDOWS).
PACE = 1.0


def to(tg: FakeTelegram, chat_id: int) -> list[Sent]:
    return [s for s in tg.sent if s.chat_id == chat_id]


def spacing(sent: list[Sent]) -> list[float]:
    return [b.at - a.at for a, b in itertools.pairwise(sent)]


def unretried_429s(tg: FakeTelegram, chat_id: int) -> int:
    """429 answers to sendMessage in ``chat_id`` with no accepted sendMessage after them."""
    calls = [c for c in tg.calls if c.method == "sendmessage"]
    calls = [c for c in calls if str(c.params["chat_id"]) == str(chat_id)]
    return sum(
        1
        for i, call in enumerate(calls)
        if call.status == 429 and not any(c.status == 200 for c in calls[i + 1 :])
    )


async def until(check: Any, guard: float = 10.0) -> None:
    """Wait until ``check()`` holds (a hang guard, not a timing assertion)."""
    async with asyncio.timeout(guard):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


@pytest.mark.parametrize("concurrent", [False, True])
async def test_six_quick_commands_get_six_replies_at_the_chat_pace(
    start_bot: StartBot, tg: FakeTelegram, clock: FakeClock, concurrent: bool
) -> None:
    """Six commands 0.2 s apart, the sixth over the command rate: five answers and the
    "too many commands" notice, one a second, none refused by flood control."""
    await start_bot(limits=BotLimits(commands=5, per_seconds=60), concurrent=concurrent)
    for _ in range(6):
        clock.now += 0.2
        tg.message_update(ALICE, "/help")
    await until(lambda: len(to(tg, ALICE)) >= 6)
    replies = to(tg, ALICE)
    assert len(replies) == 6
    texts = sorted(r.text.split(";")[0] for r in replies)
    assert texts[-1] == "Too many commands"
    assert all("Commands" in t for t in texts[:5]), texts
    assert tg.rate_limited == 0  # the pace was kept: flood control never had to answer
    assert min(spacing(replies)) >= PACE
    assert tg.max_in_window(ALICE, PACE) == 1


async def test_a_429_is_waited_out_and_the_reply_sent(
    start_bot: StartBot, tg: FakeTelegram
) -> None:
    """Flood control asks for 30 s: the reply goes out after them, once."""
    talk = await start_bot()
    tg.flood_next(30)
    [reply] = await talk.say(ALICE, "/help")
    assert "Commands" in reply.text
    [refused] = [c for c in tg.calls if c.status == 429]
    assert reply.at - refused.at >= 30
    assert unretried_429s(tg, ALICE) == 0
    assert "Commands" in (await talk.reply(ALICE, "/help")).text


async def test_a_reply_keeps_the_pace_after_a_push_to_the_same_chat(
    start_bot: StartBot, store: Store, tg: FakeTelegram, clock: FakeClock
) -> None:
    """A story pushed to Alice by a worker, then Alice types a command: the reply waits
    for the chat's window (shared with the workers in the store), no 429."""
    talk = await start_bot()
    now = clock.now
    story = NewStory("s1", ("s1",), "英伟达芯片", "https://example.com/x", "src", {})
    entry = {"title": "英伟达芯片", "url": "https://example.com/x"}
    delivery = NewDelivery("s1", target_name(ALICE), ("sub:1",), 3.0, now - 1, entry)
    await store.commit_digest("h1", "t.md", [story], [], [delivery], now - 1)
    directory = Directory(store.subscriptions)
    await directory.load()
    targets = Targets([SubscriberTargets(directory, token=DEFAULT_TOKEN, api_server=tg.url)])
    try:
        await Dispatcher(store, targets, clock=clock).drain()
    finally:
        await targets.aclose()
    [push] = to(tg, ALICE)
    await talk.handled(tg.message_update(ALICE, "/help"))
    push_, reply = to(tg, ALICE)
    assert push_ is push
    assert "Commands" in reply.text
    assert reply.at - push.at >= PACE
    assert tg.rate_limited == 0


@pytest.mark.parametrize("gone", ["missing", "blocked"])
async def test_a_chat_that_is_gone_ends_the_reply_logged_once(
    start_bot: StartBot,
    store: Store,
    tg: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    gone: str,
) -> None:
    """400 chat not found / 403 blocked: one request, no apology sent after it, one log
    line, the chat deactivated; the bot goes on."""
    talk = await start_bot()
    await talk.reply(ALICE, "/sub OpenAI")
    tg.chat(ALICE).state = gone
    before = len(tg.calls)
    with caplog.at_level(logging.INFO, "notifier"):
        assert await talk.say(ALICE, "/list") == []
    sends = [c for c in tg.calls[before:] if c.method == "sendmessage"]
    assert len(sends) == 1
    lines = [r for r in caplog.records if str(ALICE) in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    chat = await store.subscriptions.chat(ALICE)
    assert chat is not None
    assert not chat.active
    assert "Commands" in (await talk.reply(1234, "/help")).text
