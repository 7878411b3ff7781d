"""SubscriberTargets through the dispatcher, against the fake Bot API server: chats get
their matches; a blocked chat is deactivated and its queue dropped; a migrated group moves."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator

import pytest

from notifier.delivery.policy import Mode
from notifier.pipeline.dispatch import Dispatcher
from notifier.pipeline.targets import Targets
from notifier.store import NewDelivery, NewStory, State, Store
from notifier.subscriptions.directory import Directory
from notifier.subscriptions.model import Chat, target_name
from notifier.subscriptions.targets import SubscriberTargets, chat_policy
from tests.fakes.telegram import (
    BLOCKED_CHAT,
    DEFAULT_TOKEN,
    MIGRATED_CHAT,
    MIGRATED_TO,
    FakeTelegram,
)

USER = 4242


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


async def _queue(store: Store, story: str, *chats: int) -> None:
    now = time.time()
    item = {"title": f"英伟达 {story} <b>", "url": f"https://example.com/{story}"}
    await store.commit_digest(
        f"h-{story}",
        "test",
        [NewStory(story, (f"k-{story}",), item["title"], item["url"], "src", item)],
        [],
        [
            NewDelivery(story, target_name(c), ("sub:1",), 3.0, now, {**item, "rule": "sub:1"})
            for c in chats
        ],
        now,
    )


async def _setup(store: Store, tg: FakeTelegram) -> tuple[Dispatcher, SubscriberTargets]:
    subs = store.subscriptions
    for chat in (USER, BLOCKED_CHAT, MIGRATED_CHAT):
        await subs.save_chat(Chat(chat, kind="private" if chat > 0 else "group", created_at=1))
        await subs.add(chat, "英伟达", chat, 1.0)
    directory = Directory(subs)
    await directory.load()
    source = SubscriberTargets(directory, token=DEFAULT_TOKEN, api_server=tg.url)
    return Dispatcher(store, Targets([source])), source


async def test_chats_receive_their_matches(sqlite_store: Store, tg: FakeTelegram) -> None:
    dispatcher, source = await _setup(sqlite_store, tg)
    await _queue(sqlite_store, "s1", USER)
    try:
        await dispatcher.drain()
    finally:
        await dispatcher.targets.aclose()
    (sent,) = tg.sent
    assert sent.chat_id == USER
    assert "英伟达 s1 &lt;b&gt;" in sent.raw
    assert "英伟达 s1 <b>" in sent.text
    assert await sqlite_store.counts() == {(target_name(USER), State.SENT): 1}
    assert DEFAULT_TOKEN not in repr(source)


async def test_a_blocked_chat_is_deactivated_and_its_queue_dropped(
    sqlite_store: Store, tg: FakeTelegram
) -> None:
    dispatcher, source = await _setup(sqlite_store, tg)
    await _queue(sqlite_store, "s1", BLOCKED_CHAT, USER)
    await _queue(sqlite_store, "s2", BLOCKED_CHAT)
    try:
        await dispatcher.drain()
    finally:
        await dispatcher.targets.aclose()
    chat = await sqlite_store.subscriptions.chat(BLOCKED_CHAT)
    assert chat is not None
    assert not chat.active
    counts = await sqlite_store.counts()
    assert counts[(target_name(BLOCKED_CHAT), State.DROPPED)] == 2
    assert (target_name(BLOCKED_CHAT), State.QUEUED) not in counts
    assert counts[(target_name(USER), State.SENT)] == 1
    # Not held as a gone config target: nothing for `notifier retry --target` to revive.
    states = await sqlite_store.target_states()
    assert states[target_name(BLOCKED_CHAT)].status == "active"
    # The directory (and so the matcher) already knows: no live subscription left.
    assert all(s.chat_id != BLOCKED_CHAT for s in source.directory.live.values())
    assert [m.chat_id for m in tg.sent] == [USER]


async def test_a_migrated_group_moves(sqlite_store: Store, tg: FakeTelegram) -> None:
    dispatcher, source = await _setup(sqlite_store, tg)
    await _queue(sqlite_store, "s1", MIGRATED_CHAT)
    try:
        await dispatcher.drain()
    finally:
        await dispatcher.targets.aclose()
    assert [m.chat_id for m in tg.sent] == [MIGRATED_TO]
    subs = sqlite_store.subscriptions
    assert await subs.chat(MIGRATED_CHAT) is None
    moved = await subs.chat(MIGRATED_TO)
    assert moved is not None
    assert moved.kind == "supergroup"
    assert [s.chat_id for s in await subs.subscriptions()] == [USER, BLOCKED_CHAT, MIGRATED_TO]
    assert MIGRATED_TO in source.directory.chats


async def test_policy_follows_the_chat_settings(sqlite_store: Store) -> None:
    subs = sqlite_store.subscriptions
    await subs.save_chat(
        Chat(
            7,
            mode="digest",
            digest_at=("18:00", "08:30"),
            timezone="Asia/Shanghai",
            quiet=("23:00", "07:00"),
            created_at=1,
        )
    )
    directory = Directory(subs)
    await directory.load()
    source = SubscriberTargets(directory, token=DEFAULT_TOKEN)
    policy = source.policy(target_name(7))
    assert policy.mode is Mode.DIGEST
    assert policy.at == (dt.time(8, 30), dt.time(18, 0))
    assert policy.timezone == "Asia/Shanghai"
    assert policy.quiet == (dt.time(23), dt.time(7))
    assert source.policy(target_name(7)) is policy  # one per distinct setting
    await subs.save_chat(Chat(7, mode="instant", created_at=1))
    await source.refresh()
    assert source.policy(target_name(7)).mode is Mode.INSTANT
    assert source.policy(target_name(99)).mode is Mode.INSTANT  # unknown: defaults
    assert source.knows("tg:-100123")
    assert not source.knows("console")


def test_unusable_settings_fall_back_to_defaults() -> None:
    assert chat_policy(Chat(1, timezone="Mars/Olympus")).timezone is None
    assert chat_policy(Chat(1, digest_at=("25:99",))).at == (dt.time(9),)
