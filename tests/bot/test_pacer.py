"""The reply pacer on its own: requests in, scripted answers out, on a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetChatMember, SendMessage

from channels.telegram.channel import TelegramChannel
from notifier.bot.pacing import ATTEMPTS, ChatGone, ReplyPacer
from notifier.delivery.shared_limits import limits_for
from notifier.store import Store
from tests.fakes.server import FakeClock
from tests.fakes.telegram import DEFAULT_TOKEN

BOT: Any = SimpleNamespace(id=int(DEFAULT_TOKEN.partition(":")[0]))


def send(chat_id: int, text: str = "hi") -> SendMessage:
    return SendMessage(chat_id=chat_id, text=text)


class Server:
    """``make_request`` with scripted answers (an exception factory, or "ok")."""

    def __init__(self, clock: FakeClock, script: list[Any] | None = None) -> None:
        self.clock = clock
        self.script = list(script or [])
        self.calls: list[tuple[str, float]] = []

    async def __call__(self, bot: Any, method: Any) -> str:
        self.calls.append((type(method).__name__, self.clock.now))
        answer = self.script.pop(0) if self.script else "ok"
        if callable(answer):
            raise answer(method)
        return answer


def flood(seconds: int) -> Callable[[Any], Exception]:
    return lambda m: TelegramRetryAfter(m, f"Too Many Requests: retry after {seconds}", seconds)


def server_error(m: Any) -> Exception:
    return TelegramServerError(method=m, message="Internal Server Error")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_messages_to_a_chat_keep_its_pace_others_do_not_wait(clock: FakeClock) -> None:
    pacer = ReplyPacer(clock=clock, sleep=clock.sleep)
    server = Server(clock)
    start = clock.now
    for method in (
        send(7),
        EditMessageText(chat_id=7, message_id=1, text="edited"),  # in turn, not a message
        send(7),
        GetChatMember(chat_id=7, user_id=7),  # a read: never waits
        send(-1001, "a group"),  # another chat: its own window
        send(7),
    ):
        assert await pacer(server, BOT, method) == "ok"
    assert [(name, at - start) for name, at in server.calls] == [
        ("SendMessage", 0.0),
        ("EditMessageText", 0.0),
        ("SendMessage", 1.0),
        ("GetChatMember", 1.0),
        ("SendMessage", 1.0),
        ("SendMessage", 2.0),
    ]


async def test_flood_control_is_waited_out_however_often_it_comes(clock: FakeClock) -> None:
    pacer = ReplyPacer(clock=clock, sleep=clock.sleep)
    server = Server(clock, [flood(5), flood(30), flood(7)])
    assert await pacer(server, BOT, send(7)) == "ok"
    assert clock.slept == [5.0, 30.0, 7.0]
    assert len(server.calls) == 4
    # Not about a chat (a button's answer): waited out too.
    server.script = [flood(3)]
    answer = AnswerCallbackQuery(callback_query_id="cb1")
    assert await pacer(server, BOT, answer) == "ok"
    assert clock.slept[-1] == 3.0


async def test_server_errors_are_tried_again_a_few_times(clock: FakeClock) -> None:
    pacer = ReplyPacer(clock=clock, sleep=clock.sleep)
    server = Server(clock, [server_error] * (ATTEMPTS - 1))
    assert await pacer(server, BOT, send(7)) == "ok"
    server.script = [server_error] * ATTEMPTS
    with pytest.raises(TelegramServerError):
        await pacer(server, BOT, send(7))
    assert len(server.calls) == 2 * ATTEMPTS


@pytest.mark.parametrize(
    "gone",
    [
        lambda m: TelegramForbiddenError(
            method=m, message="Forbidden: bot was blocked by the user"
        ),
        lambda m: TelegramBadRequest(method=m, message="Bad Request: chat not found"),
    ],
)
async def test_replies_waiting_for_a_chat_that_went_away_end_unsent(
    clock: FakeClock, gone: Callable[[Any], Exception]
) -> None:
    pacer = ReplyPacer(clock=clock, sleep=clock.sleep)
    answered = asyncio.Event()
    calls: list[str] = []

    async def make_request(bot: Any, method: Any) -> str:
        calls.append(method.text)
        if method.text == "first":
            await answered.wait()
            raise gone(method)
        return "ok"

    first = asyncio.create_task(pacer(make_request, BOT, send(7, "first")))
    waiting = [asyncio.create_task(pacer(make_request, BOT, send(7, f"q{i}"))) for i in range(2)]
    assert await pacer(make_request, BOT, send(8, "other")) == "ok"  # not held back
    async with asyncio.timeout(5):
        while "first" not in calls:  # noqa: ASYNC110
            await asyncio.sleep(0)
    answered.set()
    with pytest.raises(type(gone(None))):
        await first
    for task in waiting:
        with pytest.raises(ChatGone):
            await task
    assert sorted(calls) == ["first", "other"]
    # A reply asked for later is tried: the user may have unblocked the bot meanwhile.
    assert await pacer(make_request, BOT, send(7, "later")) == "ok"


async def test_replies_take_the_slots_pushes_take_in_the_store(
    store: Store, clock: FakeClock
) -> None:
    """Two bot processes on one store, and a worker's push to the same chat: one slot log."""
    one = ReplyPacer(store, clock=clock, sleep=clock.sleep)
    two = ReplyPacer(store, clock=clock, sleep=clock.sleep)
    server = Server(clock)
    start = clock.now
    assert await one(server, BOT, send(7)) == "ok"
    assert await two(server, BOT, send(7)) == "ok"
    assert [at - start for _, at in server.calls] == [0.0, pytest.approx(1.0, abs=0.01)]
    assert server.calls[1][1] - start >= 1.0
    push = TelegramChannel("tg:7", {"token": DEFAULT_TOKEN, "chat_id": "7"})
    assert await store.slot_wait(limits_for("tg:7", push), clock.now) > 0.9
