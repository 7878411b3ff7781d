"""A store that cannot be used raises StoreError: the store (password masked), the cause,
the fix. PostgreSQL connections the server dropped are replaced, not used."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from notifier.errors import StoreError
from notifier.store.failures import store_error
from notifier.store.postgres import PostgresStore
from notifier.store.sqlite import SQLiteStore
from tests.broken_stores import POSTGRESQL, SECRET, SQLITE, postgresql_url


@pytest.mark.parametrize(("make", "cause", "fix"), SQLITE.values(), ids=SQLITE.keys())
async def test_a_sqlite_file_that_cannot_be_used(
    tmp_path: Path, make: Callable[[Path], str], cause: str, fix: str
) -> None:
    path = await asyncio.to_thread(make, tmp_path)
    store = SQLiteStore(f"sqlite:///{path}")
    with pytest.raises(StoreError) as caught:
        await store.open()
    error = caught.value
    assert error.store == f"sqlite:///{path}"
    assert cause in error.cause
    assert fix in error.fix
    assert str(error) == f"{error.store}: {error.cause}; {error.fix}"
    assert store._pool is None  # nothing left open


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What SQLite and the folder's creation say when we may not write (as root, the case
    of SQLITE cannot be made: it is asked here with the OS's answers)."""
    url = f"sqlite:///{tmp_path}/n.db"
    denied = store_error(url, PermissionError(13, "Permission denied", str(tmp_path)))
    assert denied is not None
    assert denied.cause == f"{tmp_path}: permission denied"
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    found = store_error(url, sqlite3.OperationalError("unable to open database file"))
    assert found is not None
    assert (found.cause, found.fix) == (denied.cause.split(": ")[1], denied.fix)


def test_errors_of_a_statement_are_not_store_failures() -> None:
    """A constraint or a bug is raised as it is: only the store's own failures convert."""
    assert store_error("sqlite:///n.db", sqlite3.IntegrityError("UNIQUE constraint")) is None
    assert store_error("sqlite:///n.db", ValueError("no")) is None
    bug = psycopg.errors.SyntaxError("syntax error at or near")
    assert store_error("postgresql://db/n", bug) is None


def test_a_password_never_shows_even_if_the_driver_quotes_it() -> None:
    url = f"postgresql://app:{SECRET}@db.example:5432/n?sslpassword={SECRET}"
    found = store_error(url, psycopg.OperationalError(f"bad password {SECRET}"), opening=True)
    assert found is not None
    assert SECRET not in str(found)
    assert found.store == "postgresql://app:***@db.example:5432/n?sslpassword=***"


@pytest.mark.parametrize(("where", "cause", "fix"), POSTGRESQL.values(), ids=POSTGRESQL.keys())
async def test_postgresql_refusing_or_without_the_database(
    pg_server: str, where: str, cause: str, fix: str
) -> None:
    url = postgresql_url(where, pg_server)
    with pytest.raises(StoreError) as caught:
        await PostgresStore(url).open()
    assert cause in caught.value.cause
    assert fix in caught.value.fix
    assert SECRET not in str(caught.value)
    assert caught.value.store.startswith("postgresql://")
    assert ":***@" in caught.value.store


def _terminate(pg_server: str, application: str) -> int:
    with psycopg.connect(pg_server, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()",
            (application,),
        ).fetchall()
    return len(rows)


async def test_connections_the_server_dropped_are_replaced(pg_server: str, pg_url: str) -> None:
    """A restart or failover drops the pool's connections: the next call gets a new one
    (the pool checks each before lending it) instead of failing with AdminShutdown."""
    app = f"notifier-test-{uuid.uuid4().hex[:8]}"
    async with PostgresStore(f"{pg_url}&application_name={app}", min_size=2) as store:
        await store.counts()
        for _ in range(3):
            assert await asyncio.to_thread(_terminate, pg_server, app) >= 1
            assert await store.counts() == {}
            assert await store.source_states() == {}


async def test_a_connection_lost_mid_transaction_is_a_store_error(pg_url: str) -> None:
    async with PostgresStore(pg_url) as store:
        with pytest.raises(StoreError, match="lost the connection to PostgreSQL") as caught:
            await store._all("SELECT pg_terminate_backend(pg_backend_pid())")
        assert "reconnects by itself" in caught.value.fix
        assert await store.counts() == {}  # and the next call works


async def test_diagnose_says_why_a_server_cannot_be_reached(pg_url: str) -> None:
    async with PostgresStore(pg_url) as store:
        assert await store.diagnose() is None
    found = await PostgresStore(f"postgresql://app:{SECRET}@127.0.0.1:1/n").diagnose()
    assert found is not None
    assert "Connection refused" in found.cause
    assert SECRET not in str(found)
