"""The ``store:`` and ``server:`` sections: where the service keeps its state, where it listens.

A store is a URL. ``sqlite:///notifier.db`` is a file relative to the config's folder and
``sqlite:////var/lib/notifier.db`` an absolute one (three slashes, then the path: the
SQLAlchemy convention); the loaded config always holds the absolute form. PostgreSQL URLs
(``postgresql://user@host/db``) are kept as written. A URL may hold a password: no message
shows a store URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from notifier.config._check import Checker
from notifier.config._listen import read_listen
from notifier.config._model import ServerSpec
from notifier.config._nodes import Node
from notifier.config._units import parse_duration, parse_size

ENV_STORE = "NOTIFIER_STORE"
SQLITE = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")
MEMORY = ":memory:"
SERVER_KEYS = (
    "listen",
    "token",
    "view_token",
    "max_body",
    "body_timeout",
    "header_timeout",
    "max_uploads",
)
_STORE_HINT = "write sqlite:///PATH or postgresql://USER@HOST/DB"


def sqlite_path(store: str) -> str | None:
    """Return the file of a ``sqlite:///`` store URL (``:memory:`` as is), else ``None``."""
    if not store.startswith(SQLITE):
        return None
    return store[len(SQLITE) :]


def default_store(base: Path) -> str:
    """The store when the config names none: ``notifier.db`` beside the config file."""
    return SQLITE + str(base.absolute() / "notifier.db")


def read_store(check: Checker, node: Node | None, base: Path) -> str | None:
    """Return the store URL of ``store:`` (else ``$NOTIFIER_STORE``, else the default).

    ``base`` is the config's folder. Returns ``None`` after reporting a problem.
    """
    if node is None or node.value is None:
        env = os.environ.get(ENV_STORE)
        if not env:
            return default_store(base)
        return _store(check, env, None, base, f"store (from ${ENV_STORE})", env=True)
    text = check.string(node, "store")
    if text is None:
        return None
    return _store(check, text.strip(), node.line, base, "store", env=bool(node.env))


def _store(
    check: Checker, text: str, line: int | None, base: Path, what: str, *, env: bool
) -> str | None:
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep:
        check.error(line, f"{what}: not a URL; {_STORE_HINT}")
        return None
    if scheme == "sqlite":
        return _sqlite(check, rest, line, base, what)
    if scheme in POSTGRES_SCHEMES:
        try:
            urlsplit(text).port  # noqa: B018 (raises on a bad port)
        except ValueError:
            check.error(line, f"{what}: the port of the PostgreSQL URL is not a number")
            return None
        return text
    shown = "" if env else f" '{scheme}'"
    check.error(line, f"{what}: unknown scheme{shown}; {_STORE_HINT}")
    return None


def _sqlite(check: Checker, rest: str, line: int | None, base: Path, what: str) -> str | None:
    if not rest.startswith("/") or not rest[1:].strip():
        check.error(line, f"{what}: write sqlite:///PATH, e.g. sqlite:///notifier.db")
        return None
    name = rest[1:]
    if name == MEMORY:
        return SQLITE + MEMORY
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = base.absolute() / path
    if path.is_dir():
        check.error(line, f"{what}: {str(path)!r} is a folder; name the database file in it")
        return None
    if not path.parent.is_dir():
        check.warning(line, f"{what}: the folder {str(path.parent)!r} does not exist")
    return SQLITE + str(path)


def read_server(check: Checker, node: Node | None) -> ServerSpec | None:
    """Return the ``server:`` section (defaults when absent), or ``None`` after a problem."""
    if node is None or node.value is None:
        return ServerSpec()
    values = check.mapping(node, "server")
    if values is None:
        return None
    check.unknown_settings(node, SERVER_KEYS, "server")
    before = len(check.problems.errors)
    spec = ServerSpec()
    host, port, token, max_body = spec.host, spec.port, spec.token, spec.max_body
    if "listen" in values:
        found = read_listen(check, values["listen"], "server: listen", 8080, port_zero=True)
        host, port = found or (host, port)
    token_node = values.get("token")
    if token_node is not None and token_node.value is not None:
        token = check.string(token_node, "server: token")
        if token is not None and any(c.isspace() for c in token):
            check.fail(token_node, "server: token: must not contain spaces or line breaks")
    view_token = _view_token(check, values.get("view_token"))
    if "max_body" in values:
        size = parse_size(values["max_body"].value)
        if not size:
            check.fail(
                values["max_body"],
                f"server: max_body: must be a size like 5MB or 512KB (a number is bytes), "
                f"got {values['max_body'].show()}",
            )
        else:
            max_body = size
    limits = _upload_limits(check, values)
    if len(check.problems.errors) > before or any(n.broken for n in values.values()):
        return None
    return ServerSpec(host, port, token, max_body, view_token=view_token, **limits)


def _view_token(check: Checker, node: Node | None) -> str | None:
    """``view_token``: what reading the web page needs off loopback (no spaces)."""
    if node is None or node.value is None:
        return None
    found = check.string(node, "server: view_token")
    if found is not None and any(c.isspace() for c in found):
        check.fail(node, "server: view_token: must not contain spaces or line breaks")
        return None
    return found or None


def _upload_limits(check: Checker, values: dict[str, Node]) -> dict[str, Any]:
    """``body_timeout``, ``header_timeout`` (durations > 0), ``max_uploads`` (a count)."""
    found: dict[str, Any] = {}
    for key in ("body_timeout", "header_timeout"):
        node = values.get(key)
        if node is None or node.value is None:
            continue
        seconds = parse_duration(node.value)
        if not seconds:
            check.fail(
                node,
                f"server: {key}: must be a duration like 30s or 2m (a number is seconds), "
                f"got {node.show()}",
            )
        else:
            found[key] = seconds
    node = values.get("max_uploads")
    if node is not None and node.value is not None:
        count = check.count(node, "server: max_uploads")
        if count is not None:
            found["max_uploads"] = count
    return found
