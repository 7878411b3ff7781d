"""Store failures as :class:`~notifier.errors.StoreError`: one line naming the store (its
password masked), what went wrong and what to do about it.

The backends raise their drivers' errors; :func:`store_error` tells the failures of the
store itself (unreachable, refused, lost connection, corrupt or unopenable file) from the
errors of a statement (a constraint, a bug), which it leaves alone (``None``). While a store
opens, every driver error is a store failure.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote

from notifier.errors import StoreError

#: Fixes, shared by several causes.
RESTORE = "move the file aside, then restore it from a backup or `notifier db copy` a good store"
ACCESS = "give the user running notifier read and write access to the file and its folder"
RECONNECTS = "notifier reconnects by itself once the server is back"
#: SQLSTATEs of a store that cannot be used (the connection, the server, the database):
#: connection exceptions (08...), shutdowns (57P01-57P03), a dropped database or schema's
#: tables, too many connections.
_PG_STATES = {"57P01", "57P02", "57P03", "3D000", "3F000", "42P01", "53300"}


def redact_url(url: str) -> str:
    """The URL with its password (and any ``password=`` parameter) masked, for output."""
    url = re.sub(r"^([a-z0-9+.-]+://[^:/@?#]*):[^@/?#]*@", r"\1:***@", url, flags=re.I)
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)


def store_error(url: str, exc: BaseException, *, opening: bool = False) -> StoreError | None:
    """The :class:`StoreError` for ``exc`` raised by the store at ``url``; ``None`` when it
    is not a failure of the store (unless ``opening``: then every driver error is one)."""
    if isinstance(exc, StoreError):
        return exc
    found: tuple[str, str] | None = None
    if isinstance(exc, sqlite3.Error):
        found = _sqlite(url, exc)
    elif isinstance(exc, OSError):
        found = _os(url, exc)
    elif type(exc).__module__.startswith("psycopg"):
        found = _postgres(exc, opening)
    else:
        return None
    if found is None:
        if not opening:
            return None
        found = (_first_line(exc), "")
    cause, fix = found
    return StoreError(redact_url(url), _scrub(cause, url), fix)


# -- SQLite -----------------------------------------------------------------------------------


def _sqlite(url: str, exc: sqlite3.Error) -> tuple[str, str] | None:
    text = str(exc).lower()
    if "file is not a database" in text:
        return "not a SQLite database (the file is corrupt or something else)", RESTORE
    if "malformed" in text:
        return "the database file is corrupt (database disk image is malformed)", RESTORE
    if "unable to open database file" in text:
        return _unopenable(url)
    if "readonly" in text or "read-only" in text:
        return "the database file is read-only", ACCESS
    if "database is locked" in text or "database is busy" in text:
        return "the database is locked by another process", "wait, or stop the process holding it"
    if "disk is full" in text:
        return "the disk is full", "free some disk space"
    if "disk i/o error" in text:
        return "disk I/O error", "check the disk; restore the file from a backup if it is damaged"
    if "no such table" in text:
        return f"the store's tables are missing ({exc})", "run `notifier db upgrade`"
    return None


def _unopenable(url: str) -> tuple[str, str]:
    """Why SQLite could not open its file, from what the path is."""
    path = Path(_sqlite_path(url))
    if path.is_dir():
        return (
            "the path is a folder, not a file",
            f"give a file, e.g. sqlite:///{path}/notifier.db",
        )
    parent = path.parent
    if not parent.is_dir():
        return f"the folder {str(parent)!r} does not exist", "create it, or fix the path"
    if not os.access(parent, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.R_OK)
    ):
        return "permission denied", ACCESS
    return "cannot open the database file", ACCESS


def _os(url: str, exc: OSError) -> tuple[str, str]:
    """An OSError while preparing a SQLite file (its folder created, its path checked)."""
    name = f"{exc.filename}" if exc.filename else _sqlite_path(url)
    why = exc.strerror or type(exc).__name__
    if isinstance(exc, PermissionError):
        return f"{name}: permission denied", ACCESS
    if isinstance(exc, NotADirectoryError | FileExistsError):
        return f"{name}: part of the path is a file, not a folder", "fix the path"
    if isinstance(exc, IsADirectoryError):
        return f"{name}: is a folder, not a file", "give the path of a file"
    return f"{name}: {why}", ""


def _sqlite_path(url: str) -> str:
    for prefix in ("sqlite:///", "sqlite://", "sqlite:"):
        if url.startswith(prefix):
            return unquote(url[len(prefix) :]) or ":memory:"
    return url


# -- PostgreSQL -------------------------------------------------------------------------------


def _postgres(exc: BaseException, opening: bool) -> tuple[str, str] | None:
    state = getattr(exc, "sqlstate", None)
    line = _first_line(exc)
    if type(exc).__name__ == "PoolTimeout":
        return f"no connection to PostgreSQL ({line})", RECONNECTS
    if state is None:
        if not _is_operational(exc):
            return None
        if opening:
            return _connect_failure(line)
        return f"lost the connection to PostgreSQL ({line})", RECONNECTS
    if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
        return f"lost the connection to PostgreSQL ({line})", RECONNECTS
    if state not in _PG_STATES:
        return None
    if state == "3D000":
        return line, "create the database, or fix its name in the store URL"
    if state in ("3F000", "42P01"):
        return f"the store's schema or tables are missing ({line})", (
            "run `notifier db upgrade`, or fix the schema (options=-csearch_path) of the URL"
        )
    return line, "lower the number of notifier processes, or raise the server's max_connections"


def _connect_failure(line: str) -> tuple[str, str]:
    """The cause and fix of a failed first connection, from libpq's message."""
    low = line.lower()
    if "connection refused" in low:
        return f"cannot connect: {line}", (
            "is PostgreSQL running there? Start it, or fix the host and port of the store URL"
        )
    if "does not exist" in low and "database" in low:
        return line, "create the database (createdb NAME), or fix its name in the store URL"
    if "password" in low or "authentication" in low or ("role" in low and "not exist" in low):
        return line, "check the user and password of the store URL"
    if "resolve host" in low or "translate host" in low:
        return line, "check the host name of the store URL"
    if "timeout" in low or "timed out" in low:
        return f"cannot connect: {line}", "check the host, the port and the network"
    return f"cannot connect: {line}", "check the store URL and that PostgreSQL is running"


def _is_operational(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def _first_line(exc: BaseException) -> str:
    """The message's first line, without libpq's prefixes and padding."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    text = re.sub(r"^connection failed:\s*", "", text)
    text = re.sub(r"\b(FATAL|ERROR):\s+", "", text)
    return " ".join(text.split())


def _scrub(text: str, url: str) -> str:
    """``text`` without the URL's password, whatever quoted it."""
    secrets = re.findall(r"^[a-z0-9+.-]+://[^:/@?#]*:([^@/?#]+)@", url, flags=re.I)
    secrets += re.findall(r"(?i)password=([^&\s]+)", url)
    for secret in {s for found in secrets for s in (found, unquote(found))}:
        text = text.replace(secret, "***")
    return text
