"""Stores that cannot be used, one way each, for the tests of their one-line errors."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from notifier.store import NewDelivery, NewStory, open_store

#: The password every PostgreSQL case carries: it must never be shown.
SECRET = "s3cret-pw"


def corrupt(tmp_path: Path) -> str:
    """Something else under a store's name."""
    path = tmp_path / "n.db"
    path.write_bytes(b"this is not a SQLite file, whatever its name says\n" * 100)
    return str(path)


def truncated(tmp_path: Path) -> str:
    """A real store cut to half its size (a disk that filled up, a copy that stopped)."""
    path = tmp_path / "n.db"

    async def fill() -> None:
        async with open_store(f"sqlite:///{path}") as s:
            stories = [NewStory(f"s{i}", (f"s{i}",), "t" * 200, None, "x", {}) for i in range(500)]
            wanted = [NewDelivery(s.id, "t", ("r",), 1, 0, {"a": "b" * 200}) for s in stories]
            await s.commit_digest("h", "o", stories, [], wanted, now=1)

    asyncio.run(fill())
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2)
    return str(path)


def folder(tmp_path: Path) -> str:
    """A folder where the file should be."""
    return str(tmp_path)


def under_a_file(tmp_path: Path) -> str:
    """A file where a folder of the path should be (the folder cannot be created)."""
    (tmp_path / "data").write_text("a file where a folder should be")
    return str(tmp_path / "data" / "n.db")


def read_only_folder(tmp_path: Path) -> str:
    """A folder this user may not write in."""
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    return str(locked / "n.db")


#: (make the file's path, a part of the cause, a part of the fix)
SQLITE: dict[str, tuple[Callable[[Path], str], str, str]] = {
    "corrupt": (
        corrupt,
        "not a SQLite database",
        "restore it from a backup or `notifier db copy`",
    ),
    "truncated": (truncated, "database disk image is malformed", "restore it from a backup"),
    "folder": (folder, "the path is a folder, not a file", "give a file"),
    "under-a-file": (under_a_file, "part of the path is a file, not a folder", "fix the path"),
    "read-only-folder": (read_only_folder, "permission denied", "read and write access"),
}
#: PostgreSQL: (the URL after the password, ``{server}`` the test server's host:port; a
#: part of the cause; a part of the fix)
POSTGRESQL: dict[str, tuple[str, str, str]] = {
    "refused": ("127.0.0.1:1/notifier", "Connection refused", "is PostgreSQL running there?"),
    "no-database": (
        "{server}/notifier_no_such_db",
        'database "notifier_no_such_db" does not exist',
        "create the database",
    ),
}


def postgresql_url(where: str, pg_server: str | None) -> str:
    """A store URL with :data:`SECRET` as its password; ``{server}`` needs ``pg_server``."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(pg_server) if pg_server else {}
    user = params.get("user") or "postgres"
    server = f"{params.get('host') or '127.0.0.1'}:{params.get('port') or 5432}"
    return f"postgresql://{user}:{SECRET}@{where.format(server=server)}"
