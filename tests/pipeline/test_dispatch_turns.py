"""The dispatcher starts tasks a batch at a time, taking turns between target sources."""

from __future__ import annotations

import asyncio
from pathlib import Path

from channels.console import ConsoleChannel
from notifier.delivery.policy import Policy
from notifier.pipeline.dispatch import MAX_TASKS, Dispatcher, _turns
from notifier.pipeline.targets import Targets
from notifier.store import NewDelivery, NewStory, State, open_store

NOW = 1_760_000_000.0


class Prefixed:
    """Targets whose names start with ``prefix``, each printing to stderr."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def knows(self, name: str) -> bool:
        return name.startswith(self.prefix)

    def channel(self, name: str, new_address: str | None = None) -> ConsoleChannel:
        return ConsoleChannel(name, {"stream": "stderr"})

    def policy(self, name: str) -> Policy:
        return Policy()


def test_turns_interleave_sources_keeping_each_order() -> None:
    names = ["tg:1", "tg:2", "tg:3", "team", "tg:4", "ops"]
    group = Targets([Prefixed("tg:"), Prefixed("")]).group
    assert _turns(names, group) == ["tg:1", "team", "tg:2", "ops", "tg:3", "tg:4"]


async def test_a_broadcast_starts_in_batches_and_never_holds_a_configured_target_back(
    tmp_path: Path,
) -> None:
    chats = 3 * MAX_TASKS
    story = NewStory("s1", ("s1",), "Big news", None, "src", {"title": "Big news"})
    queued = [
        NewDelivery("s1", f"tg:{i}", ("sub:1",), 1.0, NOW - 60, {"title": "Big news"})
        for i in range(chats)
    ]
    # The configured target's delivery is the newest: earliest-due-first alone would put it
    # behind every chat of the broadcast.
    queued.append(NewDelivery("s1", "team", ("ai",), 1.0, NOW, {"title": "Big news"}))
    store = open_store(f"sqlite:///{tmp_path}/n.db")
    async with store:
        await store.commit_digest("h", "a.md", [story], [], queued, NOW)
        targets = Targets([Prefixed("tg:"), Prefixed("team")])
        dispatcher = Dispatcher(store, targets, clock=lambda: NOW)
        started = await dispatcher._round()
        assert started == MAX_TASKS == len(dispatcher._tasks)
        assert "team" in list(dispatcher._tasks)[:2]
        assert await dispatcher._round() == 0  # full: the next batch waits for room
        await asyncio.gather(*dispatcher._tasks.values())
        await dispatcher.drain()
        counts = await store.counts()
    assert counts[("team", State.SENT)] == 1
    assert sum(n for (_, state), n in counts.items() if state is State.SENT) == chats + 1
