"""PostgreSQL: one digest's stories, sightings and deliveries, in the caller's transaction.

The usual digest has no conflicts left at commit time (ingest already looked its keys up),
so it is written in bulk: a handful of statements whatever its size. When the bulk insert
finds a story id or key that is already taken (another ingest process stored the same story
a moment ago, or two items of the digest share a key), it is rolled back to a savepoint and
the digest is written story by story, each under its own savepoint, where a conflicting
story becomes a repeat sighting of the stored one.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Sequence
from typing import Any

import psycopg

from notifier.store.base import DigestCommit, NewDelivery, NewStory, SeenAgain


async def commit(
    cur: psycopg.AsyncCursor[Any],
    digest_hash: str,
    origin: str,
    stories: Sequence[NewStory],
    seen: Sequence[SeenAgain],
    deliveries: Sequence[NewDelivery],
    now: float,
) -> DigestCommit:
    """The body of ``PostgresStore.commit_digest``."""
    # A second writer of the same digest waits here until the first one commits.
    await cur.execute(
        "INSERT INTO digests (hash, origin, seen_at) VALUES (%s, %s, %s) "
        "ON CONFLICT (hash) DO NOTHING",
        (digest_hash, origin, now),
    )
    new_digest = cur.rowcount == 1
    # One order for every writer: fewer lock waits in opposite orders (deadlocks).
    ordered = sorted(stories, key=lambda s: s.id)
    again = list(seen)
    if await _bulk(cur, ordered, now):
        stored = {story.id for story in ordered}
    else:
        stored = set()
        for story in ordered:
            owner = await _insert_story(cur, story, now)
            if owner is None:
                stored.add(story.id)
            else:  # another writer stored it first: a repeat sighting
                again.append(SeenAgain(owner, story.source, story.keys))
    await _sighted(cur, sorted(again, key=lambda s: s.story_id), now)
    queued = await _queue(cur, [d for d in deliveries if d.story_id in stored], now)
    return DigestCommit(new_digest, len(stored), len(again), queued)


async def _bulk(cur: psycopg.AsyncCursor[Any], stories: Sequence[NewStory], now: float) -> bool:
    """Insert every story with its keys and source; ``False`` (and nothing written) if any
    id or key is taken."""
    if not stories:
        return True
    await cur.execute("SAVEPOINT bulk")
    await cur.execute(
        "INSERT INTO stories (id, title, url, source, item, simhash, first_seen, last_seen, "
        "published) SELECT id, title, url, source, item::json, simhash, %s, %s, published "
        "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
        "%s::int8[], %s::float8[]) AS x(id, title, url, source, item, simhash, published) "
        "ON CONFLICT (id) DO NOTHING",
        (
            now,
            now,
            [s.id for s in stories],
            [s.title for s in stories],
            [s.url for s in stories],
            [s.source for s in stories],
            [_json(s.item) for s in stories],
            [s.simhash for s in stories],
            [_float(s.published) for s in stories],
        ),
    )
    ok = cur.rowcount == len(stories)
    if ok:
        keys = sorted({(key, s.id) for s in stories for key in s.keys})
        await cur.execute(
            "INSERT INTO story_keys (key, story_id) SELECT * FROM unnest(%s::text[], %s::text[]) "
            "ON CONFLICT (key) DO NOTHING",
            ([k for k, _ in keys], [i for _, i in keys]),
        )
        ok = cur.rowcount == len(keys)  # fewer: a key is another story's (or shared here)
    if not ok:
        await cur.execute("ROLLBACK TO SAVEPOINT bulk")
        await cur.execute("RELEASE SAVEPOINT bulk")
        return False
    await cur.execute(
        "INSERT INTO story_sources (story_id, source) "
        "SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING",
        ([s.id for s in stories], [s.source for s in stories]),
    )
    await cur.execute("RELEASE SAVEPOINT bulk")
    return True


async def _insert_story(cur: psycopg.AsyncCursor[Any], story: NewStory, now: float) -> str | None:
    """Insert a story with its keys; return ``None``, or the story that already has its id
    or one of its keys (then nothing of this one is kept)."""
    await cur.execute("SAVEPOINT story")
    await cur.execute(
        "INSERT INTO stories (id, title, url, source, item, simhash, first_seen, last_seen, "
        "published) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (id) DO NOTHING RETURNING id",
        (
            story.id,
            story.title,
            story.url,
            story.source,
            _json(story.item),
            story.simhash,
            now,
            now,
            _float(story.published),
        ),
    )
    if await cur.fetchone() is None:
        await cur.execute("RELEASE SAVEPOINT story")
        return story.id
    keys = sorted(set(story.keys))
    await cur.execute(
        "INSERT INTO story_keys (key, story_id) SELECT unnest(%s::text[]), %s "
        "ON CONFLICT (key) DO NOTHING",
        (keys, story.id),
    )
    if cur.rowcount < len(keys):
        # A key is another story's (committed: ON CONFLICT waited for its writer).
        await cur.execute(
            "SELECT story_id FROM story_keys WHERE key = ANY(%s) AND story_id <> %s",
            (keys, story.id),
        )
        found = {key_owner for (key_owner,) in await cur.fetchall()}
        if found:
            owner = next(iter(sorted(found)))
            await cur.execute("ROLLBACK TO SAVEPOINT story")
            await cur.execute("RELEASE SAVEPOINT story")
            return str(owner)
    await cur.execute(
        "INSERT INTO story_sources (story_id, source) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (story.id, story.source),
    )
    await cur.execute("RELEASE SAVEPOINT story")
    return None


async def _sighted(cur: psycopg.AsyncCursor[Any], again: Sequence[SeenAgain], now: float) -> None:
    """Count each new source of a story (once per source) and remember the items' keys."""
    if not again:
        return
    await cur.execute(
        "INSERT INTO story_sources (story_id, source) "
        "SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING "
        "RETURNING story_id",
        ([s.story_id for s in again], [s.source for s in again]),
    )
    new_sources = collections.Counter(row[0] for row in await cur.fetchall())
    ids = sorted({s.story_id for s in again})
    await cur.execute(
        "UPDATE stories SET sources = sources + x.n, last_seen = %s "
        "FROM unnest(%s::text[], %s::int[]) AS x(id, n) WHERE stories.id = x.id",
        (now, ids, [new_sources[i] for i in ids]),
    )
    keys = sorted({(key, s.story_id) for s in again for key in s.keys})
    if keys:
        await cur.execute(
            "INSERT INTO story_keys (key, story_id) SELECT * FROM unnest(%s::text[], %s::text[]) "
            "ON CONFLICT (key) DO NOTHING",
            ([k for k, _ in keys], [i for _, i in keys]),
        )


async def _queue(cur: psycopg.AsyncCursor[Any], wanted: Sequence[NewDelivery], now: float) -> int:
    """Queue the deliveries of the stored stories; return how many were new."""
    if not wanted:
        return 0
    await cur.execute(
        "INSERT INTO deliveries (story_id, target, rules, score, state, due_at, "
        "created_at, entry, backlog) "
        "SELECT story_id, target, rules::json, score, 'queued', due_at, %s, entry::json, "
        "backlog FROM unnest(%s::text[], %s::text[], %s::text[], %s::float8[], "
        "%s::float8[], %s::text[], %s::bool[]) "
        "AS x(story_id, target, rules, score, due_at, entry, backlog) "
        "ON CONFLICT (story_id, target) DO NOTHING",
        (
            now,
            [d.story_id for d in wanted],
            [d.target for d in wanted],
            [_json(list(d.rules)) for d in wanted],
            [float(d.score) for d in wanted],
            [float(d.due_at) for d in wanted],
            [_json(d.entry) for d in wanted],
            [bool(d.backlog) for d in wanted],
        ),
    )
    return int(cur.rowcount)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)
