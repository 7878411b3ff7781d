"""PostgreSQL connections: the first one (which migrates), the pool, a fresh probe.

The pool checks each connection before lending it, so one the server dropped (a restart, a
failover, ``pg_terminate_backend``) is replaced, never used; it reconnects with psycopg_pool's
backoff (1 s, doubling). A URL that does not say otherwise connects with a timeout and names
its connections ``notifier`` in ``pg_stat_activity``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from notifier.errors import StoreError
from notifier.store.failures import store_error
from notifier.store.schema import migrations

#: libpq settings a store URL gets unless it sets them: a server that does not answer
#: fails a connection attempt in seconds (libpq waits forever by default), and the
#: connections are named in pg_stat_activity.
_CONNECT_DEFAULTS = {"connect_timeout": "10", "application_name": "notifier"}

#: How long opening waits for the pool's first connections.
OPEN_TIMEOUT = 30.0


async def open_pool(
    url: str,
    min_size: int,
    max_size: int,
    configure: Callable[[psycopg.AsyncConnection[Any]], Awaitable[None]],
) -> AsyncConnectionPool:
    """Connect once (an unreachable server fails now, not after the pool's wait), migrate,
    then open the pool; driver errors are raised as they are."""
    settings = connect_settings(url)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, **settings) as conn:
        await migrate(conn)
    pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True, **settings},
        configure=configure,
        check=AsyncConnectionPool.check_connection,
        open=False,
        name="notifier-store",
    )
    try:
        await pool.open(wait=True, timeout=OPEN_TIMEOUT)
    except BaseException:
        await pool.close()
        raise
    return pool


#: A probe's connect_timeout, in seconds.
PROBE_TIMEOUT = 3


async def probe(url: str) -> StoreError | None:
    """Why the store at ``url`` cannot be used now, from a fresh connection; ``None`` if it
    can."""
    settings = {**connect_settings(url), "connect_timeout": str(PROBE_TIMEOUT)}
    try:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True, **settings) as conn:
            await conn.execute("SELECT MAX(version) FROM schema_version")
    except psycopg.Error as exc:
        return store_error(url, exc, opening=True)
    return None


def connect_settings(url: str) -> dict[str, str]:
    """The :data:`_CONNECT_DEFAULTS` the URL does not set itself."""
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(url)
    return {key: value for key, value in _CONNECT_DEFAULTS.items() if key not in given}


async def migrate(conn: psycopg.AsyncConnection[Any]) -> tuple[int, int]:
    """Apply the migrations this database lacks, under an advisory lock (one transaction).

    Processes that start together wait for the first one, then find nothing to do.

    Returns:
        The schema version before and after.
    """
    async with conn.transaction():
        # The lock is per schema (search_path), so test schemas do not wait for each other.
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('notifier.migrate.' || current_schema()))"
        )
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        cur = await conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        row = await cur.fetchone()
        before = current = int(row[0]) if row else 0
        for version, sql in migrations("postgresql"):
            if version <= current:
                continue
            await conn.execute(sql.encode())  # no parameters: the whole file at once
            await conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
            current = version
    return before, current
