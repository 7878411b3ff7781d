"""Shared fixtures: a PostgreSQL schema of its own for each test that needs one."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from notifier.store import Store, open_store

#: Read at import, before any fixture may clear ``NOTIFIER_*`` variables.
PG_SERVER = os.environ.get("NOTIFIER_TEST_POSTGRES", "")
PG_REQUIRED = bool(os.environ.get("CI") or os.environ.get("NOTIFIER_REQUIRE_POSTGRES"))
PG_DEFAULTS = (
    "postgresql://postgres@127.0.0.1:5432/test",
    f"postgresql://{quote(os.environ.get('USER') or 'postgres')}@127.0.0.1:5432/test",
)


def _reachable() -> tuple[str | None, str]:
    """The first test server that answers, or ``None`` and why none did."""
    import psycopg

    reasons = []
    for url in dict.fromkeys([PG_SERVER] if PG_SERVER else PG_DEFAULTS):
        try:
            with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
                conn.execute("SELECT 1")
            return url, ""
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            shown = re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)  # no passwords
            reasons.append(f"{shown}: {first}")
    return None, "; ".join(reasons)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The URL of the test PostgreSQL database (``$NOTIFIER_TEST_POSTGRES``, else the local
    server's database ``test``). Skips when unreachable, fails when CI requires it."""
    url, why = _reachable()
    if url is None:
        message = (
            f"PostgreSQL is not reachable ({why}); start it (scripts/pg-up) or set "
            "NOTIFIER_TEST_POSTGRES=postgresql://..."
        )
        if PG_REQUIRED:
            pytest.fail(f"{message} — required here (CI or NOTIFIER_REQUIRE_POSTGRES is set)")
        pytest.skip(message)
    return url


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A store URL on a fresh, empty schema of the test database, dropped after the test."""
    import psycopg

    schema = f"notifier_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_server else "?"
    yield f"{pg_server}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An open store on every backend: SQLite, and PostgreSQL on a schema of its own."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = f"sqlite:///{tmp_path}/notifier.db"
    async with open_store(url) as s:
        yield s
