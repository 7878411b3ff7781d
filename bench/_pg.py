"""PostgreSQL for the benchmarks: a fresh schema per run, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def create_schema(server: str) -> tuple[str, str]:
    """Create a fresh schema on ``server``; return its name and a store URL that uses it."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in server else "?"
    return schema, f"{server}{sep}options={quote(f'-csearch_path={schema}')}"


def drop_schema(server: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def pg_schema(server: str) -> Iterator[str]:
    """A store URL on a fresh schema of ``server``, dropped afterwards."""
    schema, url = create_schema(server)
    try:
        yield url
    finally:
        drop_schema(server, schema)


def pg_reachable(server: str) -> str | None:
    """``None`` when ``server`` answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(server, connect_timeout=3, autocommit=True):
            return None
    except Exception as exc:  # any reason: the PostgreSQL rows are left out
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
