"""A store that fails for a while stops nothing: the dispatcher, the heartbeat and the
service wait it out (one log line, backoff), record what a send did once the store is back,
hand a digest back to its source when it could not be committed, and /healthz says so."""

from __future__ import annotations

import asyncio
import collections
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from channels.base import Result
from channels.console import ConsoleChannel
from channels.ratelimit import Window
from notifier.delivery.policy import Policy
from notifier.errors import DigestError, StoreError
from notifier.pipeline.dispatch import Dispatcher
from notifier.pipeline.service import Service
from notifier.pipeline.targets import Targets
from notifier.pipeline.workers import Heartbeat
from notifier.sources import Digest
from notifier.store import NewDelivery, NewStory, State, Store, open_store
from tests.pipeline.conftest import digest, write_config
from tests.sources.helpers import until

STORIES = 5


class Flaky:
    """A store whose calls raise StoreError while ``down``, or for the next ``fail[name]``
    calls of a method; everything else goes to the real store."""

    def __init__(self, store: Store) -> None:
        self.inner = store
        self.url = store.url
        self.down = False
        self.fail: collections.Counter[str] = collections.Counter()
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        async def call(*args: Any, **kw: Any) -> Any:
            if self.down or self.fail[name] > 0:
                self.fail[name] = max(0, self.fail[name] - 1)
                self.failures += 1
                raise StoreError("sqlite:///n.db", "down for the test", "wait")
            return await attr(*args, **kw)

        return call


class Recorder(ConsoleChannel):
    """A console target that keeps the entries it sent instead of printing them."""

    sent: list[str]

    async def deliver(self, payload: Any) -> Result:
        self.sent.append(str(payload))
        return await super().deliver("")


class Limited(Recorder):
    """A Recorder with a rate limit: each part takes a slot in the store's shared limits."""

    windows = (Window(1000, 60.0),)


class Phone:
    """The target ``phone``: a Recorder (``limited``: with a shared rate limit)."""

    def __init__(self, limited: bool = False) -> None:
        self.sent: list[str] = []
        self.kind = Limited if limited else Recorder

    def knows(self, name: str) -> bool:
        return name == "phone"

    def channel(self, name: str, new_address: str | None = None) -> Recorder:
        channel = self.kind(name, {"stream": "stderr"})
        channel.sent = self.sent
        return channel

    def policy(self, name: str) -> Policy:
        return Policy(max_items=1)


@pytest.fixture
async def queued(tmp_path: Path) -> AsyncIterator[Store]:
    """A SQLite store with STORIES deliveries to ``phone``, due now."""
    now = time.time()
    stories = [
        NewStory(f"s{i}", (f"s{i}",), f"story {i}", None, "src", {}) for i in range(STORIES)
    ]
    wanted = [
        NewDelivery(s.id, "phone", ("ai",), 1.0, now - 1, {"title": s.title}) for s in stories
    ]
    async with open_store(f"sqlite:///{tmp_path}/n.db") as store:
        await store.commit_digest("h", "a.md", stories, [], wanted, now)
        yield store


def dispatcher(store: Flaky, phone: Phone) -> Dispatcher:
    found = Dispatcher(store, Targets([phone]), poll=0.05)  # type: ignore[arg-type]
    found.outage.first, found.outage.longest = 0.01, 0.05  # fast backoff for the test
    return found


def titles(phone: Phone) -> collections.Counter[str]:
    return collections.Counter(
        line.strip("- ") for message in phone.sent for line in message.splitlines()
    )


async def test_the_dispatcher_waits_out_an_outage_and_logs_it_once(
    queued: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="notifier")
    store, phone = Flaky(queued), Phone()
    store.down = True
    worker = dispatcher(store, phone)
    task = asyncio.create_task(worker.run())
    await until(lambda: store.failures >= 5)
    assert not task.done()  # today: the first StoreError ends run()
    store.down = False
    await until(lambda: len(phone.sent) == STORIES)
    store.down = True
    await worker.stop(1.0)  # releasing fails: logged, not raised
    await asyncio.wait_for(task, 30)
    assert titles(phone) == {f"[1.0] story {i} (ai)": 1 for i in range(STORIES)}
    lines = [r for r in caplog.records if "the store failed" in r.getMessage()]
    assert len(lines) == 1
    assert any("works again" in r.getMessage() for r in caplog.records)
    assert all(r.exc_info is None for r in caplog.records)


async def test_what_a_send_did_is_recorded_once_the_store_takes_it(queued: Store) -> None:
    """Recording the sends fails three times: they are recorded when the store is back, and
    nothing is sent twice (a claim left 'sending' would go again after its lease)."""
    store, phone = Flaky(queued), Phone()
    store.fail["finish"] = 3
    await asyncio.wait_for(dispatcher(store, phone).drain(), 30)
    assert store.fail["finish"] == 0
    assert await queued.counts() == {("phone", State.SENT): STORIES}
    assert set(titles(phone).values()) == {1}


class LostAnswer(Flaky):
    """The first claim is committed, then its answer is lost (the connection broke)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.lost = 1

    async def claim(self, *args: Any) -> Any:
        claimed = await self.inner.claim(*args)
        if self.lost:
            self.lost -= 1
            raise StoreError("postgresql://db/n", "lost the connection to PostgreSQL")
        return claimed


async def test_a_claim_whose_answer_was_lost_does_not_wait_for_its_lease(
    queued: Store,
) -> None:
    """The deliveries the lost claim took are this worker's: they go back to the queue as
    soon as the store answers again, not a lease (10 minutes) later."""
    store, phone = LostAnswer(queued), Phone()
    worker = dispatcher(store, phone)
    task = asyncio.create_task(worker.run())
    await until(lambda: len(phone.sent) == STORIES)
    await worker.stop(1.0)
    await asyncio.wait_for(task, 30)
    assert store.lost == 0
    assert await queued.counts() == {("phone", State.SENT): STORIES}


async def test_a_slot_the_store_could_not_give_is_not_a_failed_attempt(queued: Store) -> None:
    """Taking a slot in the shared limits fails: nothing was sent, the delivery waits for
    the store, not for a channel's backoff, and its attempts do not count it."""
    store, phone = Flaky(queued), Phone(limited=True)
    store.fail["take_slot"] = 3
    worker = dispatcher(store, phone)
    task = asyncio.create_task(worker.run())
    await until(lambda: len(phone.sent) == STORIES)
    await worker.stop(1.0)
    await asyncio.wait_for(task, 30)
    assert store.fail["take_slot"] == 0
    done = await queued.deliveries()
    assert [(d.state, d.attempts) for d in done] == [(State.SENT, 1)] * STORIES


async def test_the_heartbeat_logs_one_line_per_outage(
    queued: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="notifier")
    store = Flaky(queued)
    store.down = True
    beat = Heartbeat(store, "w1", "all")  # type: ignore[arg-type]
    beat.every = 0.01
    task = asyncio.create_task(beat.run())
    await until(lambda: store.failures >= 10)
    store.down = False
    await until(lambda: any("works again" in r.getMessage() for r in caplog.records))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    failed = [r for r in caplog.records if "heartbeat" in r.getMessage()]
    assert len(failed) == 2  # failed, works again


def service(tmp_path: Path) -> Service:
    config = write_config(
        tmp_path,
        "phone: {type: console, stream: stderr}",
        extra=f"store: sqlite:///{tmp_path}/n.db\n",
    )
    return Service(config)


async def test_emit_raises_a_store_failure_so_the_source_keeps_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A digest that could not be committed goes back to its source (which tries again
    later); one that cannot be read is only logged (trying again would not help)."""
    found = service(tmp_path)

    def failing(exc: Exception) -> Callable[[Digest], Awaitable[None]]:
        async def ingest(d: Digest) -> None:
            raise exc

        return ingest

    data = Digest(digest(2), "a.md", "inbox")
    monkeypatch.setattr(found.ingestor, "ingest", failing(StoreError("s", "down")))
    with pytest.raises(StoreError):
        await found.emit(data)
    monkeypatch.setattr(found.ingestor, "ingest", failing(DigestError("a.md", "not a digest")))
    await found.emit(data)


async def test_health_is_unavailable_while_the_store_fails_and_says_why(tmp_path: Path) -> None:
    found = service(tmp_path)
    async with found.store:
        flaky = Flaky(found.store)
        found.store = flaky  # type: ignore[assignment]
        assert (await found.health())["status"] == "ok"
        flaky.down = True
        health = await found.health()
        assert health["status"] == "unavailable"
        assert health["error"] == "store: down for the test"
        assert "sqlite" not in str(health)  # anyone may read /healthz: no store URL
        flaky.down = False
        assert (await found.health())["status"] == "ok"
