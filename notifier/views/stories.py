"""Stored stories by date, as the page, the playground and the MCP server read them.

A story's date is its digest's date (``published``, stored as midnight UTC of that date),
else the day it was first seen in the reader's time zone: a catch-up of old stories
ingested today is not today's news (as the Telegram bot's /top counts it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections import Counter
from typing import TYPE_CHECKING, Any

from notifier.items import Item

if TYPE_CHECKING:
    from notifier.config import Config
    from notifier.store import Store

UTC = zoneinfo.ZoneInfo("UTC")
_DAY = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class StoryRow:
    """One stored story."""

    #: The story's number in the store (``stories.num``): short, for links.
    id: int
    title: str
    url: str | None
    summary: str
    source: str
    #: Heat: how many sources reported it.
    sources: int
    #: Its position in the first digest that had it (``None``: unknown).
    rank: int | None
    section: str | None
    #: The story's date, ISO (``2025-12-01``), see the module's docstring.
    date: str
    first_seen: float
    #: The store's own id of the story (what deliveries refer to).
    key: str = ""
    #: The score the digest stated for it (e.g. Hacker News points).
    hotness: int | None = None
    #: The digest it came from (a URL's query and userinfo masked).
    origin: str = ""
    #: Its digest's date, when known (ISO).
    published: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return dataclasses.asdict(self)


def zone_of(config: Config | None) -> zoneinfo.ZoneInfo:
    """The config's delivery time zone (the one most targets use; UTC without one)."""
    if config is None:
        return UTC
    named = Counter(p.timezone for p in config.delivery.values() if p.timezone)
    if not named:
        return UTC
    try:
        return zoneinfo.ZoneInfo(named.most_common(1)[0][0])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def story_row(data: dict[str, Any], tz: zoneinfo.ZoneInfo = UTC) -> StoryRow:
    """A :class:`StoryRow` from a stored story (``Store.stories_between``'s dicts)."""
    published = data.get("published")
    first_seen = float(data.get("first_seen") or 0.0)
    pub_date = (
        dt.datetime.fromtimestamp(float(published), UTC).date().isoformat()
        if published is not None
        else None
    )
    date = pub_date or dt.datetime.fromtimestamp(first_seen, tz).date().isoformat()
    rank = data.get("rank")
    hotness = data.get("hotness")
    return StoryRow(
        id=int(data["num"]),
        title=str(data.get("title") or ""),
        url=data.get("url") or None,
        summary=str(data.get("summary") or ""),
        source=str(data.get("source") or ""),
        sources=int(data.get("sources") or 1),
        rank=rank if isinstance(rank, int) and rank > 0 else None,
        section=data.get("section") or None,
        date=date,
        first_seen=first_seen,
        key=str(data.get("story_id") or data.get("id") or ""),
        hotness=hotness if isinstance(hotness, int) else None,
        origin=_masked(str(data.get("origin") or "")),
        published=pub_date,
    )


async def stories_between(
    store: Store,
    start: float,
    end: float,
    *,
    limit: int | None = None,
    tz: zoneinfo.ZoneInfo | None = None,
) -> list[StoryRow]:
    """The stories whose date (``published``, else ``first_seen``; UNIX seconds) is in
    [start, end), most sources first; ``tz`` gives :attr:`StoryRow.date` of stories
    without a digest date (UTC by default)."""
    rows = await store.stories_between(start, end, limit)
    return [story_row(r, tz or UTC) for r in rows]


async def stories_on(
    store: Store, first: dt.date, last: dt.date, tz: zoneinfo.ZoneInfo
) -> list[StoryRow]:
    """The stories dated ``first``..``last`` (inclusive) in ``tz``, most sources first."""
    start, end = bounds(first, tz)[0], bounds(last, tz)[1]
    lo, hi = first.isoformat(), last.isoformat()
    return [s for s in await stories_between(store, start, end, tz=tz) if lo <= s.date <= hi]


async def story_by_id(
    store: Store, story_id: int, *, tz: zoneinfo.ZoneInfo | None = None
) -> StoryRow | None:
    """The story numbered ``story_id``, or ``None`` (its date in ``tz``, default UTC)."""
    if not isinstance(story_id, int) or isinstance(story_id, bool) or story_id < 1:
        return None
    if story_id >= 2**63:
        return None
    found = await store.story_by_num(story_id)
    return story_row(found, tz or UTC) if found is not None else None


def story_item(row: StoryRow) -> Item:
    """The item the engine evaluates for a stored story."""
    return Item(
        id=row.key,
        title=row.title,
        url=row.url,
        summary=row.summary,
        source=row.source,
        section=row.section,
        date=dt.date.fromisoformat(row.published) if row.published else None,
        rank=row.rank or 0,
        hotness=row.hotness,
        origin=row.origin,
    )


def _masked(origin: str) -> str:
    """A digest's origin without what may be a secret (a URL's query and userinfo)."""
    if "://" not in origin:
        return origin
    from channels.base import mask_url

    return mask_url(origin)


def today(tz: zoneinfo.ZoneInfo, now: float) -> dt.date:
    """The date at ``now`` in ``tz``."""
    return dt.datetime.fromtimestamp(now, tz).date()


def bounds(day: dt.date, tz: zoneinfo.ZoneInfo) -> tuple[float, float]:
    """UNIX seconds that hold every story dated ``day``: that day in ``tz`` (first seen)
    and in UTC (digest dates are midnight UTC)."""
    starts, ends = [], []
    for zone in (tz, UTC):
        starts.append(dt.datetime.combine(day, dt.time(), tzinfo=zone).timestamp())
        ends.append(dt.datetime.combine(day + _DAY, dt.time(), tzinfo=zone).timestamp())
    return min(starts), max(ends)
