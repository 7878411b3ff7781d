"""Grow a store fast for the benchmarks: bulk SQL, not the pipeline.

:func:`fill` adds stories and their deliveries straight into the tables of a migrated
store (SQLite: ``executemany`` in one transaction; PostgreSQL: ``COPY``), as a store that
has run for weeks holds them: each story has a key, a source and ``TARGETS`` deliveries,
most of them sent long ago; a tenth are queued for tomorrow (targets in digest mode,
waiting for their time), so the queue the dispatcher looks at grows with the store too.
First-seen times are spread over the last 60 days (a tenth within the near-duplicate
window, with a random fingerprint).
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

#: The targets the filled deliveries go to (never the benchmarks' own targets).
TARGETS = [f"hist{i:02d}" for i in range(10)]
DAY = 86_400.0


def _rows(
    start: int, stories: int, now: float
) -> Iterator[tuple[str, tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Per story: its id, its stories row (as a tuple) and its delivery rows."""
    rng = random.Random(start)
    for i in range(start, start + stories):
        sid = f"bulk-{i}"
        first = now - rng.uniform(0, 60 * DAY)
        simhash = rng.getrandbits(64) - 2**63 if now - first < 7 * DAY else None
        title = f"Archived story number {i} about model {i % 997}"
        item = json.dumps({"title": title, "url": f"https://bulk.example/{i}"})
        story = (sid, title, f"https://bulk.example/{i}", "bulk", item, simhash, first, first)
        entry = json.dumps({"title": title, "url": f"https://bulk.example/{i}", "score": 1.0})
        deliveries = []
        for n, target in enumerate(TARGETS):
            queued = (i + n) % 10 == 0
            deliveries.append(
                (
                    sid,
                    target,
                    '["bulk"]',
                    float(i % 7),
                    "queued" if queued else "sent",
                    now + DAY if queued else first,
                    first,
                    0 if queued else 1,
                    entry,
                    None if queued else first + 1,
                )
            )
        yield sid, story, deliveries


def fill_sqlite(path: str, start: int, stories: int, now: float | None = None) -> None:
    """Add ``stories`` stories (numbered from ``start``) and their deliveries."""
    now = now or time.time()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN IMMEDIATE")
    for chunk in _chunked(_rows(start, stories, now), 5_000):
        db.executemany(
            "INSERT INTO stories (id, title, url, source, item, simhash, first_seen, "
            "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [story for _, story, _ in chunk],
        )
        db.executemany(
            "INSERT INTO story_keys (key, story_id) VALUES (?, ?)",
            [(story[2], sid) for sid, story, _ in chunk],
        )
        db.executemany(
            "INSERT INTO story_sources (story_id, source) VALUES (?, 'bulk')",
            [(sid,) for sid, _, _ in chunk],
        )
        db.executemany(
            "INSERT INTO deliveries (story_id, target, rules, score, state, due_at, "
            "created_at, attempts, entry, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [d for _, _, ds in chunk for d in ds],
        )
    db.execute("COMMIT")  # no ANALYZE: notifier never runs it, its stores have no statistics
    db.close()


def fill_postgres(url: str, start: int, stories: int, now: float | None = None) -> None:
    """The same on PostgreSQL, with ``COPY``."""
    import psycopg

    now = now or time.time()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for rows in _chunked(_rows(start, stories, now), 5_000):
            with cur.copy(
                "COPY stories (id, title, url, source, item, simhash, first_seen, last_seen) "
                "FROM STDIN"
            ) as copy:
                for _, story, _ in rows:
                    copy.write_row(story)
            with cur.copy("COPY story_keys (key, story_id) FROM STDIN") as copy:
                for sid, story, _ in rows:
                    copy.write_row((story[2], sid))
            with cur.copy("COPY story_sources (story_id, source) FROM STDIN") as copy:
                for sid, _, _ in rows:
                    copy.write_row((sid, "bulk"))
            with cur.copy(
                "COPY deliveries (story_id, target, rules, score, state, due_at, created_at, "
                "attempts, entry, sent_at) FROM STDIN"
            ) as copy:
                for _, _, ds in rows:
                    for d in ds:
                        copy.write_row(d)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def fill(url: str, start: int, stories: int, now: float | None = None) -> None:
    """Add ``stories`` stories and ``len(TARGETS)`` deliveries each to the store at
    ``url`` (migrated already: open it once first)."""
    if url.startswith("postgresql"):
        fill_postgres(url, start, stories, now)
    else:
        from notifier.store.sqlite import sqlite_path

        fill_sqlite(sqlite_path(url), start, stories, now)


def _chunked(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
