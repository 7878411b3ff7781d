"""Which day a story is, for /top ("today") and the /sub preview ("the last N days"): its
own date (from the digest), else the day it was first seen, in the chat's time zone.

A catch-up of old stories ingested today is neither today's news nor recent.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from notifier.bot.context import BotContext

_UTC = zoneinfo.ZoneInfo("UTC")
#: Stories are looked up by when they were first seen: from a day before the first day
#: asked for (a story's date is its publisher's, whose time zone may be ahead).
_MARGIN = dt.timedelta(days=1)


async def chat_zone(ctx: BotContext, chat_id: int) -> zoneinfo.ZoneInfo:
    """The chat's time zone (``/tz``; UTC for a new chat or an unusable setting)."""
    chat = await ctx.subs.chat(chat_id)
    return zone(chat.timezone if chat is not None else None)


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The time zone ``name`` (UTC when empty or unknown)."""
    try:
        return zoneinfo.ZoneInfo(name) if name else _UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return _UTC


def days_back(now: float, tz: zoneinfo.ZoneInfo, days: int) -> tuple[dt.date, float]:
    """The first of the last ``days`` days (today counts) in ``tz``, and the first-seen
    time to look up stories from."""
    today = dt.datetime.fromtimestamp(now, tz).date()
    first = today - dt.timedelta(days=max(1, days) - 1)
    since = dt.datetime.combine(first - _MARGIN, dt.time(), tzinfo=tz).timestamp()
    return first, since


def story_day(story: dict[str, Any], tz: zoneinfo.ZoneInfo) -> dt.date | None:
    """The story's own date, else the day it was first seen in ``tz``."""
    date = story.get("date")
    if isinstance(date, str) and date:
        try:
            return dt.date.fromisoformat(date[:10])
        except ValueError:
            pass
    seen = story.get("first_seen")
    if isinstance(seen, int | float):
        return dt.datetime.fromtimestamp(seen, tz).date()
    return None


def dated_within(
    stories: Sequence[Any],
    first: dt.date,
    last: dt.date,
    tz: zoneinfo.ZoneInfo,
    story: Callable[[Any], dict[str, Any]] = lambda s: s,
) -> list[Any]:
    """The ``stories`` (each ``story(s)`` a stored story dict) dated ``first``..``last``."""
    out = []
    for s in stories:
        day = story_day(story(s), tz)
        if day is not None and first <= day <= last:
            out.append(s)
    return out
