"""PostgreSQL only: concurrent workers and ingest processes, migrations, SQLite parity."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from notifier.errors import StoreError
from notifier.store import NewDelivery, NewStory, Outcome, SeenAgain, State, Store, open_store
from notifier.store.postgres import PostgresStore
from notifier.store.schema import migrations

TARGETS = ("t1", "t2", "t3")


def story(sid: str, *keys: str, source: str = "s1") -> NewStory:
    return NewStory(
        id=sid,
        keys=(sid, *keys),
        title=f"title {sid}",
        url=f"https://example.com/{sid}",
        source=source,
        item={"id": sid, "title": f"标题 {sid}", "tags": ["AI", "芯片"], "z": 1, "a": None},
        simhash=-(2**63) + 7,
        published=1_700_000_000,
    )


def delivery(sid: str, target: str = "t1", score: float = 1.0) -> NewDelivery:
    entry = {"title": f"标题 {sid}", "url": f"https://example.com/{sid}", "score": score}
    return NewDelivery(sid, target, ("r1", "规则"), score, 0, entry, backlog=sid.endswith("0"))


@pytest.fixture
async def stores(pg_url: str) -> AsyncIterator[list[Store]]:
    """Four stores on one database, each with its own pool: four processes, in effect."""
    opened = [PostgresStore(pg_url, max_size=2) for _ in range(4)]
    for s in opened:
        await s.open()
    yield opened
    for s in opened:
        await s.close()


async def test_concurrent_claims_never_hand_out_a_delivery_twice(stores: list[Store]) -> None:
    """Eight workers on four pools drain the queue between them, each delivery exactly once."""
    stories = [story(f"s{i}") for i in range(150)]
    ds = [delivery(s.id, target, score=i % 7) for i, s in enumerate(stories) for target in TARGETS]
    await stores[0].commit_digest("h", "x", stories, [], ds, now=1)
    claimed: dict[int, str] = {}
    twice: list[int] = []
    start = asyncio.Barrier(8)

    async def worker(name: str, s: Store) -> None:
        await start.wait()
        for target in itertools.cycle(TARGETS):
            batch = await s.claim(target, name, now=10, lease=60, limit=5)
            for d in batch:
                if d.id in claimed:
                    twice.append(d.id)
                claimed[d.id] = name
            await s.finish([d.id for d in batch], Outcome(State.SENT), now=11)
            if not batch and not await s.due_targets(now=10):
                return

    await asyncio.gather(*(worker(f"w{i}", stores[i % 4]) for i in range(8)))
    assert twice == []
    assert len(claimed) == len(ds)
    assert len(set(claimed.values())) > 1  # the work was shared
    counts = await stores[0].counts()
    assert counts == {(t, State.SENT): 150 for t in TARGETS}


async def test_claims_skip_rows_another_transaction_holds(
    pg_url: str, stores: list[Store]
) -> None:
    """A claim does not wait for rows locked by another worker's open transaction."""
    stories = [story(f"s{i}") for i in range(4)]
    await stores[0].commit_digest("h", "x", stories, [], [delivery(s.id) for s in stories], 1)
    async with await psycopg.AsyncConnection.connect(pg_url) as other:
        # Another worker is mid-claim on the two best rows (its transaction is open).
        await other.execute("SELECT id FROM deliveries ORDER BY score DESC, id LIMIT 2 FOR UPDATE")
        got = await asyncio.wait_for(stores[1].claim("t1", "w", 5, 60, 10), timeout=30)
        assert [d.story_id for d in got] == ["s2", "s3"]
        await other.rollback()


async def test_concurrent_commits_of_one_story_queue_it_once(stores: list[Store]) -> None:
    """Two ingest processes committing the same stories (same id, or another id with a shared
    key) store each once and queue its deliveries once; the other side counts a sighting."""
    for round_ in range(10):
        a, b = f"a{round_}", f"b{round_}"
        # Writer 1 and writer 2 see the same two stories; writer 2 knows the second one under
        # another id but the same URL key.
        one = [story(a), story(b, f"url:{b}")]
        two = [story(a, source="s2"), story(f"{b}-alt", f"url:{b}", source="s2")]
        start = asyncio.Barrier(2)

        async def commit(
            s: Store, h: str, items: list[NewStory], barrier: Any = start, now: int = round_
        ) -> Any:
            ds = [delivery(i.id, t) for i in items for t in TARGETS]
            await barrier.wait()
            return await s.commit_digest(h, "x", items, [], ds, now=now)

        r1, r2 = await asyncio.gather(
            commit(stores[0], f"h1-{round_}", one), commit(stores[1], f"h2-{round_}", two)
        )
        assert r1.stories + r2.stories == 2
        assert r1.duplicates + r2.duplicates == 2
        assert r1.deliveries + r2.deliveries == 2 * len(TARGETS)
    counts = await stores[2].counts()
    assert counts == {(t, State.QUEUED): 20 for t in TARGETS}
    top = await stores[3].recent_stories(0, limit=100)
    assert len(top) == 20
    assert {s["sources"] for s in top} == {2}


async def test_crossed_keys_from_two_writers_still_queue_once(stores: list[Store]) -> None:
    """Keys shared in opposite orders (a possible deadlock, retried) still give one story
    per key and one delivery per story and target."""
    for round_ in range(3):
        k1, k2 = f"k1-{round_}", f"k2-{round_}"
        one = [story(f"a{round_}", k1), story(f"b{round_}", k2)]
        two = [story(f"c{round_}", k2, source="s2"), story(f"d{round_}", k1, source="s2")]
        ds1 = [delivery(s.id) for s in one]
        ds2 = [delivery(s.id) for s in two]
        r1, r2 = await asyncio.gather(
            stores[0].commit_digest(f"x{round_}", "x", one, [], ds1, now=1),
            stores[1].commit_digest(f"y{round_}", "y", two, [], ds2, now=1),
        )
        assert r1.stories + r2.stories == 2
        assert r1.deliveries + r2.deliveries == 2
    assert await stores[0].counts() == {("t1", State.QUEUED): 6}


async def test_migrations_run_once_when_processes_start_together(pg_url: str) -> None:
    """Several stores opening a fresh schema at once apply each migration exactly once."""
    many = [PostgresStore(pg_url, max_size=1) for _ in range(5)]
    await asyncio.gather(*(s.open() for s in many))
    for s in many:
        await s.close()
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        cur = await conn.execute("SELECT version FROM schema_version ORDER BY version")
        assert [v for (v,) in await cur.fetchall()] == [v for v, _ in migrations("postgresql")]


async def test_migrations_apply_new_files_in_order(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later migration file is applied on the next open, once, after the earlier ones."""
    async with PostgresStore(pg_url):
        pass
    import notifier.store.pg_pool as module  # where the migrations are applied

    real = module.migrations("postgresql")
    last = real[-1][0]
    extra = [
        (
            last + 2,
            "ALTER TABLE extra ADD COLUMN y TEXT; INSERT INTO extra (x, y) VALUES (1, 'a;b');",
        ),
        (last + 1, "-- a second migration\nCREATE TABLE extra (x INTEGER);"),
    ]
    monkeypatch.setattr(module, "migrations", lambda backend: sorted([*real, *extra]))
    for _ in range(2):
        async with PostgresStore(pg_url):
            pass
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        cur = await conn.execute("SELECT version FROM schema_version ORDER BY version")
        assert [v for (v,) in await cur.fetchall()] == [*(v for v, _ in real), last + 1, last + 2]
        cur = await conn.execute("SELECT x, y FROM extra")
        assert await cur.fetchall() == [(1, "a;b")]


async def test_values_read_back_as_sqlite_gives_them(pg_url: str, tmp_path: Path) -> None:
    """The same calls on both backends return equal values (types included)."""

    async def scenario(s: Store) -> list[Any]:
        stories = [story(f"s{i}") for i in range(3)]
        ds = [delivery(x.id, t, score=1.5) for x in stories for t in ("t1", "t2")]
        out: list[Any] = [await s.commit_digest("h", "x", stories, [], ds, now=100)]
        await s.commit_digest("h2", "y", [], [SeenAgain("s1", "s9", ("k9",))], [], now=101)
        claimed = await s.claim("t1", "w", now=102, lease=30, limit=2)
        await s.finish([claimed[0].id], Outcome(State.SENT), now=103)
        await s.finish([claimed[1].id], Outcome(State.QUEUED, due_at=200, error="HTTP 502"), 103)
        await s.set_target("t2", status="gone", last_error_at=104)
        await s.record_send("t1", 103)
        await s.save_source_state("feed", {"etag": "W/1", "n": [1, {"b": 2}]})
        out += [
            claimed,
            await s.deliveries(limit=10),
            await s.counts(),
            await s.recent_stories(0),
            await s.recent_fingerprints(0),
            await s.known_keys(["s0", "k9", "nope"]),
            await s.due_targets(now=300),
            await s.next_due(),
            await s.target_states(),
            await s.sends_since("t1", 0),
            await s.source_states(),
            await s.recover(now=1000),
            await s.requeue(all_dead=True, now=1),
        ]
        return out

    async with open_store(f"sqlite:///{tmp_path}/n.db") as lite:
        expected = await scenario(lite)
    async with open_store(pg_url) as pg:
        got = await scenario(pg)
    assert got == expected
    # Types too, but not of the claim: SQLite 3.40's RETURNING gives integer-valued REAL
    # columns as int (a later SELECT gives float); PostgreSQL gives float throughout.
    del got[1], expected[1]
    assert [type(v) for v in _flatten(got)] == [type(v) for v in _flatten(expected)]


async def test_unreachable_server_fails_on_open() -> None:
    """Opening a store whose server does not answer raises at once (no pool wait), a
    StoreError saying why and what to do."""
    s = PostgresStore("postgresql://nobody@127.0.0.1:1/none?connect_timeout=5")
    with pytest.raises(StoreError, match=r"Connection refused.*is PostgreSQL running") as caught:
        await s.open()
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)
    with pytest.raises(RuntimeError, match="not open"):
        await s.counts()


def _flatten(value: Any) -> list[Any]:
    """Every leaf value, for comparing types (``1 == 1.0`` hides an int/float mismatch)."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in (*_flatten(k), *_flatten(v))]
    if isinstance(value, list | tuple):
        return [leaf for v in value for leaf in _flatten(v)]
    if hasattr(value, "__dataclass_fields__"):
        return _flatten([getattr(value, f) for f in value.__dataclass_fields__])
    return [value]


async def test_only_dispatch_commits_skip_the_disk_wait(pg_url: str) -> None:
    """Dispatch transactions commit asynchronously; ingest ones as the server is set up;
    with durable=True, all of them."""
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        cur = await conn.execute("SHOW synchronous_commit")
        (server,) = await cur.fetchone() or ("?",)

    async def setting(s: PostgresStore, durable: bool) -> str:
        async with s._tx(durable=durable) as cur:
            await cur.execute("SHOW synchronous_commit")
            row = await cur.fetchone()
            return str(row[0]) if row else "?"

    async with PostgresStore(pg_url) as fast, PostgresStore(pg_url, durable=True) as safe:
        assert await setting(fast, durable=False) == "off"
        assert await setting(fast, durable=True) == server
        assert await setting(fast, durable=False) == "off"  # SET LOCAL ended with its tx
        assert await setting(safe, durable=False) == server
