"""The embedded store: one SQLite file (WAL), safe against ``kill -9``.

Every method runs as one transaction on a single connection owned by one thread, so the
event loop never blocks on the disk and transactions never interleave. Several processes
may share the file (``notifier ingest`` from cron beside ``notifier run``): writes take the
lock up front (``BEGIN IMMEDIATE``) and wait for each other (``busy_timeout``).

``synchronous=NORMAL`` in WAL mode loses nothing when the *process* dies; a power cut may
lose the last transactions, never corrupt the file.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from notifier.delivery.shared_limits import longest
from notifier.delivery.shared_limits import slot_wait as _wait
from notifier.store.base import (
    Delivery,
    DigestCommit,
    Limit,
    NewDelivery,
    NewStory,
    Outcome,
    SeenAgain,
    State,
    Store,
    TargetState,
    Worker,
    delivery_from_row,
)
from notifier.store.failures import store_error
from notifier.store.schema import migrations

if TYPE_CHECKING:
    from notifier.subscriptions.model import SubscriptionStore

T = TypeVar("T")

_DELIVERY_COLUMNS = (
    "id, story_id, target, rules, score, state, due_at, created_at, attempts, entry, "
    "backlog, sent_at, last_error, claimed_by, lease_until"
)
#: ``heads(target, due)``: each active target with queued deliveries and its earliest
#: ``due_at``. A skip scan of the queued index, one probe per target, so that a dispatcher
#: round costs the same however many deliveries wait (a plain GROUP BY reads them all).
#: ``INDEXED BY``: without ANALYZE statistics SQLite would pick deliveries_state and sort.
_QUEUED = "deliveries d INDEXED BY deliveries_queued WHERE d.state = 'queued'"
_QUEUE_HEADS = (
    f"WITH RECURSIVE t(target) AS ("
    f"SELECT (SELECT d.target FROM {_QUEUED} ORDER BY d.target LIMIT 1) "
    f"UNION ALL SELECT (SELECT d.target FROM {_QUEUED} "
    f"AND d.target > t.target ORDER BY d.target LIMIT 1) FROM t WHERE t.target IS NOT NULL), "
    f"heads(target, due) AS (SELECT t.target, (SELECT d.due_at FROM {_QUEUED} "
    f"AND d.target = t.target ORDER BY d.due_at LIMIT 1) FROM t "
    "WHERE t.target IS NOT NULL AND t.target NOT IN "
    "(SELECT name FROM targets WHERE status != 'active'))"
)
_STORY_COLUMNS = "id, num, item, sources, first_seen, published"
_TARGET_FIELDS = (
    "status",
    "detail",
    "new_address",
    "last_sent_at",
    "last_error",
    "last_error_at",
)
#: How long the sends log is kept (hourly caps look one hour back).
_SENDS_KEPT = 2 * 3600.0
#: A worker whose last heartbeat is older than this is forgotten (it died long ago).
_WORKERS_KEPT = 24 * 3600.0
_WORKERS_SQL = (
    "SELECT id, host, pid, role, started_at, heartbeat_at, (SELECT COUNT(*) FROM deliveries d "
    "WHERE d.state = 'sending' AND d.claimed_by = w.id) FROM workers w ORDER BY id"
)


def sqlite_path(url: str) -> str:
    """The file of a ``sqlite:///path`` URL: what follows ``sqlite:///`` (SQLAlchemy's
    convention: ``sqlite:///rel.db``, ``sqlite:////abs/path.db``); a bare path as is."""
    for prefix in ("sqlite:///", "sqlite://", "sqlite:"):
        if url.startswith(prefix):
            return unquote(url[len(prefix) :]) or ":memory:"
    return url


class SQLiteStore(Store):
    """The :class:`~notifier.store.base.Store` on one SQLite file."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._db: sqlite3.Connection | None = None

    # -- plumbing --------------------------------------------------------------------------

    async def _run(self, fn: Callable[[sqlite3.Connection], T], write: bool = True) -> T:
        """Run ``fn(conn)`` in the store's thread as one transaction."""
        if self._pool is None:
            raise RuntimeError("store is not open")

        def tx() -> T:
            db = self._db
            assert db is not None
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                result = fn(db)
            except BaseException:
                if db.in_transaction:  # a corrupt file may have ended it already
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, tx)
        except sqlite3.Error as exc:  # a corrupt, locked or vanished file: a StoreError
            found = store_error(self.url, exc)
            if found is None:
                raise
            raise found from exc

    async def open(self) -> None:
        """Open the file (creating it and its folder) and migrate it.

        Raises:
            StoreError: the file cannot be opened, is not a database or is corrupt.
        """
        if self._pool is not None:
            return
        try:
            await self._open()
        except BaseException as exc:
            await self.close()
            found = store_error(self.url, exc, opening=True)
            if found is None or found is exc:
                raise
            raise found from exc

    async def _open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sqlite")

        def connect() -> None:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                db.execute("PRAGMA busy_timeout = 30000")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute("PRAGMA foreign_keys = ON")
            except BaseException:
                db.close()
                raise
            self._db = db

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._pool, connect)
        await self._run(_migrate)

    async def close(self) -> None:
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        db, self._db = self._db, None
        if db is not None:
            await asyncio.get_running_loop().run_in_executor(pool, db.close)
        pool.shutdown(wait=True)

    def _make_subscriptions(self) -> SubscriptionStore:
        from notifier.subscriptions.sqlite import SQLiteSubscriptions

        return SQLiteSubscriptions(self)

    # -- ingest ----------------------------------------------------------------------------

    async def known_keys(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(keys))

        def q(db: sqlite3.Connection) -> dict[str, str]:
            found: dict[str, str] = {}
            for chunk in _chunks(wanted, 500):
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT key, story_id FROM story_keys WHERE key IN ({marks})"
                found.update(db.execute(sql, chunk).fetchall())
            return found

        return await self._run(q, write=False)

    async def recent_fingerprints(self, since: float) -> list[tuple[str, int]]:
        sql = (
            "SELECT id, simhash FROM stories WHERE first_seen >= ? AND simhash IS NOT NULL "
            "ORDER BY first_seen"
        )
        return await self._run(lambda db: db.execute(sql, (since,)).fetchall(), write=False)

    async def digest_seen(self, digest_hash: str) -> bool:
        sql = "SELECT 1 FROM digests WHERE hash = ?"
        row = await self._run(lambda db: db.execute(sql, (digest_hash,)).fetchone(), False)
        return row is not None

    async def commit_digest(
        self,
        digest_hash: str,
        origin: str,
        stories: Sequence[NewStory],
        seen: Sequence[SeenAgain],
        deliveries: Sequence[NewDelivery],
        now: float,
    ) -> DigestCommit:
        def tx(db: sqlite3.Connection) -> DigestCommit:
            cur = db.execute(
                "INSERT INTO digests (hash, origin, seen_at) VALUES (?, ?, ?) "
                "ON CONFLICT (hash) DO NOTHING",
                (digest_hash, origin, now),
            )
            new_digest = cur.rowcount == 1
            stored: set[str] = set()
            again = list(seen)
            for story in stories:
                owner = _owner(db, story)
                if owner is not None:  # another writer stored it first: a repeat sighting
                    again.append(SeenAgain(owner, story.source, story.keys))
                    continue
                db.execute(
                    "INSERT INTO stories (id, title, url, source, item, simhash, first_seen, "
                    "last_seen, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        story.id,
                        story.title,
                        story.url,
                        story.source,
                        json.dumps(story.item, ensure_ascii=False),
                        story.simhash,
                        now,
                        now,
                        story.published,
                    ),
                )
                db.executemany(
                    "INSERT INTO story_keys (key, story_id) VALUES (?, ?) "
                    "ON CONFLICT (key) DO NOTHING",
                    [(key, story.id) for key in story.keys],
                )
                db.execute(
                    "INSERT INTO story_sources (story_id, source) VALUES (?, ?)",
                    (story.id, story.source),
                )
                stored.add(story.id)
            for sighting in again:
                _sighted(db, sighting, now)
            queued = 0
            for d in deliveries:
                if d.story_id not in stored:
                    continue
                cur = db.execute(
                    "INSERT INTO deliveries (story_id, target, rules, score, state, due_at, "
                    "created_at, entry, backlog) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?) "
                    "ON CONFLICT (story_id, target) DO NOTHING",
                    (
                        d.story_id,
                        d.target,
                        json.dumps(list(d.rules), ensure_ascii=False),
                        d.score,
                        d.due_at,
                        now,
                        json.dumps(d.entry, ensure_ascii=False),
                        int(d.backlog),
                    ),
                )
                queued += cur.rowcount
            return DigestCommit(new_digest, len(stored), len(again), queued)

        return await self._run(tx)

    async def recent_stories(self, since: float, limit: int = 50) -> list[dict[str, Any]]:
        sql = (
            "SELECT id, item, sources, first_seen FROM stories WHERE first_seen >= ? "
            "ORDER BY sources DESC, first_seen DESC LIMIT ?"
        )
        rows = await self._run(lambda db: db.execute(sql, (since, limit)).fetchall(), False)
        out = []
        for story_id, item, sources, first_seen in rows:
            data = json.loads(item)
            data.update(story_id=story_id, sources=sources, first_seen=first_seen)
            out.append(data)
        return out

    # -- reading ---------------------------------------------------------------------------

    async def stories_between(
        self, start: float, end: float, limit: int | None = None
    ) -> list[dict[str, Any]]:
        sql = (
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE COALESCE(published, first_seen) >= ? "
            "AND COALESCE(published, first_seen) < ? ORDER BY sources DESC, num LIMIT ?"
        )
        args = (start, end, -1 if limit is None else limit)
        rows = await self._run(lambda db: db.execute(sql, args).fetchall(), False)
        return [_story(row) for row in rows]

    async def story_stamp(self, start: float, end: float) -> tuple[int, int, int]:
        sql = (
            "SELECT COUNT(*), COALESCE(MAX(num), 0), COALESCE(SUM(sources), 0) FROM stories "
            "WHERE COALESCE(published, first_seen) >= ? AND COALESCE(published, first_seen) < ?"
        )
        row = await self._run(lambda db: db.execute(sql, (start, end)).fetchone(), False)
        return int(row[0]), int(row[1]), int(row[2])

    async def story_by_num(self, num: int) -> dict[str, Any] | None:
        sql = f"SELECT {_STORY_COLUMNS} FROM stories WHERE num = ?"
        row = await self._run(lambda db: db.execute(sql, (num,)).fetchone(), False)
        return _story(row) if row else None

    async def delivery_states(
        self, story_ids: Sequence[str]
    ) -> dict[str, list[tuple[str, State, int]]]:
        def q(db: sqlite3.Connection) -> list[Any]:
            rows = []
            for chunk in _chunks(list(dict.fromkeys(story_ids)), 500):
                marks = ",".join("?" * len(chunk))
                rows += db.execute(
                    "SELECT story_id, target, state, attempts FROM deliveries "
                    f"WHERE story_id IN ({marks}) ORDER BY story_id, target",
                    chunk,
                ).fetchall()
            return rows

        out: dict[str, list[tuple[str, State, int]]] = {}
        for story_id, target, state, attempts in await self._run(q, False):
            out.setdefault(story_id, []).append((target, State(state), attempts))
        return out

    # -- dispatch --------------------------------------------------------------------------

    async def due_targets(self, now: float) -> dict[str, float]:
        sql = f"{_QUEUE_HEADS} SELECT target, due FROM heads WHERE due <= ?"
        rows = await self._run(lambda db: db.execute(sql, (now,)).fetchall(), write=False)
        return dict(rows)

    async def next_due(self) -> float | None:
        sql = f"{_QUEUE_HEADS} SELECT MIN(due) FROM heads"
        row = await self._run(lambda db: db.execute(sql).fetchone(), write=False)
        return row[0]

    async def claim(
        self, target: str, worker: str, now: float, lease: float, limit: int
    ) -> list[Delivery]:
        def tx(db: sqlite3.Connection) -> list[Delivery]:
            # deliveries_claim (004) is in claim order: `limit` entries of a long queue are
            # read, the queue is never sorted (what SQLite picks without ANALYZE statistics).
            rows = db.execute(
                f"UPDATE deliveries SET state = 'sending', claimed_by = ?, lease_until = ? "
                f"WHERE id IN (SELECT id FROM deliveries INDEXED BY deliveries_claim "
                f"WHERE state = 'queued' AND target = ? AND due_at <= ? "
                f"ORDER BY score DESC, id LIMIT ?) "
                f"RETURNING {_DELIVERY_COLUMNS}",
                (worker, now + lease, target, now, limit),
            ).fetchall()
            counts = _source_counts(db, {row[1] for row in rows})
            out = [delivery_from_row(row, counts.get(row[1], 1), json.loads) for row in rows]
            out.sort(key=lambda d: (-d.score, d.id))
            return out

        return await self._run(tx)

    async def finish(self, ids: Sequence[int], outcome: Outcome, now: float) -> None:
        if not ids:
            return
        state = outcome.state

        def tx(db: sqlite3.Connection) -> None:
            for chunk in _chunks(list(ids), 500):
                marks = ",".join("?" * len(chunk))
                db.execute(
                    f"UPDATE deliveries SET state = ?, attempts = attempts + ?, "
                    f"due_at = COALESCE(?, due_at), last_error = COALESCE(?, last_error), "
                    f"sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
                    f"claimed_by = NULL, lease_until = NULL "
                    f"WHERE id IN ({marks}) AND state = 'sending'",
                    (
                        state.value,
                        int(outcome.attempted),
                        outcome.due_at,
                        outcome.error,
                        state.value,
                        now,
                        *chunk,
                    ),
                )

        await self._run(tx)

    async def recover(self, now: float) -> int:
        sql = (
            "UPDATE deliveries SET state = 'queued', claimed_by = NULL, lease_until = NULL "
            "WHERE state = 'sending' AND lease_until < ?"
        )
        return await self._run(lambda db: db.execute(sql, (now,)).rowcount)

    async def release(self, worker: str, target: str | None = None) -> int:
        sql = (
            "UPDATE deliveries SET state = 'queued', claimed_by = NULL, lease_until = NULL "
            "WHERE state = 'sending' AND claimed_by = ? AND (? IS NULL OR target = ?)"
        )
        return await self._run(lambda db: db.execute(sql, (worker, target, target)).rowcount)

    async def record_send(self, target: str, at: float, messages: int = 1) -> None:
        def tx(db: sqlite3.Connection) -> None:
            db.executemany(
                "INSERT INTO sends (target, at) VALUES (?, ?)", [(target, at)] * messages
            )
            db.execute("DELETE FROM sends WHERE target = ? AND at < ?", (target, at - _SENDS_KEPT))

        await self._run(tx)

    async def sends_since(self, target: str, since: float) -> list[float]:
        sql = "SELECT at FROM sends WHERE target = ? AND at >= ? ORDER BY at"
        rows = await self._run(lambda db: db.execute(sql, (target, since)).fetchall(), False)
        return [row[0] for row in rows]

    # -- shared rate limits and workers ----------------------------------------------------

    async def take_slot(self, limits: Sequence[Limit], now: float) -> float:
        def tx(db: sqlite3.Connection) -> float:
            # BEGIN IMMEDIATE: other processes' takes wait until this one commits.
            wait = _slot_wait(db, limits, now)
            if wait <= 0:
                db.executemany(
                    "INSERT INTO send_slots (key, at) VALUES (?, ?)",
                    [(limit.key, now) for limit in limits],
                )
            return wait

        return await self._run(tx)

    async def slot_wait(self, limits: Sequence[Limit], now: float) -> float:
        return await self._run(lambda db: _slot_wait(db, limits, now), write=False)

    async def prune_slots(self, before: float) -> int:
        sql = "DELETE FROM send_slots WHERE at < ?"
        return await self._run(lambda db: db.execute(sql, (before,)).rowcount)

    async def heartbeat(
        self, worker: Worker, now: float, lease: float | None = None, targets: Sequence[str] = ()
    ) -> None:
        def tx(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO workers (id, host, pid, role, started_at, heartbeat_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "role = excluded.role, heartbeat_at = excluded.heartbeat_at",
                (worker.id, worker.host, worker.pid, worker.role, worker.started_at, now),
            )
            if lease is not None:
                db.executemany(
                    "UPDATE deliveries SET lease_until = ? "
                    "WHERE state = 'sending' AND claimed_by = ? AND target = ?",
                    [(now + lease, worker.id, target) for target in targets],
                )
            db.execute("DELETE FROM workers WHERE heartbeat_at < ?", (now - _WORKERS_KEPT,))

        await self._run(tx)

    async def remove_worker(self, worker_id: str) -> None:
        sql = "DELETE FROM workers WHERE id = ?"
        await self._run(lambda db: db.execute(sql, (worker_id,)))

    async def workers(self) -> list[Worker]:
        rows = await self._run(lambda db: db.execute(_WORKERS_SQL).fetchall(), write=False)
        return [Worker(*row) for row in rows]

    # -- targets ---------------------------------------------------------------------------

    async def target_states(self) -> dict[str, TargetState]:
        sql = f"SELECT name, {', '.join(_TARGET_FIELDS)} FROM targets"
        rows = await self._run(lambda db: db.execute(sql).fetchall(), write=False)
        return {row[0]: TargetState(*row) for row in rows}

    async def set_target(self, name: str, **changes: Any) -> None:
        unknown = set(changes) - set(_TARGET_FIELDS)
        if unknown:
            raise TypeError(f"unknown target fields: {', '.join(sorted(unknown))}")

        def tx(db: sqlite3.Connection) -> None:
            db.execute("INSERT INTO targets (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
            if changes:
                sets = ", ".join(f"{key} = ?" for key in changes)
                db.execute(f"UPDATE targets SET {sets} WHERE name = ?", (*changes.values(), name))

        await self._run(tx)

    # -- operating -------------------------------------------------------------------------

    async def deliveries(
        self,
        states: Sequence[State] | None = None,
        target: str | None = None,
        limit: int = 100,
        failing: bool = False,
    ) -> list[Delivery]:
        where, args = [], []
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            args += [s.value for s in states]
        if target:
            where.append("target = ?")
            args.append(target)
        if failing:
            where.append("state = 'queued' AND attempts > 0")
        sql = f"SELECT {_DELIVERY_COLUMNS} FROM deliveries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"

        def q(db: sqlite3.Connection) -> list[Delivery]:
            rows = db.execute(sql, (*args, limit)).fetchall()
            counts = _source_counts(db, {row[1] for row in rows})
            return [delivery_from_row(row, counts.get(row[1], 1), json.loads) for row in rows]

        return await self._run(q, write=False)

    async def counts(self, states: Sequence[State] | None = None) -> dict[tuple[str, State], int]:
        sql = "SELECT target, state, COUNT(*) FROM deliveries"
        args: list[str] = []
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            args = [s.value for s in states]
        sql += " GROUP BY target, state"
        rows = await self._run(lambda db: db.execute(sql, args).fetchall(), write=False)
        return {(target, State(state)): n for target, state, n in rows}

    async def requeue(
        self,
        ids: Sequence[int] = (),
        *,
        all_dead: bool = False,
        target: str | None = None,
        now: float,
    ) -> int:
        def tx(db: sqlite3.Connection) -> int:
            base = (
                "UPDATE deliveries SET state = 'queued', due_at = ?, attempts = 0 "
                "WHERE state IN ('dead', 'dropped')"
            )
            if ids:
                total = 0
                for chunk in _chunks(list(ids), 500):
                    marks = ",".join("?" * len(chunk))
                    total += db.execute(f"{base} AND id IN ({marks})", (now, *chunk)).rowcount
                return total
            if target:
                db.execute(
                    "UPDATE targets SET status = 'active', detail = NULL WHERE name = ?",
                    (target,),
                )
                return db.execute(f"{base} AND target = ?", (now, target)).rowcount
            if all_dead:
                return db.execute(base.replace("('dead', 'dropped')", "('dead')"), (now,)).rowcount
            return 0

        return await self._run(tx)

    async def source_state(self, name: str) -> dict[str, Any]:
        sql = "SELECT state FROM sources WHERE name = ?"
        row = await self._run(lambda db: db.execute(sql, (name,)).fetchone(), write=False)
        return json.loads(row[0]) if row else {}

    async def save_source_state(self, name: str, state: dict[str, Any]) -> None:
        def tx(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT state FROM sources WHERE name = ?", (name,)).fetchone()
            merged = {**(json.loads(row[0]) if row else {}), **state}
            db.execute(
                "INSERT INTO sources (name, state) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET state = excluded.state",
                (name, json.dumps(merged, ensure_ascii=False)),
            )

        await self._run(tx)

    async def source_states(self) -> dict[str, dict[str, Any]]:
        rows = await self._run(
            lambda db: db.execute("SELECT name, state FROM sources").fetchall(), write=False
        )
        return {name: json.loads(state) for name, state in rows}


def _migrate(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    current = row[0] or 0
    for version, sql in migrations("sqlite"):
        if version <= current:
            continue
        for statement in _statements(sql):
            db.execute(statement)
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (no ``;`` inside our strings); a trigger's
    ``BEGIN … END`` body stays one statement."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    out: list[str] = []
    for part in "\n".join(lines).split(";"):
        if out and "BEGIN" in out[-1].split() and not out[-1].endswith("END"):
            out[-1] += ";" + part.rstrip()
        elif part.strip():
            out.append(part.strip())
    return [s for s in out if s]


def _owner(db: sqlite3.Connection, story: NewStory) -> str | None:
    """The stored story that already has this story's id or one of its keys, if any."""
    if db.execute("SELECT 1 FROM stories WHERE id = ?", (story.id,)).fetchone():
        return story.id
    for key in story.keys:
        row = db.execute("SELECT story_id FROM story_keys WHERE key = ?", (key,)).fetchone()
        if row:
            return str(row[0])
    return None


def _sighted(db: sqlite3.Connection, sighting: SeenAgain, now: float) -> None:
    """Count a new source for a story (once per source) and remember the item's keys."""
    cur = db.execute(
        "INSERT INTO story_sources (story_id, source) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (sighting.story_id, sighting.source),
    )
    db.execute(
        "UPDATE stories SET sources = sources + ?, last_seen = ? WHERE id = ?",
        (cur.rowcount, now, sighting.story_id),
    )
    db.executemany(
        "INSERT INTO story_keys (key, story_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
        [(key, sighting.story_id) for key in sighting.keys],
    )


def _source_counts(db: sqlite3.Connection, story_ids: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(story_ids), 500):
        marks = ",".join("?" * len(chunk))
        found.update(
            db.execute(f"SELECT id, sources FROM stories WHERE id IN ({marks})", chunk).fetchall()
        )
    return found


def _story(row: Sequence[Any]) -> dict[str, Any]:
    """A stored story as :meth:`Store.stories_between` gives it."""
    story_id, num, item, sources, first_seen, published = row
    data: dict[str, Any] = json.loads(item)
    data.update(
        story_id=story_id, num=num, sources=sources, first_seen=first_seen, published=published
    )
    return data


def _slot_wait(db: sqlite3.Connection, limits: Sequence[Limit], now: float) -> float:
    """The wait of :meth:`SQLiteStore.take_slot`, from each key's newest slots."""
    wait = 0.0
    for limit in limits:
        count, span = longest(limit)
        rows = db.execute(
            "SELECT at FROM send_slots WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?",
            (limit.key, now - span, count),
        ).fetchall()
        wait = max(wait, _wait([row[0] for row in rows], limit.windows, now))
    return wait


def _chunks(values: list[T], size: int) -> Iterable[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
