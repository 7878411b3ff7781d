"""Subscription numbers per chat (#1, #2 …), on SQLite and PostgreSQL: stable, never
reused within a chat, backfilled for existing stores, unique under concurrent adds."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from notifier.store import Store, open_store
from notifier.store.schema import migrations
from notifier.subscriptions.model import Chat

NOW = 1_760_000_000.0
ROOT = Path(__file__).resolve().parents[2]


async def test_numbers_count_per_chat_and_are_never_reused(store: Store) -> None:
    subs = store.subscriptions
    for chat in (1, 2):
        await subs.save_chat(Chat(chat, created_at=NOW))
    a1 = await subs.add(1, "a", 1, NOW)
    b1 = await subs.add(2, "b", 2, NOW)
    a2 = await subs.add(1, "c", 1, NOW)
    a3 = await subs.add(1, "d", 1, NOW)
    assert [(s.chat_id, s.number) for s in (a1, b1, a2, a3)] == [(1, 1), (2, 1), (1, 2), (1, 3)]
    assert [s.number for s in await subs.subscriptions(1)] == [1, 2, 3]
    # Deleting #2 leaves #3 alone; deleting the highest does not free its number either.
    await subs.remove(1, a2.id)
    await subs.remove(1, a3.id)
    a4 = await subs.add(1, "e", 1, NOW)
    assert a4.number == 4
    assert [(s.number, s.expr) for s in await subs.subscriptions(1)] == [(1, "a"), (4, "e")]
    assert await subs.numbered(1, 4) == a4
    assert await subs.numbered(1, 2) is None
    assert await subs.numbered(2, 4) is None  # another chat's number
    # Even a chat emptied by /unsub all goes on counting.
    await subs.remove(1)
    assert (await subs.add(1, "f", 1, NOW)).number == 5


async def test_settings_saved_again_keep_the_counter(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    first = await subs.add(1, "a", 1, NOW)
    await subs.remove(1, first.id)
    await subs.save_chat(Chat(1, lang="zh"))  # /lang, /tz … rewrite the chat's row
    assert (await subs.add(1, "b", 1, NOW)).number == 2


async def test_migration_to_a_new_supergroup_keeps_the_numbers(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(-5, kind="group", created_at=NOW))
    for word in ("a", "b", "c"):
        await subs.add(-5, word, 1, NOW)
    await subs.remove(-5, (await subs.numbered(-5, 2)).id)  # type: ignore[union-attr]
    await subs.migrate(-5, -1005)
    assert [(s.number, s.expr) for s in await subs.subscriptions(-1005)] == [(1, "a"), (3, "c")]
    assert (await subs.add(-1005, "d", 1, NOW)).number == 4


async def test_migration_into_a_known_chat_numbers_after_its_own(store: Store) -> None:
    subs = store.subscriptions
    await subs.save_chat(Chat(-5, kind="group", created_at=NOW))
    await subs.save_chat(Chat(-1005, kind="supergroup", created_at=NOW))
    await subs.add(-5, "a", 1, NOW)
    await subs.add(-5, "b", 1, NOW)
    await subs.add(-1005, "x", 1, NOW)
    await subs.migrate(-5, -1005)
    got = [(s.number, s.expr) for s in await subs.subscriptions(-1005)]
    assert sorted(got) == [(1, "x"), (2, "a"), (3, "b")]
    assert (await subs.add(-1005, "y", 1, NOW)).number == 4


# -- existing stores --------------------------------------------------------------------------

#: (chat, expr) in id order; the row of id 4 is deleted before the upgrade.
OLD_ROWS = [(1, "a"), (2, "b"), (1, "c"), (1, "gone"), (2, "d"), (1, "e")]


def _old_sqlite(path: Path) -> None:
    """A store at schema version 4 (before numbers) with subscriptions in two chats."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for version, sql in migrations("sqlite"):
        if version <= 4:
            db.executescript(sql)
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    _old_rows(db.execute)
    db.close()


def _old_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for version, sql in migrations("postgresql"):
            if version <= 4:
                conn.execute(sql.encode())
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
        _old_rows(lambda sql, args=(): conn.execute(sql.replace("?", "%s"), args))


def _old_rows(run: Callable[..., Any]) -> None:
    for chat in (1, 2, 3):
        run("INSERT INTO chats (chat_id, created_at) VALUES (?, 1)", (chat,))
    for chat, expr in OLD_ROWS:
        run("INSERT INTO subscriptions (chat_id, expr, created_at) VALUES (?, ?, 1)", (chat, expr))
    run("DELETE FROM subscriptions WHERE expr = 'gone'")


@pytest.fixture(params=["sqlite", "postgresql"])
def old_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a store at schema version 4 that holds subscriptions."""
    if request.param == "sqlite":
        _old_sqlite(tmp_path / "old.db")
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        _old_postgres(url)
        yield url


async def test_upgrade_numbers_existing_subscriptions_in_id_order(old_store: str) -> None:
    async with open_store(old_store) as store:
        subs = store.subscriptions
        one = await subs.subscriptions(1)
        assert [(s.number, s.expr) for s in one] == [(1, "a"), (2, "c"), (3, "e")]
        assert [s.id for s in one] == sorted(s.id for s in one)
        assert [(s.number, s.expr) for s in await subs.subscriptions(2)] == [(1, "b"), (2, "d")]
        assert (await subs.add(1, "new", 1, NOW)).number == 4
        assert (await subs.add(2, "new", 1, NOW)).number == 3
        assert (await subs.add(3, "new", 1, NOW)).number == 1


async def test_a_number_is_unique_within_its_chat(old_store: str) -> None:
    async with open_store(old_store):
        pass
    if old_store.startswith("sqlite"):
        db = sqlite3.connect(old_store.removeprefix("sqlite:///"))
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE subscriptions SET number = 1 WHERE expr = 'c'")
        db.close()
    else:
        import psycopg

        with (
            psycopg.connect(old_store, autocommit=True) as conn,
            pytest.raises(psycopg.errors.UniqueViolation),
        ):
            conn.execute("UPDATE subscriptions SET number = 1 WHERE expr = 'c'")


# -- concurrent /sub from two processes -------------------------------------------------------

ADDER = """
import asyncio, json, sys
from notifier.store import open_store

async def main(url: str, tag: str, n: int) -> None:
    async with open_store(url) as store:
        print("ready", flush=True)
        sys.stdin.readline()  # every process starts adding at once
        out = []
        for i in range(n):
            sub = await store.subscriptions.add(1, f"{tag}{i}", None, 1.0)
            out.append([sub.id, sub.number])
        print(json.dumps(out), flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_concurrent_adds_from_two_processes_get_distinct_numbers(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else None
    url = url or f"sqlite:///{tmp_path / 'n.db'}"
    async with open_store(url) as store:
        await store.subscriptions.save_chat(Chat(1, created_at=NOW))
    each = 25
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            ADDER,
            url,
            tag,
            str(each),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for tag in ("p", "q")
    ]
    async with asyncio.timeout(60):
        for proc in procs:
            assert proc.stdout is not None
            assert (await proc.stdout.readline()).strip() == b"ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
        outputs = [await proc.communicate() for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    got = [json.loads(out) for out, _ in outputs]
    numbers = sorted(number for added in got for _, number in added)
    assert numbers == list(range(1, 2 * each + 1))
    for added in got:  # each process saw its own numbers grow
        assert [n for _, n in added] == sorted(n for _, n in added)
    async with open_store(url) as store:
        stored = await store.subscriptions.subscriptions(1)
        assert sorted(s.number for s in stored) == numbers
        assert (await store.subscriptions.add(1, "last", None, NOW)).number == 2 * each + 1
