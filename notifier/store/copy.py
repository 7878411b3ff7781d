"""Copy a whole store into another: SQLite to PostgreSQL when scaling out, and back.

    report = await copy_store("sqlite:///notifier.db", "postgresql://db.local/notifier")

Both stores are first brought to the latest schema (the source too: migrations only add).
Then every table but ``schema_version`` is copied as it is, ids, states, leases and
sources' state included, in one transaction on the destination: a copy that fails leaves
the destination as it was, so it can simply be run again. A destination that already holds
data is refused unless ``replace=True`` (which empties it first, in the same transaction).

Stop the processes that write to the source first: a copy is a snapshot, and what they
write afterwards is not in it. Tables are found from the schemas, not listed here, so tables
added by later migrations (to both backends) are copied too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from notifier.errors import NotifierError
from notifier.store import open_store
from notifier.store.failures import redact_url, store_error
from notifier.store.schema import migrations
from notifier.store.sqlite import sqlite_path

#: Called after each batch: table, rows copied so far, rows in the table.
Progress = Callable[[str, int, int], None]

#: The tables of 001, in the order they are copied; tables added later follow by name.
TABLE_ORDER = (
    "stories",
    "story_keys",
    "story_sources",
    "digests",
    "deliveries",
    "targets",
    "sends",
    "sources",
)
_BATCH = 2000


class CopyError(NotifierError):
    """A copy that cannot be made (same store, schema mismatch, destination not empty)."""


@dataclasses.dataclass(frozen=True, slots=True)
class CopyReport:
    """What :func:`copy_store` copied: rows per table, and the schema version of both."""

    tables: dict[str, int]
    version: int

    @property
    def rows(self) -> int:
        """Rows copied in all."""
        return sum(self.tables.values())


def backend(url: str) -> str:
    """The schema folder of a store URL: ``postgresql`` or ``sqlite``."""
    return "postgresql" if url.startswith(("postgresql:", "postgres:")) else "sqlite"


def latest_version(url: str) -> int:
    """The newest schema version this notifier knows for the store's backend."""
    return max((v for v, _ in migrations(backend(url))), default=0)


async def schema_version(url: str) -> int:
    """The schema version of the store at ``url`` as it is (0: none; nothing is created)."""
    side = await _connect(url, write=False, must_exist=False)
    if side is None:
        return 0
    try:
        return await side.version()
    finally:
        await side.close()


async def copy_store(
    source: str, dest: str, *, replace: bool = False, progress: Progress | None = None
) -> CopyReport:
    """Copy everything in the store at ``source`` into the store at ``dest``.

    Args:
        source: a store URL (``sqlite:///notifier.db``, ``postgresql://...``).
        dest: a store URL; its schema is created or upgraded.
        replace: empty a destination that holds data (else it is refused).
        progress: called after each batch of rows.

    Returns:
        The rows copied per table.

    Raises:
        CopyError: same store twice, a missing source, a non-empty destination, schemas
            that differ.
        psycopg.Error, sqlite3.Error: the database failed.
    """
    if _same(source, dest):
        raise CopyError("source and destination are the same store")
    if backend(source) == "sqlite" and _missing(source):
        raise CopyError(f"{redact_url(source)}: no such SQLite file; check the path")
    for url in (source, dest):  # bring both to the latest schema
        async with open_store(url):
            pass
    src = await _connect(source, write=False)
    assert src is not None
    try:
        dst = await _connect(dest, write=True)
        assert dst is not None
        try:
            report = await _copy(src, dst, replace, progress)
            await dst.commit()
            return report
        finally:
            await dst.close()
    finally:
        await src.close()


async def _copy(src: _Side, dst: _Side, replace: bool, progress: Progress | None) -> CopyReport:
    version, dest_version = await src.version(), await dst.version()
    if version != dest_version:
        raise CopyError(
            f"schema versions differ: source {version}, destination {dest_version} "
            "(use the same notifier for both, after `notifier db upgrade`)"
        )
    src_tables, dst_tables = await src.tables(), await dst.tables()
    missing = sorted(set(src_tables) - set(dst_tables))
    if missing:
        raise CopyError(f"the destination has no table {', '.join(missing)}")
    if replace:
        await dst.clear(list(dst_tables))
    else:
        full = [t for t in dst_tables if await dst.count(t)]
        if full:
            raise CopyError(
                f"the destination is not empty ({', '.join(sorted(full))}): copy into a new "
                "database, or replace what it holds (--force)"
            )
    order = sorted(src_tables, key=lambda t: (t not in TABLE_ORDER, _rank(t), t))
    copied: dict[str, int] = {}
    for table in order:
        kinds = dict(dst_tables[table])
        lost = [c for c, _ in src_tables[table] if c not in kinds]
        if lost:
            raise CopyError(f"{table}: the destination has no column {', '.join(lost)}")
        columns = [c for c, _ in src_tables[table]]
        total, done = await src.count(table), 0
        if progress:
            progress(table, 0, total)
        async for rows in src.read(table, columns, src_tables[table]):
            await dst.write(table, columns, [_convert(r, columns, kinds) for r in rows])
            done += len(rows)
            if progress:
                progress(table, done, total)
        copied[table] = done
    await dst.fix_sequences(list(copied))
    return CopyReport(copied, version)


def _rank(table: str) -> int:
    return TABLE_ORDER.index(table) if table in TABLE_ORDER else 0


def _same(a: str, b: str) -> bool:
    if backend(a) != backend(b):
        return False
    if backend(a) == "sqlite":
        return Path(sqlite_path(a)).resolve() == Path(sqlite_path(b)).resolve()
    return a == b


def _convert(row: Sequence[Any], columns: list[str], kinds: dict[str, str]) -> tuple[Any, ...]:
    """A source row as the destination's column types want it."""
    out = []
    for column, value in zip(columns, row, strict=True):
        kind = kinds[column]
        if value is None:
            out.append(None)
        elif kind == "bool":
            out.append(bool(value))
        elif kind == "int" and isinstance(value, bool):
            out.append(int(value))
        elif kind == "float":
            out.append(float(value))
        elif kind == "json" and not isinstance(value, str):
            out.append(json.dumps(value, ensure_ascii=False))
        else:
            out.append(value)
    return tuple(out)


# -- the two backends, table by table ---------------------------------------------------------

Columns = list[tuple[str, str]]  # (name, kind): kind is json, bool, float, int or text


class _Side(Protocol):
    async def version(self) -> int: ...
    async def tables(self) -> dict[str, Columns]: ...
    async def count(self, table: str) -> int: ...
    def read(self, table: str, columns: list[str], kinds: Columns) -> AsyncIterator[list[Any]]: ...
    async def write(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None: ...
    async def clear(self, tables: list[str]) -> None: ...
    async def fix_sequences(self, tables: list[str]) -> None: ...
    async def commit(self) -> None: ...
    async def close(self) -> None: ...


async def _connect(url: str, write: bool, must_exist: bool = True) -> _Side | None:
    """One side of a copy; a store that cannot be opened raises StoreError."""
    try:
        if backend(url) == "postgresql":
            return await _PostgresSide.connect(url, write)
        if not must_exist and not _is_file(url):
            return None
        return await asyncio.to_thread(_SQLiteSide, sqlite_path(url), write)
    except Exception as exc:
        found = store_error(url, exc, opening=True)
        if found is None:
            raise
        raise found from exc


def _missing(url: str) -> bool:
    """Whether a SQLite store URL names nothing at all (a folder is not missing: opening
    it says what it is)."""
    path = sqlite_path(url)
    return path != ":memory:" and not Path(path).exists()


def _is_file(url: str) -> bool:
    """Whether a SQLite store URL names an existing file (a quick stat, not I/O to wait on)."""
    path = sqlite_path(url)
    return path != ":memory:" and Path(path).is_file()


class _SQLiteSide:
    """A SQLite file read in one snapshot, or written in one transaction."""

    def __init__(self, path: str, write: bool) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    async def _q(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return await asyncio.to_thread(lambda: self.db.execute(sql, args).fetchall())

    async def version(self) -> int:
        rows = await self._q("SELECT name FROM sqlite_master WHERE name = 'schema_version'")
        if not rows:
            return 0
        return int((await self._q("SELECT COALESCE(MAX(version), 0) FROM schema_version"))[0][0])

    async def tables(self) -> dict[str, Columns]:
        names = await self._q(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'schema_version'"
        )
        out = {}
        for (name,) in names:
            info = await self._q(f'PRAGMA table_info("{name}")')
            out[name] = [(row[1], _sqlite_kind(row[2])) for row in info]
        return out

    async def count(self, table: str) -> int:
        return int((await self._q(f'SELECT COUNT(*) FROM "{table}"'))[0][0])

    async def read(
        self, table: str, columns: list[str], kinds: Columns
    ) -> AsyncIterator[list[Any]]:
        cur = self.db.cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        order = " ORDER BY id" if "id" in columns else ""
        await asyncio.to_thread(cur.execute, f'SELECT {names} FROM "{table}"{order}')
        while rows := await asyncio.to_thread(cur.fetchmany, _BATCH):
            yield rows
        cur.close()

    async def write(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        await asyncio.to_thread(self.db.executemany, sql, rows)

    async def clear(self, tables: list[str]) -> None:
        for table in tables:
            await self._q(f'DELETE FROM "{table}"')

    async def fix_sequences(self, tables: list[str]) -> None:
        """Nothing to do: an INTEGER PRIMARY KEY continues after the largest id."""

    async def commit(self) -> None:
        await self._q("COMMIT")

    async def close(self) -> None:
        if self.db.in_transaction:
            await self._q("ROLLBACK")
        await asyncio.to_thread(self.db.close)


def _sqlite_kind(declared: str) -> str:
    declared = declared.upper()
    if "INT" in declared:
        return "int"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "float"
    if "BOOL" in declared:
        return "bool"
    return "text"  # JSON is TEXT in SQLite


class _PostgresSide:
    """A PostgreSQL database read in one snapshot, or written in one transaction (COPY)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @classmethod
    async def connect(cls, url: str, write: bool) -> _PostgresSide:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(url)
        if not write:  # one consistent snapshot of every table
            await conn.set_isolation_level(psycopg.IsolationLevel.REPEATABLE_READ)
            await conn.set_read_only(True)
        return cls(conn)

    async def _q(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        cur = await self.conn.execute(sql, args)
        return await cur.fetchall() if cur.description else []  # type: ignore[no-any-return]

    async def version(self) -> int:
        rows = await self._q("SELECT to_regclass('schema_version') IS NOT NULL")
        if not rows[0][0]:
            return 0
        return int((await self._q("SELECT COALESCE(MAX(version), 0) FROM schema_version"))[0][0])

    async def tables(self) -> dict[str, Columns]:
        rows = await self._q(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
            "AND c.table_name <> 'schema_version' ORDER BY c.table_name, c.ordinal_position"
        )
        out: dict[str, Columns] = {}
        for table, column, data_type in rows:
            out.setdefault(table, []).append((column, _pg_kind(data_type)))
        return out

    async def count(self, table: str) -> int:
        return int((await self._q(f'SELECT COUNT(*) FROM "{table}"'))[0][0])

    async def read(
        self, table: str, columns: list[str], kinds: Columns
    ) -> AsyncIterator[list[Any]]:
        # JSON as its text, exactly as stored; a server-side cursor keeps memory flat.
        kind = dict(kinds)
        names = ", ".join(f'"{c}"::text' if kind[c] == "json" else f'"{c}"' for c in columns)
        order = "id" if "id" in kind else "1"
        async with self.conn.cursor(name=f"copy_{table}") as cur:
            await cur.execute(f'SELECT {names} FROM "{table}" ORDER BY {order}')
            while rows := await cur.fetchmany(_BATCH):
                yield rows

    async def write(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{table}" ({names}) FROM STDIN'
        async with self.conn.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                await copy.write_row(row)

    async def clear(self, tables: list[str]) -> None:
        if tables:
            names = ", ".join(f'"{t}"' for t in tables)
            await self._q(f"TRUNCATE {names} RESTART IDENTITY")

    async def fix_sequences(self, tables: list[str]) -> None:
        """Move identity sequences past the copied ids, so new rows do not collide."""
        rows = await self._q(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s) "
            "AND (is_identity = 'YES' OR column_default LIKE 'nextval(%%')",
            (tables,),
        )
        for table, column in rows:
            await self._q(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'COALESCE(MAX("{column}"), 0) + 1, false) FROM "{table}"',
                (f'"{table}"', column),
            )

    async def commit(self) -> None:
        await self.conn.commit()

    async def close(self) -> None:
        await self.conn.close()  # rolls back what was not committed


def _pg_kind(data_type: str) -> str:
    if data_type in ("json", "jsonb"):
        return "json"
    if data_type == "boolean":
        return "bool"
    if data_type in ("double precision", "real", "numeric"):
        return "float"
    if data_type in ("integer", "bigint", "smallint"):
        return "int"
    return "text"
