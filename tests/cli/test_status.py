"""``notifier status`` lists the cluster's workers (heartbeats, claims) and its queue."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from notifier.cli import main
from notifier.commands.status import gather, render
from notifier.store import NewDelivery, NewStory, Store, Worker, open_store
from notifier.subscriptions.model import Chat, target_name


async def _queue(store: Store, n: int) -> None:
    stories = [NewStory(f"s{i}", (f"s{i}",), f"t{i}", None, "src", {"id": i}) for i in range(n)]
    deliveries = [NewDelivery(f"s{i}", "robot", ("r",), 1.0, 0.0, {}) for i in range(n)]
    await store.commit_digest("h", "o", stories, [], deliveries, now=1.0)


async def test_status_lists_workers_with_heartbeats_and_claims(store: Store) -> None:
    now = time.time()
    await _queue(store, 5)
    alive = Worker("box-a:101:aa11", "box-a", 101, "worker", now - 60, now)
    stale = Worker("box-b:202:bb22", "box-b", 202, "ingest", now - 600, now)
    await store.heartbeat(alive, now - 2, lease=30)
    await store.heartbeat(stale, now - 120)
    await store.claim("robot", alive.id, now, 30, 2)
    await store.claim("robot", "box-c:303:cc33", now, 30, 1)  # `notifier ingest`: no heartbeat

    status = await gather(store, None)
    assert status["queue"]["queued"] == 2
    assert status["queue"]["sending"] == 3
    by_id = {w["worker"]: w for w in status["workers"]}
    assert by_id[alive.id]["role"] == "worker"
    assert by_id[alive.id]["claims"] == 2
    assert by_id[alive.id]["state"] == "running"
    assert by_id[stale.id]["state"] == "not responding"
    assert by_id["box-c:303:cc33"]["state"] == "no heartbeat"
    assert by_id["box-c:303:cc33"]["claims"] == 1

    text = render(status)
    assert "queue    2 queued, 3 sending" in text
    assert "box-a:101" in text
    assert "2 claims" in text
    assert "(not responding)" in text
    assert "box-c:303" in text


async def test_subscribers_chats_are_summed_up_not_listed(store: Store) -> None:
    await _queue(store, 1)
    subs = store.subscriptions
    for chat in (1, 2, 3):
        await subs.save_chat(Chat(chat, created_at=1.0))
        await subs.add(chat, "OpenAI", chat, 1.0)
    await subs.deactivate(3, "blocked", 2.0)
    story = NewStory("t", ("t",), "t", None, "src", {})
    queued = [NewDelivery("t", target_name(c), ("sub:1",), 1.0, 0.0, {}) for c in (1, 2)]
    await store.commit_digest("h2", "o", [story], [], queued, now=1.0)

    status = await gather(store, None)
    assert [t["name"] for t in status["targets"]] == ["robot"]
    sub = status["subscribers"]
    assert (sub["chats"], sub["active_chats"], sub["subscriptions"], sub["queued"]) == (3, 2, 3, 2)
    assert "subscribers  2 of 3 chats active, 3 subscriptions; 2 queued" in render(status)


async def test_subscriptions_the_matcher_skips_are_listed(store: Store) -> None:
    # A stored expression the engine refuses (older bot, by hand, `db copy`) is skipped by
    # the matcher; status names it so its owner can be told.
    # It is named by its number in the chat, as its owner knows it (and its global id).
    subs = store.subscriptions
    for chat in (7, 8):
        await subs.save_chat(Chat(chat, created_at=1.0))
    await subs.add(7, "OpenAI", 7, 1.0)
    await subs.add(8, "OpenAI", 8, 1.0)
    bad = await subs.add(8, "/(a+)+b/", 8, 1.0)
    status = await gather(store, None)
    [row] = status["subscribers"]["skipped"]
    assert (row["subscription"], row["number"], row["chat"], row["expr"]) == (
        bad.id,
        2,
        8,
        "/(a+)+b/",
    )
    assert "nested quantifier" in row["reason"]
    text = render(status)
    assert f"  #2 of chat 8 (id {bad.id}) skipped: /(a+)+b/: column 1: regex" in text


def test_status_command_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    url = f"sqlite:///{tmp_path}/n.db"

    async def fill() -> None:
        async with open_store(url) as s:
            await s.heartbeat(Worker("h:1:x", "h", 1, "all", 1.0, 1.0), time.time())

    asyncio.run(fill())
    assert main(["status", "--store", url, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(w["worker"], w["role"], w["claims"]) for w in out["workers"]] == [("h:1:x", "all", 0)]
    assert main(["status", "--store", url]) == 0
    text = capsys.readouterr().out
    assert "queue    empty" in text
    assert "h:1 " in text
