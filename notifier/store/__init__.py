"""Where stories and deliveries live: SQLite (embedded default) or PostgreSQL.

store = open_store("sqlite:///notifier.db")   # not connected yet
async with store: ...
"""

from __future__ import annotations

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
)

__all__ = [
    "Delivery",
    "DigestCommit",
    "Limit",
    "NewDelivery",
    "NewStory",
    "Outcome",
    "SeenAgain",
    "State",
    "Store",
    "TargetState",
    "Worker",
    "open_store",
]


def open_store(url: str) -> Store:
    """Return the store for ``url`` (``sqlite:///path``, a file path, ``postgresql://...``)."""
    if url.startswith(("postgresql:", "postgres:")):
        from notifier.store.postgres import PostgresStore

        return PostgresStore(url)
    from notifier.store.sqlite import SQLiteStore

    return SQLiteStore(url)
