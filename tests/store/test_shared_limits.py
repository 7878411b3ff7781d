"""Shared rate limits in the store (every backend): slots, waits, concurrent takers, pruning;
worker heartbeats and the claims they renew."""

from __future__ import annotations

import asyncio

import pytest

from notifier.delivery.shared_limits import (
    SharedLimits,
    limits_for,
    slot_wait,
    telegram_bot_id,
)
from notifier.store import Limit, NewDelivery, NewStory, State, Store, Worker, open_store

DINGTALK = Limit("target:robot", ((20, 60.0),))


def test_slot_wait_counts_each_window() -> None:
    assert slot_wait([], ((1, 1.0),), 10.0) == 0.0
    assert slot_wait([9.5], ((1, 1.0),), 10.0) == pytest.approx(0.5)
    assert slot_wait([9.0], ((1, 1.0),), 10.0) == 0.0  # the window is (t - 1, t]
    recent = [10.0 - i for i in range(20)]  # 20 in the last 20 s, newest first
    assert slot_wait(recent, ((20, 60.0),), 10.0) == pytest.approx(-9.0 + 60.0 - 10.0)
    assert slot_wait(recent[:19], ((20, 60.0), (1, 0.5)), 10.0) == pytest.approx(0.5)


def test_telegram_bot_id_is_the_numeric_prefix_only() -> None:
    assert telegram_bot_id("123456:ABC-def") == "123456"
    assert telegram_bot_id("nonsense") is None
    assert telegram_bot_id(None) is None


def test_limits_for_a_telegram_chat_include_the_bot_and_never_the_token() -> None:
    from channels.telegram.channel import TelegramChannel
    from notifier.delivery.policy import Policy

    token = "123456:SECRET-token_value"
    channel = TelegramChannel("tg", {"token": token, "chat_id": "-100123"})
    limits = limits_for("tg", channel, Policy(max_per_hour=50))
    assert [limit.key for limit in limits] == ["target:tg", "telegram-bot:123456"]
    assert limits[0].windows == ((1, 1.0), (20, 60.0), (50, 3600.0))
    assert "SECRET" not in repr(limits)


async def test_take_slot_fills_a_window_then_says_when_it_frees(store: Store) -> None:
    for i in range(20):
        assert await store.take_slot([DINGTALK], 100.0 + i) == 0.0
    assert await store.slot_wait([DINGTALK], 130.0) == pytest.approx(30.0)
    assert await store.take_slot([DINGTALK], 130.0) == pytest.approx(30.0)
    assert await store.take_slot([DINGTALK], 160.0) == 0.0  # the first left the window
    assert await store.take_slot([DINGTALK], 160.5) == pytest.approx(0.5)


async def test_a_slot_is_taken_under_every_limit_or_none(store: Store) -> None:
    bot = Limit("telegram-bot:1", ((2, 1.0),))
    chat_a, chat_b = Limit("target:a", ((1, 1.0),)), Limit("target:b", ((1, 1.0),))
    assert await store.take_slot([chat_a, bot], 10.0) == 0.0
    assert await store.take_slot([chat_a, bot], 10.1) == pytest.approx(0.9)  # chat a is full
    assert await store.take_slot([chat_b, bot], 10.2) == 0.0  # the refusal took no bot slot
    assert await store.take_slot([Limit("target:c", ((1, 1.0),)), bot], 10.3) == pytest.approx(0.7)


async def test_prune_slots_deletes_only_old_ones(store: Store) -> None:
    for at in (1.0, 2.0, 50.0):
        await store.take_slot([Limit("target:x", ((100, 1.0),))], at)
    assert await store.prune_slots(10.0) == 2
    assert await store.slot_wait([Limit("target:x", ((1, 100.0),))], 60.0) == pytest.approx(90.0)


async def test_concurrent_takers_never_exceed_a_window(store: Store) -> None:
    """Eight stores (eight connections, as eight processes would have) race for the slots
    of one robot: the slots taken never put more than the window's count in any window."""
    window = Limit("target:robot", ((3, 0.3),))
    other_key = Limit("target:other", ((1000, 1.0),))

    async def taker() -> None:
        other = open_store(store.url)
        async with other:
            shared = SharedLimits(other)
            for _ in range(3):
                await shared.acquire([window, other_key])

    await asyncio.gather(*(taker() for _ in range(8)))
    times = sorted(await _slot_times(store, "target:robot"))
    assert len(times) == 24
    for i in range(len(times) - 3):
        assert times[i + 3] - times[i] >= 0.3 - 1e-9, times[i : i + 4]
    assert len(await _slot_times(store, "target:other")) == 24


async def _slot_times(store: Store, key: str) -> list[float]:
    """Every stored slot time of ``key``, read on a connection of the test's own."""
    if store.url.startswith("postgresql"):
        import psycopg

        async with await psycopg.AsyncConnection.connect(store.url) as conn:
            cur = await conn.execute("SELECT at FROM send_slots WHERE key = %s", (key,))
            return [row[0] for row in await cur.fetchall()]
    import sqlite3

    from notifier.store.sqlite import sqlite_path

    with sqlite3.connect(sqlite_path(store.url)) as db:
        rows = db.execute("SELECT at FROM send_slots WHERE key = ?", (key,)).fetchall()
    return [row[0] for row in rows]


async def test_heartbeats_list_workers_with_their_claims_and_renew_them(store: Store) -> None:
    story = NewStory("s1", ("s1",), "t", None, "src", {"id": "s1"})
    await store.commit_digest(
        "h", "o", [story], [], [NewDelivery("s1", "t1", ("r",), 1.0, 0.0, {})], now=1.0
    )
    me = Worker("host:1:aa", "host", 1, "worker", 5.0, 5.0)
    other = Worker("host:2:bb", "host", 2, "ingest", 6.0, 6.0)
    await store.heartbeat(me, 10.0, lease=30.0)
    await store.heartbeat(other, 11.0)
    claimed = await store.claim("t1", me.id, 10.0, 30.0, 10)
    assert len(claimed) == 1
    found = {w.id: w for w in await store.workers()}
    assert (found[me.id].claims, found[me.id].role) == (1, "worker")
    assert (found[other.id].claims, found[other.id].heartbeat_at) == (0, 11.0)
    # A heartbeat renews the claims of the targets being sent to, only: the lease would
    # have run out at 40.
    await store.heartbeat(me, 30.0, lease=30.0, targets=["other"])
    assert (await store.deliveries([State.SENDING]))[0].lease_until == 40.0
    await store.heartbeat(me, 35.0, lease=30.0, targets=["t1"])
    assert await store.recover(50.0) == 0
    assert (await store.deliveries([State.SENDING]))[0].lease_until == 65.0
    # No more heartbeats (kill -9): the claims expire and go back to the queue.
    assert await store.recover(66.0) == 1
    await store.remove_worker(me.id)
    assert [w.id for w in await store.workers()] == [other.id]
    # A worker silent for a day is forgotten.
    await store.heartbeat(me, 11.0 + 25 * 3600)
    assert [w.id for w in await store.workers()] == [me.id]


def test_the_migration_creates_the_tables() -> None:
    from notifier.store.schema import migrations

    for backend in ("sqlite", "postgresql"):
        versions = dict(migrations(backend))
        assert "CREATE TABLE send_slots" in versions[3]
        assert "CREATE TABLE workers" in versions[3]
