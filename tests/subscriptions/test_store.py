"""The SubscriptionStore contract, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

from notifier.store import NewDelivery, NewStory, State, Store
from notifier.subscriptions.model import Chat, target_name

NOW = 1_760_000_000.0


async def _queue(store: Store, story: str, *targets: str) -> None:
    await store.commit_digest(
        f"hash-{story}",
        "test",
        [NewStory(story, (f"k-{story}",), f"title {story}", None, "src", {"title": story})],
        [],
        [NewDelivery(story, t, ("sub:1",), 1.0, NOW, {"title": story}) for t in targets],
        NOW,
    )


async def test_chat_round_trip(store: Store) -> None:
    subs = store.subscriptions
    assert await subs.chat(42) is None
    chat = Chat(
        42,
        kind="private",
        lang="zh",
        timezone="Asia/Shanghai",
        mode="digest",
        digest_at=("09:00", "18:30"),
        quiet=("23:00", "07:00"),
        title="Ada",
        created_at=NOW,
    )
    await subs.save_chat(chat)
    assert await subs.chat(42) == chat
    await subs.save_chat(Chat(42, lang="en"))  # created_at 0: the first one stays
    again = await subs.chat(42)
    assert again is not None
    assert (again.lang, again.quiet, again.digest_at, again.created_at) == (
        "en",
        None,
        ("09:00",),
        NOW,
    )
    assert store.subscriptions is subs


async def test_add_list_count_and_changes(store: Store) -> None:
    subs = store.subscriptions
    assert await subs.last_change() == 0
    await subs.save_chat(Chat(1, created_at=NOW))
    await subs.save_chat(Chat(-100, kind="group", created_at=NOW))
    a = await subs.add(1, 'OpenAI "Sam Altman" +芯片 !广告', 1, NOW)
    b = await subs.add(1, "英伟达", None, NOW + 1)
    c = await subs.add(-100, "DeepSeek", 7, NOW + 2)
    assert a.id < b.id < c.id
    assert a.expr == 'OpenAI "Sam Altman" +芯片 !广告'
    assert a.owner == 1
    assert not a.paused
    assert await subs.subscriptions(1) == [a, b]
    assert await subs.subscriptions() == [a, b, c]
    assert await subs.count() == {"chats": 2, "active_chats": 2, "subscriptions": 3}
    changes = await subs.changes(0)
    assert [(ch.op, ch.chat_id, ch.subscription_id) for ch in changes] == [
        ("chat", 1, None),
        ("chat", -100, None),
        ("add", 1, a.id),
        ("add", 1, b.id),
        ("add", -100, c.id),
    ]
    assert [ch.seq for ch in changes] == sorted(ch.seq for ch in changes)
    assert await subs.last_change() == changes[-1].seq
    assert await subs.changes(changes[2].seq) == changes[3:]
    assert await subs.changes(0, limit=2) == changes[:2]


async def test_add_needs_a_chat(store: Store) -> None:
    try:
        await store.subscriptions.add(5, "x", None, NOW)
    except KeyError:
        pass
    else:
        raise AssertionError("add to an unknown chat must fail")
    assert await store.subscriptions.last_change() == 0


async def test_pause_resume_one_and_all(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    a = await subs.add(1, "a", 1, NOW)
    b = await subs.add(1, "b", 1, NOW)
    assert await subs.set_paused(1, a.id, True) == 1
    assert await subs.set_paused(1, a.id, True) == 0  # already paused
    assert await subs.set_paused(2, b.id, True) == 0  # not that chat's
    assert [s.id for s in await subs.subscriptions(1, live_only=True)] == [b.id]
    # The whole chat: its one unpaused subscription stops.
    assert await subs.set_paused(1, None, True) == 1
    chat = await subs.chat(1)
    assert chat is not None
    assert chat.paused
    assert await subs.subscriptions(live_only=True) == []
    assert await subs.set_paused(1, None, True) == 0
    # Resuming the chat resumes everything, those paused one by one too.
    assert await subs.set_paused(1, None, False) == 2
    assert [s.id for s in await subs.subscriptions(live_only=True)] == [a.id, b.id]
    assert await subs.set_paused(1, None, False) == 0
    ops = [(c.op, c.subscription_id) for c in await subs.changes(0)][3:]
    assert ops == [("pause", a.id), ("pause", None), ("resume", None)]


async def test_remove(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    a = await subs.add(1, "a", 1, NOW)
    await subs.add(1, "b", 1, NOW)
    assert await subs.remove(2, a.id) == 0
    assert await subs.remove(1, a.id) == 1
    assert await subs.remove(1, a.id) == 0
    assert await subs.remove(1) == 1
    assert await subs.subscriptions(1) == []
    ops = [(c.op, c.subscription_id) for c in await subs.changes(0)][3:]
    assert ops == [("remove", a.id), ("remove", None)]


async def test_deactivate_drops_queued_deliveries(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(7, created_at=NOW))
    await subs.add(7, "a", 7, NOW)
    await _queue(store, "s1", target_name(7), "console")
    await _queue(store, "s2", target_name(7))
    assert await subs.deactivate(7, "blocked by the user", NOW) == 2
    chat = await subs.chat(7)
    assert chat is not None
    assert not chat.active
    assert await subs.subscriptions(live_only=True) == []
    assert await subs.count() == {"chats": 1, "active_chats": 0, "subscriptions": 1}
    counts = await store.counts()
    assert counts == {(target_name(7), State.DROPPED): 2, ("console", State.QUEUED): 1}
    dropped = await store.deliveries([State.DROPPED])
    assert {d.last_error for d in dropped} == {"blocked by the user"}
    assert (await subs.changes(0))[-1].op == "chat"
    # Back again (/start after unblocking): active, live, and a gone target revived.
    await store.set_target(target_name(7), status="gone", detail="403")
    await subs.save_chat(Chat(7, created_at=NOW))
    assert len(await subs.subscriptions(live_only=True)) == 1
    assert (await store.target_states())[target_name(7)].status == "active"


async def test_migrate_moves_chat_subscriptions_and_queue(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(-5, kind="group", lang="zh", title="G", created_at=NOW))
    a = await subs.add(-5, "a", 1, NOW)
    await _queue(store, "s1", target_name(-5))
    await _queue(store, "s2", target_name(-5))
    await subs.migrate(-5, -1005)
    assert await subs.chat(-5) is None
    moved = await subs.chat(-1005)
    assert moved is not None
    assert (moved.kind, moved.lang, moved.title) == ("supergroup", "zh", "G")
    assert [(s.id, s.chat_id) for s in await subs.subscriptions()] == [(a.id, -1005)]
    assert await store.counts() == {(target_name(-1005), State.QUEUED): 2}
    last = await subs.changes(0)
    assert [(c.op, c.chat_id) for c in last[-2:]] == [("chat", -5), ("chat", -1005)]


async def test_migrate_into_a_known_chat_merges(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(-5, kind="group", created_at=NOW))
    await subs.save_chat(Chat(-1005, kind="supergroup", lang="zh", created_at=NOW))
    a = await subs.add(-5, "a", 1, NOW)
    b = await subs.add(-1005, "b", 1, NOW)
    await _queue(store, "s1", target_name(-5), target_name(-1005))
    await _queue(store, "s2", target_name(-5))
    await subs.migrate(-5, -1005)
    assert await subs.chat(-5) is None
    chat = await subs.chat(-1005)
    assert chat is not None
    assert chat.lang == "zh"
    assert [s.id for s in await subs.subscriptions(-1005)] == [a.id, b.id]
    # s1 was queued for both: once is enough; s2 follows the chat.
    assert await store.counts() == {
        (target_name(-1005), State.QUEUED): 2,
        (target_name(-5), State.DROPPED): 1,
    }


async def test_chats(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(3, created_at=NOW))
    await subs.save_chat(Chat(-9, kind="group", created_at=NOW))
    await subs.deactivate(3, "blocked", NOW)
    assert [c.chat_id for c in await subs.chats()] == [-9, 3]
    assert [c.chat_id for c in await subs.chats(active_only=True)] == [-9]


async def test_db_copy_carries_subscriptions(tmp_path: Path, pg_url: str) -> None:
    """`notifier db copy` SQLite → PostgreSQL: chats, subscriptions and the change log
    arrive; new subscriptions and changes number on after the copied ones."""
    from notifier.store import open_store
    from notifier.store.copy import copy_store

    source = f"sqlite:///{tmp_path}/n.db"
    async with open_store(source) as s:
        await s.subscriptions.save_chat(Chat(1, lang="zh", quiet=("23:00", "07:00")))
        a = await s.subscriptions.add(1, "英伟达 +芯片", 1, NOW)
        last = await s.subscriptions.last_change()
    report = await copy_store(source, pg_url)
    assert report.tables["subscriptions"] == 1
    async with open_store(pg_url) as d:
        subs = d.subscriptions
        assert await subs.subscriptions() == [a]
        chat = await subs.chat(1)
        assert chat is not None
        assert chat.quiet == ("23:00", "07:00")
        b = await subs.add(1, "OpenAI", 1, NOW)
        assert b.id > a.id
        assert (a.number, b.number) == (1, 2)  # the chat's counter came along
        assert await subs.last_change() > last


async def test_prune_changes_keeps_the_newest(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(1))
    for word in ("OpenAI", "英伟达", "DeepSeek"):
        await subs.add(1, word, 1, 1.0)
    last = await subs.last_change()
    assert await subs.prune_changes(time.time() + 3600) == 3  # all older, but the newest
    assert [ch.seq for ch in await subs.changes(0)] == [last]
    assert await subs.last_change() == last
    added = await subs.add(1, "Claude", 1, 2.0)
    assert [(ch.op, ch.subscription_id) for ch in await subs.changes(last)] == [("add", added.id)]
    assert await subs.prune_changes(0.0) == 0
