"""Sustained matches per second through ingest → store → dispatch, no rate limits.

The pipeline's own parts, in this process, as ``notifier run`` wires them
(:class:`~notifier.pipeline.ingest.Ingestor`, :class:`~notifier.pipeline.dispatch.Dispatcher`,
the config's rules and targets); the targets are ntfy channels whose rate limiter never
waits, sending to the ntfy fake of ``bench/_fakes.py`` in another process (limits lifted).
Every item of every digest matches one rule that notifies every target: a match is one
(story, target) delivery, sent in messages of up to 10 entries (the default ``max_items``).

- ingest: every digest through ``Ingestor.ingest`` (parse, dedup, match, commit), nothing
  sent; matches queued per second;
- dispatch: then ``Dispatcher.drain`` (claim, render, send, record); matches sent per second;
- end to end: on another store, the dispatcher runs while the digests are ingested one
  after another as fast as they go; matches sent per second, from the first digest to the
  last delivery recorded.

Baselines, same run and digests: the engine alone (parse + match, no store, nothing
sent); the channels alone (the same items as entries in messages of 10, sent to every
target, one task per target, no store); and the store's raw insert rate (the same
deliveries' rows inserted into the ``deliveries`` table with one ``executemany`` in one
transaction).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from _latency import WORDS

from channels.ratelimit import RateLimiter
from notifier.config import load_config
from notifier.parse import parse_bytes
from notifier.pipeline.dispatch import Dispatcher
from notifier.pipeline.ingest import Ingestor
from notifier.pipeline.matching import RuleMatcher
from notifier.pipeline.targets import ConfigTargets, Targets
from notifier.sources.base import Digest
from notifier.store import Outcome, State, Store


class Unlimited(Targets):
    """The config's targets, with rate limiters that never wait."""

    def channel(self, name: str, new_address: str | None = None):  # type: ignore[no-untyped-def]
        built = name in self._channels
        channel = super().channel(name, new_address)
        if channel is not None and not built:
            channel.limiter = RateLimiter(())
        return channel


def digests(count: int, items: int, seed: int) -> list[bytes]:
    """``count`` markdown digests of ``items`` new stories each, all about OpenAI."""
    rng = random.Random(seed)
    day = time.strftime("%Y-%m-%d", time.gmtime())
    out = []
    for d in range(count):
        lines = [f"# Bench daily {day} #{d}", ""]
        for i in range(1, items + 1):
            words = [rng.choice(WORDS) for _ in range(7)]
            words.insert(rng.randrange(8), "OpenAI")
            summary = " ".join(rng.choice(WORDS) for _ in range(40))
            lines.append(f"{i}. [{' '.join(words)}](https://bench.example/{seed}/{d}/{i})")
            lines.append(f"   {summary}")
        out.append("\n".join(lines).encode())
    return out


def write_config(folder: Path, store: str, ntfy: str, targets: int) -> Path:
    channels = "".join(
        f"  p{i}: {{type: ntfy, server: '{ntfy}', topic: p{i}}}\n" for i in range(targets)
    )
    notify = ", ".join(f"p{i}" for i in range(targets))
    path = folder / "rules.yaml"
    path.write_text(
        f"store: {store}\nchannels:\n{channels}rules:\n"
        f"  - {{name: bench, any: [OpenAI], notify: [{notify}]}}\n",
        encoding="utf-8",
    )
    return path


@dataclasses.dataclass
class Parts:
    """The pipeline of one store."""

    store: Store
    ingestor: Ingestor
    dispatcher: Dispatcher
    targets: Targets
    sent: int = 0
    expected: int = 0
    done: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


def build(config_path: Path, store: Store) -> Parts:
    """Wire the parts as :class:`~notifier.pipeline.service.Service` does."""
    config = load_config(config_path)
    targets = Unlimited([ConfigTargets(config.channels, config.delivery)])
    matcher = RuleMatcher(config.rules, traditional=config.settings.fold_traditional)
    dispatcher = Dispatcher(store, targets)
    ingestor = Ingestor(
        store, [matcher], targets.policy, known_target=targets.knows, on_queued=dispatcher.wake
    )
    parts = Parts(store, ingestor, dispatcher, targets)
    finish = store.finish

    async def counted(ids, outcome: Outcome, now: float) -> None:  # type: ignore[no-untyped-def]
        await finish(ids, outcome, now)
        if outcome.state is State.SENT:
            parts.sent += len(ids)
            if parts.sent >= parts.expected:
                parts.done.set()

    store.finish = counted  # type: ignore[method-assign]
    return parts


def _digest(data: bytes, n: int) -> Digest:
    return Digest(data, origin=f"bench-{n}.md", source="bench", filename=f"bench-{n}.md")


@dataclasses.dataclass
class Stages:
    """Matches per second of each stage, and whether every match was sent once."""

    ingest: float
    dispatch: float
    end_to_end: float
    matches: int
    complete: bool


async def staged(parts: Parts, data: list[bytes]) -> tuple[float, float, int]:
    """Ingest everything, then drain: (ingest matches/s, dispatch matches/s, matches)."""
    async with parts.store:
        started = time.perf_counter()
        matches = 0
        for n, body in enumerate(data):
            matches += (await parts.ingestor.ingest(_digest(body, n))).deliveries
        ingested = time.perf_counter()
        parts.expected = matches
        try:
            await parts.dispatcher.drain()
        finally:
            await parts.targets.aclose()
        drained = time.perf_counter()
    return matches / (ingested - started), parts.sent / (drained - ingested), matches


async def end_to_end(parts: Parts, data: list[bytes], matches: int) -> float:
    """Ingest while the dispatcher runs; matches sent per second until the last one."""
    parts.expected = matches
    async with parts.store:
        runner = asyncio.create_task(parts.dispatcher.run())
        started = time.perf_counter()
        for n, body in enumerate(data):
            await parts.ingestor.ingest(_digest(body, n))
        await asyncio.wait_for(parts.done.wait(), 600)
        elapsed = time.perf_counter() - started
        await parts.dispatcher.stop(5)
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await parts.targets.aclose()
    return parts.sent / elapsed


async def all_sent(store: Store, matches: int, targets: list[str]) -> bool:
    """Every delivery of the benchmark's targets SENT."""
    async with store:
        counts = await store.counts()
    mine = {k: n for k, n in counts.items() if k[0] in targets}
    return {s for _, s in mine} == {State.SENT} and sum(mine.values()) == matches


def engine_alone(config_path: Path, data: list[bytes]) -> float:
    """Matches per second of parse + match alone."""
    config = load_config(config_path)
    matcher = RuleMatcher(config.rules, traditional=config.settings.fold_traditional)
    started = time.perf_counter()
    matches = 0
    for n, body in enumerate(data):
        items = parse_bytes(body, f"bench-{n}.md", filename=f"bench-{n}.md").items
        matches += sum(len(found) for found in matcher.match_digest(items))
    return matches / (time.perf_counter() - started)


async def channel_alone(config_path: Path, data: list[bytes], targets: int) -> float:
    """Matches per second of the channels alone: the same items, as entries in messages
    of 10, sent to every target (one task per target, as the dispatcher does), no store."""
    from channels.base import Entry, Message

    config = load_config(config_path)
    channels = Unlimited([ConfigTargets(config.channels, config.delivery)])
    entries = [
        Entry(i.title, i.url, i.summary, i.source or "", i.section, i.date, 1.0, "bench")
        for n, body in enumerate(data)
        for i in parse_bytes(body, f"bench-{n}.md", filename=f"bench-{n}.md").items
    ]
    messages = [Message(tuple(entries[s : s + 10])) for s in range(0, len(entries), 10)]

    async def send_all(name: str) -> int:
        channel = channels.channel(name)
        assert channel is not None
        return sum([(await channel.send(m)).sent_entries for m in messages])

    for i in range(targets):  # warm up: connections, first renders
        await channels.channel(f"p{i}").send(Message(entries[:1]))  # type: ignore[union-attr]
    started = time.perf_counter()
    sent = await asyncio.gather(*(send_all(f"p{i}") for i in range(targets)))
    elapsed = time.perf_counter() - started
    await channels.aclose()
    return sum(sent) / elapsed


def raw_inserts(path: str, rows: int) -> float:
    """Delivery rows per second inserted with one executemany in one transaction."""
    entry = json.dumps(
        {"title": "t " * 25, "url": "https://bench.example/x", "summary": "s" * 240}
    )
    data = [
        (f"raw-{i // 8}", f"p{i % 8}", '["bench"]', 1.0, "queued", 1.0, 1.0, entry)
        for i in range(rows)
    ]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO deliveries (story_id, target, rules, score, state, due_at, created_at, "
        "entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        data,
    )
    db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return rows / elapsed


async def measure(
    folder: Path,
    ntfy: str,
    targets: int,
    data: list[bytes],
    prepare: Callable[[str], str],
    open_store: Callable[[str], Store],
) -> Stages:
    """Both runs on stores made by ``prepare(name)`` (which returns a store URL)."""
    url = prepare("staged")
    config = write_config(folder, url, ntfy, targets)
    ingest, dispatch, matches = await staged(build(config, open_store(url)), data)
    names = [f"p{i}" for i in range(targets)]
    complete = await all_sent(open_store(url), matches, names)
    url = prepare("end-to-end")
    config = write_config(folder, url, ntfy, targets)
    rate = await end_to_end(build(config, open_store(url)), data, matches)
    complete &= await all_sent(open_store(url), matches, names)
    return Stages(ingest, dispatch, rate, matches, complete)
