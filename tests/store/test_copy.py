"""`copy_store`: everything of a store, into an empty one, SQLite to PostgreSQL and back."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from notifier.store import NewDelivery, NewStory, Outcome, SeenAgain, State, Store, open_store
from notifier.store.copy import (
    TABLE_ORDER,
    CopyError,
    copy_store,
    latest_version,
    redact_url,
    schema_version,
)

ODD = 0.1 + 0.2  # a float whose text form must survive exactly


def story(sid: str, source: str = "s1") -> NewStory:
    return NewStory(
        id=sid,
        keys=(sid, f"url:{sid}"),
        title=f"标题 {sid}",
        url=f"https://example.com/{sid}",
        source=source,
        item={"id": sid, "z": [1, {"b": None}], "a": "“引号” \\ ;"},
        simhash=-(2**63) + 1 if sid == "s0" else 2**63 - 1,
        published=ODD,
    )


async def populate(s: Store) -> None:
    """A store in every state a running service leaves behind."""
    stories = [story(f"s{i}") for i in range(6)]
    ds = [
        NewDelivery(x.id, t, ("r1", "规则"), i + ODD, ODD, {"title": x.title}, backlog=i % 2 == 0)
        for i, x in enumerate(stories)
        for t in ("t1", "t2")
    ]
    await s.commit_digest("h1", "a.md", stories, [], ds, now=100 + ODD)
    await s.commit_digest("h2", "b.md", [], [SeenAgain("s1", "s2", ("k:extra",))], [], now=101)
    sent, failed, dead, *_ = await s.claim("t1", "w1", now=102, lease=60, limit=10)
    await s.finish([sent.id], Outcome(State.SENT), now=103)
    await s.finish([failed.id], Outcome(State.QUEUED, due_at=500, error="HTTP 502"), now=103)
    await s.finish([dead.id], Outcome(State.DEAD, error="bad signature"), now=103)
    await s.claim("t2", "w2", now=104, lease=30, limit=2)  # left in flight: SENDING
    await s.set_target("t2", status="gone", detail="blocked", last_error_at=ODD)
    await s.record_send("t1", 103, messages=2)
    await s.save_source_state("feed", {"etag": 'W/"1"', "errors": [None, 1.5]})


async def view(s: Store) -> list[Any]:
    """Everything the Store interface shows."""
    return [
        await s.deliveries(limit=1000),
        await s.counts(),
        await s.recent_stories(0, limit=1000),
        await s.recent_fingerprints(0),
        await s.known_keys([f"url:s{i}" for i in range(6)] + ["k:extra"]),
        await s.target_states(),
        await s.sends_since("t1", 0),
        await s.source_states(),
        await s.digest_seen("h2"),
    ]


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a SQLite file, in a stable order."""
    db = sqlite3.connect(path)
    try:
        out = {}
        for table in TABLE_ORDER:
            rows = db.execute(f"SELECT * FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        db.close()


@pytest.fixture
async def source(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/source.db"
    async with open_store(url) as s:
        await populate(s)
    return url


async def test_sqlite_to_sqlite_copies_every_row(source: str, tmp_path: Path) -> None:
    """A copy holds exactly the rows of the original, ids included."""
    seen: list[tuple[str, int, int]] = []
    report = await copy_store(
        source, f"sqlite:///{tmp_path}/copy.db", progress=lambda *a: seen.append(a)
    )
    assert dump(tmp_path / "copy.db") == dump(tmp_path / "source.db")
    assert report.tables["deliveries"] == 12
    assert report.tables["stories"] == 6
    assert report.version == latest_version(source)
    assert ("deliveries", 12, 12) in seen


async def test_round_trip_through_postgresql(source: str, pg_url: str, tmp_path: Path) -> None:
    """SQLite → PostgreSQL → SQLite gives back the same rows, and PostgreSQL shows the same
    store through the interface; new deliveries there get ids after the copied ones."""
    there = await copy_store(source, pg_url)
    back = await copy_store(pg_url, f"sqlite:///{tmp_path}/back.db")
    assert there.tables == back.tables
    assert dump(tmp_path / "back.db") == dump(tmp_path / "source.db")
    async with open_store(source) as lite, open_store(pg_url) as pg:
        assert await view(pg) == await view(lite)
        fresh = [NewDelivery("new", t, ("r1",), 1.0, 0.0, {}) for t in ("t1", "t3")]
        await pg.commit_digest("h3", "c.md", [story("new")], [], fresh, now=200)
        ids = [d.id for d in await pg.deliveries(limit=1000)]
        assert len(ids) == len(set(ids))
        assert sorted(ids)[-2:] == [13, 14]


async def test_a_store_with_data_is_not_overwritten(source: str, tmp_path: Path) -> None:
    """A destination that holds data is refused, and left as it was; replace=True empties it."""
    dest = f"sqlite:///{tmp_path}/dest.db"
    async with open_store(dest) as s:
        await s.save_source_state("mine", {"x": 1})
    with pytest.raises(CopyError, match="not empty"):
        await copy_store(source, dest)
    assert dump(tmp_path / "dest.db")["sources"] == [("mine", '{"x": 1}')]
    await copy_store(source, dest, replace=True)
    assert dump(tmp_path / "dest.db") == dump(tmp_path / "source.db")


async def test_a_failed_copy_leaves_the_destination_empty(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The destination is written in one transaction: after a failure, a new copy works."""
    import notifier.store.copy as module

    def boom(row: Any, columns: Any, kinds: Any) -> Any:
        if "attempts" in columns:
            raise RuntimeError("disk on fire")
        return real(row, columns, kinds)

    real = module._convert
    monkeypatch.setattr(module, "_convert", boom)
    dest = f"sqlite:///{tmp_path}/dest.db"
    with pytest.raises(RuntimeError, match="disk on fire"):
        await copy_store(source, dest)
    monkeypatch.setattr(module, "_convert", real)
    await copy_store(source, dest)
    assert dump(tmp_path / "dest.db") == dump(tmp_path / "source.db")


async def test_refuses_the_same_store_and_a_missing_source(source: str, tmp_path: Path) -> None:
    """Copying a store onto itself, or from a file that is not there, is an error."""
    with pytest.raises(CopyError, match="same store"):
        await copy_store(source, f"sqlite:///{tmp_path}/./source.db")
    with pytest.raises(CopyError, match="no such SQLite file"):
        await copy_store(f"sqlite:///{tmp_path}/nope.db", f"sqlite:///{tmp_path}/x.db")
    assert not (tmp_path / "nope.db").exists()


async def test_schema_version_reads_without_creating(tmp_path: Path) -> None:
    """The version of a store as it is: 0 for a missing file (still missing after)."""
    url = f"sqlite:///{tmp_path}/v.db"
    assert await schema_version(url) == 0
    assert not (tmp_path / "v.db").exists()
    async with open_store(url):
        pass
    assert await schema_version(url) == latest_version(url) >= 1


def test_redact_url_hides_passwords() -> None:
    """Passwords never reach the output, in the authority or as a parameter."""
    assert redact_url("postgresql://app:s3cret@db:5432/n") == "postgresql://app:***@db:5432/n"
    assert redact_url("postgresql://db/n?password=s3cret&x=1") == (
        "postgresql://db/n?password=***&x=1"
    )
    assert redact_url("postgresql://app@db/n") == "postgresql://app@db/n"
    assert redact_url("sqlite:///a:b@c.db") == "sqlite:///a:b@c.db"
