"""What the page and the playground keep between requests: each day's stories (read again
only when the day's stamp changes: a new story or sighting) and their folded text.

A stored story's text never changes, so what is derived from it stays true; only its
source count does, and the stamp covers that. Both caches are bounded.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from notifier.views.stories import StoryRow, bounds, stories_between

if TYPE_CHECKING:
    from notifier.store import Store

#: Days kept (a playground over 90 days plus the page's days).
MAX_DAYS = 120
#: Folded texts kept (about 100 bytes each beyond the text).
MAX_FOLDED = 400_000


class StoryCache:
    """Stories by day and their folded fields, for one process."""

    def __init__(self, traditional: bool = False) -> None:
        self.traditional = traditional
        self._days: OrderedDict[tuple[dt.date, str], tuple[tuple[int, int, int], list[StoryRow]]]
        self._days = OrderedDict()
        self._folded: dict[tuple[int, tuple[str, ...]], str] = {}
        self._texts: OrderedDict[tuple[dt.date, str, tuple[str, ...]], DayText] = OrderedDict()

    async def day(self, store: Store, day: dt.date, tz: zoneinfo.ZoneInfo) -> list[StoryRow]:
        """The stories dated ``day`` in ``tz``, most sources first."""
        return (await self.stamped(store, day, tz))[1]

    async def stamped(
        self, store: Store, day: dt.date, tz: zoneinfo.ZoneInfo
    ) -> tuple[tuple[int, int, int], list[StoryRow]]:
        """The day's stamp (``Store.story_stamp``) and its stories."""
        start, end = bounds(day, tz)
        stamp = await store.story_stamp(start, end)
        key = (day, str(tz))
        found = self._days.get(key)
        if found is not None and found[0] == stamp:
            self._days.move_to_end(key)
            return found
        iso = day.isoformat()
        rows = [s for s in await stories_between(store, start, end, tz=tz) if s.date == iso]
        self._days[key] = (stamp, rows)
        while len(self._days) > MAX_DAYS:
            self._days.popitem(last=False)
        return stamp, rows

    async def days(
        self, store: Store, first: dt.date, last: dt.date, tz: zoneinfo.ZoneInfo
    ) -> list[StoryRow]:
        """The stories dated ``first``..``last``, newest day first."""
        out: list[StoryRow] = []
        day = last
        while day >= first:
            out += await self.day(store, day, tz)
            day -= dt.timedelta(days=1)
        return out

    def folded(self, story: StoryRow, fields: tuple[str, ...]) -> str:
        """The story's ``fields`` (title, summary, source, section) folded as the engine
        folds them (``notifier.folding.fold``), joined by NUL (which no folded word holds)."""
        key = (story.id, fields)
        found = self._folded.get(key)
        if found is None:
            from notifier.folding import fold

            trad = self.traditional
            found = "\x00".join(
                fold(getattr(story, f) or "", traditional=trad).text for f in fields
            )
            if len(self._folded) >= MAX_FOLDED:
                self._folded.clear()
            self._folded[key] = found
        return found

    async def day_text(
        self, store: Store, day: dt.date, tz: zoneinfo.ZoneInfo, fields: tuple[str, ...]
    ) -> DayText:
        """The day's stories with their folded ``fields`` in one text, to search at once."""
        stamp, rows = await self.stamped(store, day, tz)
        key = (day, str(tz), fields)
        found = self._texts.get(key)
        if found is None or found.stamp != stamp:
            found = DayText(stamp, rows, [self.folded(s, fields) for s in rows])
            self._texts[key] = found
            while len(self._texts) > MAX_DAYS:
                self._texts.popitem(last=False)
        return found


class DayText:
    """A day's stories and their folded text, joined: which stories hold a word is one
    ``str.find`` per story that holds it."""

    def __init__(
        self, stamp: tuple[int, int, int], rows: list[StoryRow], texts: list[str]
    ) -> None:
        self.stamp = stamp
        self.rows = rows
        self.starts: list[int] = []
        pos = 0
        for text in texts:
            self.starts.append(pos)
            pos += len(text) + 1
        self.text = "\x01".join(texts)

    def holding(self, words: Iterable[str]) -> set[int]:
        """The indexes of the stories whose text holds one of ``words`` at least."""
        out: set[int] = set()
        text, starts, size = self.text, self.starts, len(self.text)
        for word in words:
            if not word:
                continue
            at = text.find(word)
            while at != -1:
                i = bisect.bisect_right(starts, at) - 1
                out.add(i)
                at = text.find(word, starts[i + 1] if i + 1 < len(starts) else size)
        return out
