"""Catching up on a backlog goes through the target's policy like every push: quiet hours,
digest times and ``max_items`` hold for configured targets and subscriber chats alike
(issue 13, item 6: a 20-story catch-up at 17:17 inside quiet hours 16:00-19:00; 13 stories
at 01:12 for a digest-at-09:00 user)."""

from __future__ import annotations

import datetime as dt

import pytest

from notifier.delivery.policy import Mode, Policy
from notifier.sources import Digest
from notifier.store import NewDelivery, NewStory, State, Store
from notifier.subscriptions.model import Chat
from tests.pipeline.conftest import digest
from tests.pipeline.pushes import SHANGHAI, Clock, at, pipeline

OLD = "2026-03-01"  # the stories' own date: a backlog on 2026-03-10
QUIET = Policy(timezone="Asia/Shanghai", quiet=(dt.time(16), dt.time(19)))
DIGEST = Policy(mode=Mode.DIGEST, at=(dt.time(9),), timezone="Asia/Shanghai")
QUIET_CHAT = Chat(9202, timezone="Asia/Shanghai", quiet=("16:00", "19:00"), created_at=1)
DIGEST_CHAT = Chat(9203, timezone="Asia/Shanghai", mode="digest", created_at=1)

#: (configured policies, subscriber chats, the target) of each case.
QUIET_CASES = {
    "configured": ({"team": QUIET}, (), "team"),
    "subscriber": ({}, (QUIET_CHAT,), "tg:9202"),
}
DIGEST_CASES = {
    "configured": ({"team": DIGEST}, (), "team"),
    "subscriber": ({}, (DIGEST_CHAT,), "tg:9203"),
}


@pytest.mark.parametrize("case", list(QUIET_CASES))
async def test_a_catch_up_waits_for_the_end_of_quiet_hours(store: Store, case: str) -> None:
    policies, chats, target = QUIET_CASES[case]
    clock = Clock(at("2026-03-10", "17:17"))
    p = await pipeline(store, clock, policies=policies, chats=chats)
    await p.ingestor.ingest(Digest(digest(12, day=OLD), "old.md", "cli"))
    await p.dispatcher.drain()
    assert p.pushed == []  # 17:17 is inside 16:00-19:00
    assert await store.next_due() == at("2026-03-10", "19:00")

    clock.now = at("2026-03-10", "19:00")
    await p.dispatcher.drain()
    messages = p.to(target)
    assert "Catching up" in messages[0].title
    assert [len(m.entries) for m in messages] == [10, 2]  # max_items 10 per message
    assert all(push.at >= at("2026-03-10", "19:00") for push in p.pushed)
    assert (await store.counts())[(target, State.SENT)] == 12


@pytest.mark.parametrize("case", list(DIGEST_CASES))
async def test_a_catch_up_waits_for_the_digest_time(store: Store, case: str) -> None:
    policies, chats, target = DIGEST_CASES[case]
    clock = Clock(at("2026-03-10", "01:12"))
    p = await pipeline(store, clock, policies=policies, chats=chats)
    await p.ingestor.ingest(Digest(digest(12, day=OLD), "old.md", "cli"))
    await p.dispatcher.drain()
    assert p.pushed == []
    assert await store.next_due() == at("2026-03-10", "09:00")

    clock.now = at("2026-03-10", "09:00")
    await p.dispatcher.drain()
    assert [len(m.entries) for m in p.to(target)] == [10, 2]


async def test_a_catch_up_keeps_max_items_and_the_backlog_cap(store: Store) -> None:
    policy = Policy(max_items=4, backlog=10)
    p = await pipeline(store, Clock(at("2026-03-10", "12:00")), policies={"team": policy})
    await p.ingestor.ingest(Digest(digest(12, day=OLD), "old.md", "cli"))
    await p.dispatcher.drain()
    messages = p.to("team")
    assert [len(m.entries) for m in messages] == [4, 4, 2]
    assert "2 more" in messages[0].text
    counts = await store.counts()
    assert counts[("team", State.SENT)] == 10
    assert counts[("team", State.SUMMARISED)] == 2


@pytest.mark.parametrize("case", list(QUIET_CASES))
async def test_nothing_goes_out_in_quiet_hours_whenever_it_was_queued(
    store: Store, case: str
) -> None:
    """A delivery due inside quiet hours (a retry, a cap, quiet hours set since it was
    queued) waits for their end: the policy is checked when sending, not only when queuing."""
    policies, chats, target = QUIET_CASES[case]
    clock = Clock(at("2026-03-10", "17:17"))
    p = await pipeline(store, clock, policies=policies, chats=chats)
    item = {"title": "OpenAI news", "date": "2026-03-10"}
    await store.commit_digest(
        "h",
        "a.md",
        [NewStory("s1", ("s1",), "OpenAI news", None, "src", item)],
        [],
        [NewDelivery("s1", target, ("ai",), 1.0, clock.now - 60, item)],
        clock.now,
    )
    await p.dispatcher.drain()
    assert p.pushed == []
    assert await store.next_due() == at("2026-03-10", "19:00")
    assert (await store.counts())[(target, State.QUEUED)] == 1
    clock.now = at("2026-03-10", "19:00")
    await p.dispatcher.drain()
    assert [p.at for p in p.pushed] == [clock.now]
    assert dt.datetime.fromtimestamp(p.pushed[0].at, SHANGHAI).hour == 19
