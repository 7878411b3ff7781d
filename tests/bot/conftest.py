"""The bot against the fake Bot API server: a runner in the test's loop and a ``Talk`` that
sends updates as users would and returns the bot's replies."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from notifier.bot.app import BotRunner
from notifier.bot.pacing import ReplyPacer
from notifier.config import BotLimits, BotSpec
from notifier.store import Store, open_store
from tests.fakes.server import FakeClock
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram, Sent

#: Users and chats of the tests.
ALICE = 1001  # English
WANG = 1002  # Chinese
ADMIN = 1003  # a config admin
GROUP = -1001234567890
#: Seconds between two user messages: human speed, within Telegram's group limits.
STEP = 3.5


@dataclasses.dataclass
class Talk:
    tg: FakeTelegram
    clock: FakeClock
    runner: BotRunner

    async def say(
        self,
        chat_id: int,
        text: str | None,
        *,
        user: int | None = None,
        lang: str | None = None,
        **fields: Any,
    ) -> list[Sent]:
        """Send a message as a user; return the bot's replies to that chat."""
        self.clock.now += STEP
        before = len(self.tg.sent)
        update = self.tg.message_update(chat_id, text, user_id=user, language_code=lang, **fields)
        await self.handled(update)
        return [s for s in self.tg.sent[before:] if s.chat_id in (chat_id, *self._moved(chat_id))]

    async def reply(self, chat_id: int, text: str, **kw: Any) -> Sent:
        """The one reply to a message."""
        replies = await self.say(chat_id, text, **kw)
        assert len(replies) == 1, [r.text for r in replies]
        return replies[0]

    async def press(
        self, chat_id: int, data: str, message_id: int, *, user: int | None = None
    ) -> dict[str, Any]:
        """Press an inline button; return the answerCallbackQuery parameters."""
        self.clock.now += STEP
        before = len(self.tg.callback_answers)
        update = self.tg.callback_update(chat_id, data, message_id=message_id, user_id=user)
        await self.handled(update)
        assert len(self.tg.callback_answers) == before + 1
        return self.tg.callback_answers[-1]

    async def event(self, update: dict[str, Any]) -> None:
        """Wait until an update injected by hand was handled."""
        await self.handled(update)

    async def handled(self, update: dict[str, Any]) -> None:
        """Updates are handled one after another and confirmed by the next getUpdates: once
        this one is confirmed, every reply to it was sent."""
        async with asyncio.timeout(10):
            while any(u["update_id"] == update["update_id"] for u in self.tg._updates):  # noqa: ASYNC110
                await asyncio.sleep(0.005)

    def _moved(self, chat_id: int) -> tuple[int, ...]:
        chat = self.tg.chats.get(chat_id)
        return (chat.migrate_to,) if chat is not None and chat.migrate_to else ()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def tg(clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(clock=clock) as fake:
        fake.add_chat(GROUP, "supergroup", title="AI <群>")
        yield fake


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """The real store: SQLite, and PostgreSQL on a fresh schema (skipped if unreachable)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'notifier.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    async with open_store(url) as opened:
        yield opened


def options(tg: FakeTelegram, **changes: Any) -> BotSpec:
    limits = changes.pop("limits", BotLimits(commands=1000))
    base = BotSpec(token=DEFAULT_TOKEN, api_server=tg.url, admins=(ADMIN,))
    return dataclasses.replace(base, limits=limits, polling_timeout=1, **changes)


StartBot = Callable[..., Awaitable[Talk]]


@pytest.fixture
async def start_bot(tg: FakeTelegram, clock: FakeClock, store: Store) -> AsyncIterator[StartBot]:
    """``talk = await start_bot(**option_changes)``: the bot polling the fake, on ``store``."""
    running: list[tuple[BotRunner, asyncio.Task[None]]] = []

    async def start(subs: Any = None, stories: Any = None, **changes: Any) -> Talk:
        subs = subs if subs is not None else store.subscriptions
        stories = stories if stories is not None else store
        clock_fn = changes.pop("bot_clock", None)
        concurrent = changes.pop("concurrent", False)
        # Replies are paced on the test's clock (the fake's flood control runs on it too).
        shared = stories if isinstance(stories, Store) else None
        runner = BotRunner(
            options(tg, **changes),
            subs,
            stories=stories,
            concurrent=concurrent,
            pacer=ReplyPacer(shared, clock=clock, sleep=clock.sleep),
            **({"clock": clock_fn} if clock_fn else {}),
        )
        task = asyncio.create_task(runner.run())
        running.append((runner, task))
        async with asyncio.timeout(10):
            while not runner.ready.is_set():
                if task.done():
                    await task
                await asyncio.sleep(0.005)
        return Talk(tg, clock, runner)

    yield start
    for runner, task in running:
        runner.stop()
        async with asyncio.timeout(10):
            await task


STORIES = (
    (
        "英伟达发布新一代 AI 芯片，HBM 带宽提升 50%",
        "https://example.com/nv?a=1&b=2",
        "机器之心",
        3,
    ),
    ("OpenAI 与云厂商签署多年算力协议", "https://example.com/openai", "36氪", 2),
    ("英伟达芯片广告：限时优惠", "https://example.com/ad", "广告商", 1),
    ("DeepSeek releases V3.2 <open> weights", "https://example.com/ds", "HN & Co", 1),
)


async def add_stories(store: Store, stories: Any = STORIES, now: float | None = None) -> list[str]:
    """Commit stories as ingest would (each seen by ``sources`` sources); return their ids."""
    import time

    from notifier.items import Item
    from notifier.store import NewStory, SeenAgain

    now = time.time() if now is None else now
    ids = []
    for index, (title, url, source, sources) in enumerate(stories):
        item = Item(id=f"story-{index}-{now}", title=title, url=url, source=source)
        new = NewStory(item.id, (item.id,), title, url, source, item.to_json())
        seen = [SeenAgain(item.id, f"other-{n}") for n in range(1, sources)]
        await store.commit_digest(f"d{index}-{now}", "test.md", [new], [], [], now)
        if seen:
            await store.commit_digest(f"s{index}-{now}", "again.md", [], seen, [], now)
        ids.append(item.id)
    return ids
