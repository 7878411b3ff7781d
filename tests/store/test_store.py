"""The store contract: outbox writes, claims, outcomes, recovery (every backend)."""

from __future__ import annotations

import pytest

from notifier.store import NewDelivery, NewStory, Outcome, SeenAgain, State, Store


def story(sid: str, *keys: str, source: str = "s1") -> NewStory:
    return NewStory(
        id=sid,
        keys=(sid, *keys),
        title=f"title {sid}",
        url=f"https://example.com/{sid}",
        source=source,
        item={"id": sid, "title": f"title {sid}"},
        simhash=123,
    )


def delivery(sid: str, target: str = "t1", score: float = 1.0, due: float = 0.0) -> NewDelivery:
    return NewDelivery(sid, target, ("r1",), score, due, {"title": f"title {sid}"})


async def test_commit_digest_stores_stories_and_deliveries(store: Store) -> None:
    result = await store.commit_digest(
        "h1", "a.md", [story("a"), story("b")], [], [delivery("a"), delivery("b")], now=10
    )
    assert (result.new_digest, result.stories, result.duplicates, result.deliveries) == (
        True,
        2,
        0,
        2,
    )
    assert await store.digest_seen("h1")
    assert not await store.digest_seen("h2")
    assert await store.known_keys(["a", "b", "zz"]) == {"a": "a", "b": "b"}
    assert await store.counts() == {("t1", State.QUEUED): 2}


async def test_a_story_stored_by_someone_else_gets_no_deliveries(store: Store) -> None:
    await store.commit_digest("h1", "a.md", [story("a", "url:x")], [], [delivery("a")], now=1)
    # Another writer (or a later digest) offers the same story under a different id but a
    # shared key: it is a repeat sighting, and its deliveries are not queued.
    result = await store.commit_digest(
        "h2", "b.md", [story("a2", "url:x", source="s2")], [], [delivery("a2")], now=2
    )
    assert (result.stories, result.duplicates, result.deliveries) == (0, 1, 0)
    top = await store.recent_stories(0)
    assert [(s["story_id"], s["sources"]) for s in top] == [("a", 2)]


async def test_a_known_story_in_a_digest_keeps_the_new_ones_beside_it(store: Store) -> None:
    await store.commit_digest("h1", "a.md", [story("a", "url:x")], [], [], now=1)
    # One story of the digest lost the race (its key is stored); another two share a key:
    # the first in id order is stored, the others become repeat sightings.
    offered = [
        story("b"),
        story("c", "url:x", source="s2"),
        story("d", "url:y"),
        story("e", "url:y"),
    ]
    wanted = [delivery(sid) for sid in "bcde"]
    result = await store.commit_digest("h2", "b.md", offered, [], wanted, now=2)
    assert (result.stories, result.duplicates, result.deliveries) == (2, 2, 2)
    assert await store.known_keys(["b", "c", "d", "e", "url:y"]) == {
        "b": "b",
        "c": "a",  # a repeat's own keys are remembered
        "d": "d",
        "e": "d",
        "url:y": "d",
    }
    assert await store.counts() == {("t1", State.QUEUED): 2}
    top = {s["story_id"]: s["sources"] for s in await store.recent_stories(0)}
    assert top == {"a": 2, "b": 1, "d": 1}


async def test_repeat_sightings_count_each_source_once(store: Store) -> None:
    await store.commit_digest("h1", "a.md", [story("a")], [], [], now=1)
    seen = [SeenAgain("a", "s2"), SeenAgain("a", "s2"), SeenAgain("a", "s1")]
    await store.commit_digest("h2", "b.md", [], seen, [], now=2)
    assert (await store.recent_stories(0))[0]["sources"] == 2


async def test_one_delivery_per_story_and_target(store: Store) -> None:
    result = await store.commit_digest(
        "h1", "a.md", [story("a")], [], [delivery("a"), delivery("a"), delivery("a", "t2")], 1
    )
    assert result.deliveries == 2


async def test_claim_takes_due_best_first_and_skips_claimed(store: Store) -> None:
    stories = [story(s) for s in "abcd"]
    ds = [
        delivery("a", score=1),
        delivery("b", score=5),
        delivery("c", score=3),
        delivery("d", due=100),
    ]
    await store.commit_digest("h", "x", stories, [], ds, now=1)
    assert await store.due_targets(now=10) == {"t1": 0.0}
    first = await store.claim("t1", "w1", now=10, lease=60, limit=2)
    assert [d.story_id for d in first] == ["b", "c"]
    assert all(d.state is State.SENDING and d.claimed_by == "w1" for d in first)
    second = await store.claim("t1", "w2", now=10, lease=60, limit=10)
    assert [d.story_id for d in second] == ["a"]  # d is not due yet
    assert await store.claim("t1", "w3", now=10, lease=60, limit=10) == []
    assert await store.next_due() == 100


async def test_finish_records_outcomes(store: Store) -> None:
    await store.commit_digest(
        "h", "x", [story("a"), story("b")], [], [delivery("a"), delivery("b")], 1
    )
    a, b = await store.claim("t1", "w", now=5, lease=60, limit=10)
    await store.finish([a.id], Outcome(State.SENT), now=6)
    await store.finish([b.id], Outcome(State.QUEUED, due_at=50, error="HTTP 502"), now=6)
    sent = await store.deliveries([State.SENT])
    assert [(d.story_id, d.sent_at, d.attempts) for d in sent] == [("a", 6, 1)]
    failing = await store.deliveries(failing=True)
    assert [(d.story_id, d.due_at, d.last_error) for d in failing] == [("b", 50, "HTTP 502")]
    assert await store.due_targets(now=10) == {}
    assert await store.due_targets(now=50) == {"t1": 50}


async def test_dead_deliveries_can_be_requeued(store: Store) -> None:
    await store.commit_digest("h", "x", [story("a")], [], [delivery("a")], 1)
    (a,) = await store.claim("t1", "w", now=5, lease=60, limit=10)
    await store.finish([a.id], Outcome(State.DEAD, error="bad signature"), now=6)
    assert [d.id for d in await store.deliveries([State.DEAD])] == [a.id]
    assert await store.requeue(all_dead=True, now=7) == 1
    assert await store.due_targets(now=7) == {"t1": 7}
    (again,) = await store.claim("t1", "w", now=8, lease=60, limit=10)
    assert again.id == a.id
    assert again.attempts == 0


async def test_expired_claims_return_and_release_gives_back(store: Store) -> None:
    await store.commit_digest(
        "h", "x", [story("a"), story("b")], [], [delivery("a"), delivery("b", "t2")], 1
    )
    await store.claim("t1", "dead-worker", now=5, lease=10, limit=10)
    await store.claim("t2", "live-worker", now=5, lease=100, limit=10)
    assert await store.recover(now=10) == 0
    assert await store.recover(now=16) == 1
    assert await store.release("live-worker") == 1
    assert await store.due_targets(now=20) == {"t1": 0.0, "t2": 0.0}


async def test_release_of_one_target_leaves_the_others_claimed(store: Store) -> None:
    """A worker whose claim of one target lost its answer gives back just that target's."""
    ds = [delivery("a"), delivery("a", "t2"), delivery("b")]
    await store.commit_digest("h", "x", [story("a"), story("b")], [], ds, 1)
    await store.claim("t1", "w", now=5, lease=100, limit=10)
    await store.claim("t2", "w", now=5, lease=100, limit=10)
    assert await store.release("w", "t1") == 2
    assert await store.due_targets(now=6) == {"t1": 0.0}
    assert await store.release("w") == 1


async def test_gone_targets_are_skipped_until_requeued(store: Store) -> None:
    await store.commit_digest("h", "x", [story("a")], [], [delivery("a")], 1)
    await store.set_target("t1", status="gone", detail="bot was blocked")
    assert await store.due_targets(now=5) == {}
    assert await store.next_due() is None
    states = await store.target_states()
    assert states["t1"].status == "gone"
    assert states["t1"].detail == "bot was blocked"
    await store.requeue(target="t1", now=6)
    assert (await store.target_states())["t1"].status == "active"
    assert await store.due_targets(now=6) == {"t1": 0.0}


async def test_sends_log(store: Store) -> None:
    for at in (10.0, 20.0, 30.0):
        await store.record_send("t1", at)
    await store.record_send("t2", 25.0, messages=2)
    assert await store.sends_since("t1", 15) == [20.0, 30.0]
    assert await store.sends_since("t2", 0) == [25.0, 25.0]


async def test_source_state_merges(store: Store) -> None:
    assert await store.source_state("feed") == {}
    await store.save_source_state("feed", {"etag": '"x"', "last_error": None})
    await store.save_source_state("feed", {"last_error": "HTTP 503"})
    assert await store.source_state("feed") == {"etag": '"x"', "last_error": "HTTP 503"}
    assert await store.source_states() == {"feed": {"etag": '"x"', "last_error": "HTTP 503"}}


async def test_set_target_rejects_unknown_fields(store: Store) -> None:
    with pytest.raises(TypeError):
        await store.set_target("t1", colour="red")


async def test_reopen_keeps_everything(store: Store) -> None:
    await store.commit_digest("h", "x", [story("a")], [], [delivery("a")], 1)
    await store.close()
    await store.open()
    assert await store.counts([State.QUEUED]) == {("t1", State.QUEUED): 1}
