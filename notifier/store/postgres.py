"""The shared store: PostgreSQL, for several notifier processes on several machines.

Every method is one transaction on a pooled connection (psycopg 3, async). PostgreSQL is
what coordinates the processes:

- :meth:`PostgresStore.claim` picks rows with ``FOR UPDATE SKIP LOCKED``: workers never wait
  for each other and never claim the same delivery.
- :meth:`PostgresStore.commit_digest` inserts stories with ``ON CONFLICT DO NOTHING
  RETURNING``: when two ingest processes offer the same story (same id or a shared key),
  one stores it and queues its deliveries, the other counts a repeat sighting.
- Migrations run under an advisory lock, so processes starting together apply them once.

Durability: by default the dispatch bookkeeping (claim, finish, recover, release,
record_send) commits without waiting for the server's disk (``synchronous_commit = off``
for those transactions only): a crash of the database *server* may forget its last fraction
of a second of claims and outcomes, and those deliveries are then sent again; a crash of a
notifier process loses nothing. That is the SQLite store's guarantee (``synchronous=NORMAL``)
and it is several times faster when the disk's flush is slow. Ingest, target and source
state and re-queues always wait for the disk. ``durable=True`` makes every transaction wait.

Values read back are those of the SQLite store: times as floats, JSON as dicts and lists.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import errors
from psycopg_pool import AsyncConnectionPool

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
from notifier.store.pg_commit import commit
from notifier.store.pg_pool import open_pool, probe

if TYPE_CHECKING:
    from notifier.errors import StoreError
    from notifier.subscriptions.model import SubscriptionStore

_DELIVERY_COLUMNS = (
    "id, story_id, target, rules, score, state, due_at, created_at, attempts, entry, "
    "backlog, sent_at, last_error, claimed_by, lease_until"
)
#: The story's source count, read with a delivery.
_SOURCES = "COALESCE((SELECT s.sources FROM stories s WHERE s.id = d.story_id), 1)"
#: ``heads(target, due)``: each active target with queued deliveries and its earliest
#: ``due_at``. A skip scan of the queued index, one probe per target, so that a dispatcher
#: round costs the same however many deliveries wait (a plain GROUP BY reads them all).
_QUEUE_HEADS = (
    "WITH RECURSIVE t(target) AS ("
    "SELECT (SELECT target FROM deliveries WHERE state = 'queued' ORDER BY target LIMIT 1) "
    "UNION ALL SELECT (SELECT d.target FROM deliveries d WHERE d.state = 'queued' "
    "AND d.target > t.target ORDER BY d.target LIMIT 1) FROM t WHERE t.target IS NOT NULL), "
    "heads(target, due) AS (SELECT t.target, (SELECT d.due_at FROM deliveries d "
    "WHERE d.state = 'queued' AND d.target = t.target ORDER BY d.due_at LIMIT 1) FROM t "
    "WHERE t.target IS NOT NULL AND t.target NOT IN "
    "(SELECT name FROM targets WHERE status <> 'active'))"
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
#: Transactions that lost a deadlock to a concurrent ingest are retried this many times.
_RETRIES = 5


class PostgresStore(Store):
    """The :class:`~notifier.store.base.Store` on a PostgreSQL database.

    Args:
        url: a libpq URL, ``postgresql://user@host:5432/db`` (any libpq parameter may go in
            the query string, e.g. ``?options=-csearch_path%3Dnotifier`` for a schema).
        min_size: connections the pool keeps open.
        max_size: most connections the pool opens (concurrent transactions of a process).
        durable: make the dispatch bookkeeping wait for the disk too (see the module doc).
    """

    def __init__(
        self, url: str, *, min_size: int = 1, max_size: int = 10, durable: bool = False
    ) -> None:
        self.url = url
        self.min_size = min_size
        self.max_size = max_size
        self.durable = durable
        self._pool: AsyncConnectionPool | None = None

    # -- plumbing --------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _tx(self, durable: bool = False) -> AsyncIterator[psycopg.AsyncCursor[Any]]:
        """One transaction on a pooled connection; ``durable``: its commit waits for the
        disk, as the server is configured (dispatch transactions do not, by default)."""
        if self._pool is None:
            raise RuntimeError("store is not open")
        try:
            async with self._pool.connection() as conn, conn.transaction():
                cur = conn.cursor()
                if durable and not self.durable:
                    await cur.execute("SET LOCAL synchronous_commit TO DEFAULT")
                yield cur
        except psycopg.Error as exc:  # the server gone, the connection lost: a StoreError
            found = store_error(self.url, exc)
            if found is None:
                raise
            raise found from exc

    async def _configure(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """Set up a new pooled connection: dispatch commits do not wait for the disk."""
        if not self.durable:
            await conn.execute("SET synchronous_commit = off")

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._tx() as cur:
            await cur.execute(sql, params)
            return await cur.fetchall()

    async def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._tx() as cur:
            await cur.execute(sql, params)
            return cur.rowcount

    async def open(self) -> None:
        """Connect, migrate, and open the pool.

        The pool checks each connection before lending it (one that the server dropped is
        replaced, not used) and reconnects with backoff (psycopg_pool's, from 1 s doubling).

        Raises:
            StoreError: the server cannot be reached, refuses us, or has no such database.
        """
        if self._pool is not None:
            return
        try:
            self._pool = await open_pool(self.url, self.min_size, self.max_size, self._configure)
        except BaseException as exc:
            found = store_error(self.url, exc, opening=True)
            if found is None or found is exc:
                raise
            raise found from exc

    async def close(self) -> None:
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        await pool.close()

    async def diagnose(self) -> StoreError | None:
        """Connect afresh (not from the pool) and read the schema version."""
        return await probe(self.url)

    def _make_subscriptions(self) -> SubscriptionStore:
        from notifier.subscriptions.postgres import PostgresSubscriptions

        return PostgresSubscriptions(self)

    # -- ingest ----------------------------------------------------------------------------

    async def known_keys(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows = await self._all(
            "SELECT key, story_id FROM story_keys WHERE key = ANY(%s)", (wanted,)
        )
        return dict(rows)

    async def recent_fingerprints(self, since: float) -> list[tuple[str, int]]:
        sql = (
            "SELECT id, simhash FROM stories WHERE first_seen >= %s AND simhash IS NOT NULL "
            "ORDER BY first_seen, id"
        )
        return await self._all(sql, (float(since),))

    async def digest_seen(self, digest_hash: str) -> bool:
        return bool(await self._all("SELECT 1 FROM digests WHERE hash = %s", (digest_hash,)))

    async def commit_digest(
        self,
        digest_hash: str,
        origin: str,
        stories: Sequence[NewStory],
        seen: Sequence[SeenAgain],
        deliveries: Sequence[NewDelivery],
        now: float,
    ) -> DigestCommit:
        for attempt in range(_RETRIES):
            try:
                async with self._tx(durable=True) as cur:
                    return await commit(
                        cur, digest_hash, origin, stories, seen, deliveries, float(now)
                    )
            except (errors.DeadlockDetected, errors.SerializationFailure):
                # Two ingest processes inserted overlapping keys in opposite orders:
                # PostgreSQL aborted one; doing it again sees the other's stories.
                if attempt == _RETRIES - 1:
                    raise
                await asyncio.sleep(random.uniform(0.01, 0.1) * (attempt + 1))
        raise AssertionError("unreachable")

    async def recent_stories(self, since: float, limit: int = 50) -> list[dict[str, Any]]:
        sql = (
            "SELECT id, item, sources, first_seen FROM stories WHERE first_seen >= %s "
            "ORDER BY sources DESC, first_seen DESC LIMIT %s"
        )
        out = []
        for story_id, item, sources, first_seen in await self._all(sql, (float(since), limit)):
            item.update(story_id=story_id, sources=sources, first_seen=first_seen)
            out.append(item)
        return out

    # -- reading ---------------------------------------------------------------------------

    async def stories_between(
        self, start: float, end: float, limit: int | None = None
    ) -> list[dict[str, Any]]:
        sql = (
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE COALESCE(published, first_seen) >= %s "
            "AND COALESCE(published, first_seen) < %s ORDER BY sources DESC, num LIMIT %s"
        )
        rows = await self._all(sql, (float(start), float(end), limit))
        return [_story(row) for row in rows]

    async def story_stamp(self, start: float, end: float) -> tuple[int, int, int]:
        sql = (
            "SELECT COUNT(*), COALESCE(MAX(num), 0), COALESCE(SUM(sources), 0) FROM stories "
            "WHERE COALESCE(published, first_seen) >= %s AND COALESCE(published, first_seen) < %s"
        )
        ((count, num, sources),) = await self._all(sql, (float(start), float(end)))
        return int(count), int(num), int(sources)

    async def story_by_num(self, num: int) -> dict[str, Any] | None:
        rows = await self._all(f"SELECT {_STORY_COLUMNS} FROM stories WHERE num = %s", (num,))
        return _story(rows[0]) if rows else None

    async def delivery_states(
        self, story_ids: Sequence[str]
    ) -> dict[str, list[tuple[str, State, int]]]:
        wanted = list(dict.fromkeys(story_ids))
        if not wanted:
            return {}
        rows = await self._all(
            "SELECT story_id, target, state, attempts FROM deliveries "
            "WHERE story_id = ANY(%s) ORDER BY story_id, target",
            (wanted,),
        )
        out: dict[str, list[tuple[str, State, int]]] = {}
        for story_id, target, state, attempts in rows:
            out.setdefault(story_id, []).append((target, State(state), attempts))
        return out

    # -- dispatch --------------------------------------------------------------------------

    async def due_targets(self, now: float) -> dict[str, float]:
        sql = f"{_QUEUE_HEADS} SELECT target, due FROM heads WHERE due <= %s"
        return dict(await self._all(sql, (float(now),)))

    async def next_due(self) -> float | None:
        rows = await self._all(f"{_QUEUE_HEADS} SELECT MIN(due) FROM heads")
        return rows[0][0]  # type: ignore[no-any-return]

    async def claim(
        self, target: str, worker: str, now: float, lease: float, limit: int
    ) -> list[Delivery]:
        # SKIP LOCKED: rows another worker is claiming right now are passed over, and a row
        # claimed (committed) since our snapshot fails the re-checked WHERE: never twice.
        sql = (
            "WITH picked AS (SELECT id FROM deliveries WHERE state = 'queued' "
            "AND target = %s AND due_at <= %s ORDER BY score DESC, id LIMIT %s "
            "FOR UPDATE SKIP LOCKED) "
            "UPDATE deliveries d SET state = 'sending', claimed_by = %s, lease_until = %s "
            f"FROM picked WHERE d.id = picked.id RETURNING {_columns('d')}, {_SOURCES}"
        )
        rows = await self._all(sql, (target, float(now), limit, worker, float(now + lease)))
        out = [delivery_from_row(row, row[15]) for row in rows]
        out.sort(key=lambda d: (-d.score, d.id))
        return out

    async def finish(self, ids: Sequence[int], outcome: Outcome, now: float) -> None:
        if not ids:
            return
        state = outcome.state
        await self._count(
            "UPDATE deliveries SET state = %s, attempts = attempts + %s, "
            "due_at = COALESCE(%s, due_at), last_error = COALESCE(%s, last_error), "
            "sent_at = COALESCE(%s, sent_at), claimed_by = NULL, lease_until = NULL "
            "WHERE id = ANY(%s) AND state = 'sending'",
            (
                state.value,
                int(outcome.attempted),
                _float(outcome.due_at),
                outcome.error,
                float(now) if state is State.SENT else None,
                list(ids),
            ),
        )

    async def recover(self, now: float) -> int:
        return await self._count(
            "UPDATE deliveries SET state = 'queued', claimed_by = NULL, lease_until = NULL "
            "WHERE state = 'sending' AND lease_until < %s",
            (float(now),),
        )

    async def release(self, worker: str, target: str | None = None) -> int:
        return await self._count(
            "UPDATE deliveries SET state = 'queued', claimed_by = NULL, lease_until = NULL "
            "WHERE state = 'sending' AND claimed_by = %s AND (%s::text IS NULL OR target = %s)",
            (worker, target, target),
        )

    async def record_send(self, target: str, at: float, messages: int = 1) -> None:
        async with self._tx() as cur:
            await cur.execute(
                "INSERT INTO sends (target, at) SELECT %s, %s FROM generate_series(1, %s)",
                (target, float(at), messages),
            )
            await cur.execute(
                "DELETE FROM sends WHERE target = %s AND at < %s",
                (target, float(at) - _SENDS_KEPT),
            )

    async def sends_since(self, target: str, since: float) -> list[float]:
        sql = "SELECT at FROM sends WHERE target = %s AND at >= %s ORDER BY at"
        return [row[0] for row in await self._all(sql, (target, float(since)))]

    # -- shared rate limits and workers ----------------------------------------------------

    async def take_slot(self, limits: Sequence[Limit], now: float) -> float:
        async with self._tx() as cur:
            # One lock per key, always in the same order: takers of a key queue up here, and
            # each sees the slots of those before it (READ COMMITTED, a new snapshot per query).
            for key in sorted({limit.key for limit in limits}):
                await cur.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended('notifier.slots:' || %s, 0))",
                    (key,),
                )
            wait = await _slot_wait(cur, limits, float(now))
            if wait <= 0:
                await cur.execute(
                    "INSERT INTO send_slots (key, at) SELECT unnest(%s::text[]), %s",
                    ([limit.key for limit in limits], float(now)),
                )
            return wait

    async def slot_wait(self, limits: Sequence[Limit], now: float) -> float:
        async with self._tx() as cur:
            return await _slot_wait(cur, limits, float(now))

    async def prune_slots(self, before: float) -> int:
        return await self._count("DELETE FROM send_slots WHERE at < %s", (float(before),))

    async def heartbeat(
        self, worker: Worker, now: float, lease: float | None = None, targets: Sequence[str] = ()
    ) -> None:
        async with self._tx() as cur:
            await cur.execute(
                "INSERT INTO workers (id, host, pid, role, started_at, heartbeat_at) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET "
                "role = EXCLUDED.role, heartbeat_at = EXCLUDED.heartbeat_at",
                (worker.id, worker.host, worker.pid, worker.role, worker.started_at, float(now)),
            )
            if lease is not None and targets:
                # SKIP LOCKED: a claim being finished right now is not waited for (the
                # finishing transaction may be waiting for us: a deadlock).
                await cur.execute(
                    "UPDATE deliveries SET lease_until = %s WHERE id IN (SELECT id "
                    "FROM deliveries WHERE state = 'sending' AND claimed_by = %s "
                    "AND target = ANY(%s) FOR UPDATE SKIP LOCKED)",
                    (float(now + lease), worker.id, list(targets)),
                )
            await cur.execute(
                "DELETE FROM workers WHERE heartbeat_at < %s", (float(now) - _WORKERS_KEPT,)
            )

    async def remove_worker(self, worker_id: str) -> None:
        await self._count("DELETE FROM workers WHERE id = %s", (worker_id,))

    async def workers(self) -> list[Worker]:
        sql = (
            "SELECT id, host, pid, role, started_at, heartbeat_at, (SELECT COUNT(*) "
            "FROM deliveries d WHERE d.state = 'sending' AND d.claimed_by = w.id) "
            "FROM workers w ORDER BY id"
        )
        return [Worker(*row) for row in await self._all(sql)]

    # -- targets ---------------------------------------------------------------------------

    async def target_states(self) -> dict[str, TargetState]:
        rows = await self._all(f"SELECT name, {', '.join(_TARGET_FIELDS)} FROM targets")
        return {row[0]: TargetState(*row) for row in rows}

    async def set_target(self, name: str, **changes: Any) -> None:
        unknown = set(changes) - set(_TARGET_FIELDS)
        if unknown:
            raise TypeError(f"unknown target fields: {', '.join(sorted(unknown))}")
        async with self._tx(durable=True) as cur:
            await cur.execute(
                "INSERT INTO targets (name) VALUES (%s) ON CONFLICT DO NOTHING", (name,)
            )
            if changes:
                sets = ", ".join(f"{key} = %s" for key in changes)
                await cur.execute(
                    f"UPDATE targets SET {sets} WHERE name = %s", (*changes.values(), name)
                )

    # -- operating -------------------------------------------------------------------------

    async def deliveries(
        self,
        states: Sequence[State] | None = None,
        target: str | None = None,
        limit: int = 100,
        failing: bool = False,
    ) -> list[Delivery]:
        where: list[str] = []
        args: list[Any] = []
        if states:
            where.append("state = ANY(%s)")
            args.append([s.value for s in states])
        if target:
            where.append("target = %s")
            args.append(target)
        if failing:
            where.append("state = 'queued' AND attempts > 0")
        sql = f"SELECT {_columns('d')}, {_SOURCES} FROM deliveries d"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT %s"
        return [delivery_from_row(row, row[15]) for row in await self._all(sql, (*args, limit))]

    async def counts(self, states: Sequence[State] | None = None) -> dict[tuple[str, State], int]:
        sql = "SELECT target, state, COUNT(*) FROM deliveries"
        args: list[Any] = []
        if states:
            sql += " WHERE state = ANY(%s)"
            args.append([s.value for s in states])
        sql += " GROUP BY target, state"
        rows = await self._all(sql, args)
        return {(target, State(state)): n for target, state, n in rows}

    async def requeue(
        self,
        ids: Sequence[int] = (),
        *,
        all_dead: bool = False,
        target: str | None = None,
        now: float,
    ) -> int:
        base = (
            "UPDATE deliveries SET state = 'queued', due_at = %s, attempts = 0 "
            "WHERE state IN ('dead', 'dropped')"
        )
        async with self._tx(durable=True) as cur:
            if ids:
                await cur.execute(f"{base} AND id = ANY(%s)", (float(now), list(ids)))
            elif target:
                await cur.execute(
                    "UPDATE targets SET status = 'active', detail = NULL WHERE name = %s",
                    (target,),
                )
                await cur.execute(f"{base} AND target = %s", (float(now), target))
            elif all_dead:
                sql = base.replace("('dead', 'dropped')", "('dead')")
                await cur.execute(sql, (float(now),))
            else:
                return 0
            return cur.rowcount

    async def source_state(self, name: str) -> dict[str, Any]:
        rows = await self._all("SELECT state FROM sources WHERE name = %s", (name,))
        return rows[0][0] if rows else {}  # type: ignore[no-any-return]

    async def save_source_state(self, name: str, state: dict[str, Any]) -> None:
        async with self._tx(durable=True) as cur:
            # Create, then lock the row: concurrent saves merge one after the other.
            await cur.execute(
                "INSERT INTO sources (name, state) VALUES (%s, '{}') ON CONFLICT DO NOTHING",
                (name,),
            )
            await cur.execute("SELECT state FROM sources WHERE name = %s FOR UPDATE", (name,))
            row = await cur.fetchone()
            merged = {**(row[0] if row else {}), **state}
            await cur.execute(
                "UPDATE sources SET state = %s WHERE name = %s", (_json(merged), name)
            )

    async def source_states(self) -> dict[str, dict[str, Any]]:
        return dict(await self._all("SELECT name, state FROM sources"))


async def _slot_wait(cur: psycopg.AsyncCursor[Any], limits: Sequence[Limit], now: float) -> float:
    """The wait of :meth:`PostgresStore.take_slot`, from each key's newest slots."""
    wait = 0.0
    for limit in limits:
        count, span = longest(limit)
        await cur.execute(
            "SELECT at FROM send_slots WHERE key = %s AND at > %s ORDER BY at DESC LIMIT %s",
            (limit.key, now - span, count),
        )
        wait = max(wait, _wait([row[0] for row in await cur.fetchall()], limit.windows, now))
    return wait


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in _DELIVERY_COLUMNS.split(","))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _story(row: Sequence[Any]) -> dict[str, Any]:
    """A stored story as :meth:`Store.stories_between` gives it (``item`` read as JSON)."""
    story_id, num, item, sources, first_seen, published = row
    data: dict[str, Any] = dict(item)
    data.update(
        story_id=story_id, num=num, sources=sources, first_seen=first_seen, published=published
    )
    return data
