"""One day's stories grouped by rule: the web page (``/``), ``notifier report --html`` and
the MCP server.

The config's rules run through the engine on the day's stories only (not the deliveries
the ingest queued: rules may have changed since, and a rule without targets still groups).
A story shows under every rule it matches, best score first; groups come most matches
first. Stories that match no rule are in a last group, ``other`` (``DayPage.other``).
Each story says where it was delivered, per target name, from the deliveries table.

A group lists at most ``per_group`` stories (its ``total`` counts them all): a day of
10,000 stories renders in well under 100 ms (bench/web.py). The engine's verdicts per
story are kept in a :class:`MatchCache`, since a story's text never changes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
import zoneinfo
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from notifier.views.cache import StoryCache
from notifier.views.results import field_spans
from notifier.views.stories import StoryRow, story_item, today, zone_of

if TYPE_CHECKING:
    from notifier.config import Config
    from notifier.engine import Engine
    from notifier.store import Store

#: Stories shown per group unless asked for more.
PER_GROUP = 20
OTHER = "other"
#: Delivery states as the page names them (a queued one with attempts is retrying).
_SHOWN = {"dead": "failed", "sending": "sending", "sent": "sent", "queued": "queued"}
_MAX_QUERY = 200
#: Stories the engine runs on before letting the event loop run something else.
_SLICE = 250
#: Grouped pages kept by :class:`MatchCache` (filters make each one a page of its own).
PAGES_KEPT = 32


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """A rule's match of a story, as the page needs it."""

    rule: str
    score: float
    #: Merged spans of the positive hits in the title and the summary, to highlight.
    title: tuple[tuple[int, int], ...]
    summary: tuple[tuple[int, int], ...]
    #: The terms that hit, as written in the rule.
    terms: tuple[str, ...]


class MatchCache:
    """The engine on the config's rules, and its verdicts per story number (bounded)."""

    def __init__(self, config: Config | None, size: int = 200_000) -> None:
        from notifier.engine import Engine

        rules = list(config.rules) if config is not None else []
        traditional = bool(config.settings.fold_traditional) if config is not None else False
        self.engine: Engine = Engine(rules, traditional=traditional)
        self.tags = {r.name: r.tags for r in rules}
        self.order = {r.name: i for i, r in enumerate(rules)}
        self.size = size
        self._done: dict[int, tuple[Verdict, ...]] = {}
        #: The day's stories and their folded text (shared with the playground).
        self.stories = StoryCache(traditional)
        #: Pages as grouped (before their deliveries are read), by day, filters and stamp.
        self.pages: OrderedDict[tuple[Any, ...], DayPage] = OrderedDict()

    def page(self, key: tuple[Any, ...]) -> DayPage | None:
        """A page grouped before for ``key`` (its stamp included), if kept."""
        found = self.pages.get(key)
        if found is not None:
            self.pages.move_to_end(key)
        return found

    def keep(self, key: tuple[Any, ...], page: DayPage) -> None:
        """Keep a grouped page (the last :data:`PAGES_KEPT`)."""
        self.pages[key] = page
        while len(self.pages) > PAGES_KEPT:
            self.pages.popitem(last=False)

    async def prepare(self, stories: Sequence[StoryRow]) -> None:
        """Run the engine on the stories it has not seen, a slice at a time, letting the
        event loop serve others in between (a day of 10,000 new stories takes seconds)."""
        todo = [s for s in stories if s.id not in self._done]
        for i, story in enumerate(todo, 1):
            self.verdicts(story)
            if i % _SLICE == 0:
                await asyncio.sleep(0)

    def verdicts(self, story: StoryRow) -> tuple[Verdict, ...]:
        """The rules ``story`` matches, in rule order."""
        found = self._done.get(story.id)
        if found is None:
            found = tuple(
                Verdict(
                    r.rule.name,
                    r.score,
                    tuple(field_spans(r.hits, "title")),
                    tuple(field_spans(r.hits, "summary")),
                    tuple(dict.fromkeys(h.term.text for h in r.hits if h.role != "none")),
                )
                for r in self.engine.match(story_item(story))
            )
            if len(self._done) >= self.size:
                self._done.clear()
            self._done[story.id] = found
        return found


@dataclasses.dataclass(frozen=True, slots=True)
class Delivered:
    """Where a story went: a target's name and the delivery's state."""

    target: str
    #: sent, queued, retrying, sending, failed, summarised or dropped.
    state: str


@dataclasses.dataclass(frozen=True, slots=True)
class DayStory:
    """A story in a group."""

    story: StoryRow
    #: Its score under the group's rule (0 in ``other``).
    score: float
    #: Every rule it matches (best first).
    rules: tuple[str, ...]
    title_spans: tuple[tuple[int, int], ...]
    summary_spans: tuple[tuple[int, int], ...]
    terms: tuple[str, ...]
    deliveries: tuple[Delivered, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The story, its score, matched terms and spans, and where it went."""
        return {
            **self.story.to_json(),
            "score": round(self.score, 4),
            "rules": list(self.rules),
            "terms": list(self.terms),
            "title_spans": [list(s) for s in self.title_spans],
            "summary_spans": [list(s) for s in self.summary_spans],
            "deliveries": [{"target": d.target, "state": d.state} for d in self.deliveries],
        }


@dataclasses.dataclass(frozen=True, slots=True)
class DayGroup:
    """A rule's matches of the day (or ``other``: stories matching no rule)."""

    rule: str
    tags: tuple[str, ...]
    #: The best ones, at most the page's ``per_group``.
    stories: tuple[DayStory, ...]
    #: How many stories the group holds in all.
    total: int

    def to_json(self) -> dict[str, Any]:
        """The group's rule, tags, count and the stories shown."""
        return {
            "rule": self.rule,
            "tags": list(self.tags),
            "total": self.total,
            "stories": [s.to_json() for s in self.stories],
        }


@dataclasses.dataclass(frozen=True, slots=True)
class DayPage:
    """One day's stories by rule."""

    day: dt.date
    tz: str
    groups: tuple[DayGroup, ...]
    #: Stories of the day matching no rule (``None`` when a rule or tag filter is set).
    other: DayGroup | None
    #: Stories of the day, and those left after the source and search filters.
    stories: int
    shown: int
    #: The filters applied (``None``: not set).
    rule: str | None = None
    tag: str | None = None
    source: str | None = None
    query: str | None = None
    #: Choices for the filters: every rule, tag and source of the day.
    rules: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    per_group: int = PER_GROUP

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the page."""
        return {
            "day": self.day.isoformat(),
            "tz": self.tz,
            "stories": self.stories,
            "shown": self.shown,
            "filters": {
                "rule": self.rule,
                "tag": self.tag,
                "source": self.source,
                "query": self.query,
            },
            "rules": list(self.rules),
            "tags": list(self.tags),
            "sources": list(self.sources),
            "per_group": self.per_group,
            "groups": [g.to_json() for g in self.groups],
            "other": self.other.to_json() if self.other is not None else None,
        }


async def day_page(
    store: Store,
    config: Config | None,
    day: dt.date | None = None,
    *,
    tz: zoneinfo.ZoneInfo | None = None,
    rule: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    query: str | None = None,
    per_group: int = PER_GROUP,
    cache: MatchCache | None = None,
    now: float | None = None,
) -> DayPage:
    """The stories dated ``day`` (default: today) in ``tz`` (default: the config's delivery
    time zone), grouped by the config's rules, filtered by ``rule``, ``tag`` (a rule's
    tag), ``source`` and ``query`` (words all found in the title or summary, any case).

    ``cache`` keeps the engine's verdicts between calls (build one per config)."""
    tz = tz or zone_of(config)
    cache = cache or MatchCache(config)
    day = day or today(tz, time.time() if now is None else now)
    stamp, everything = await cache.stories.stamped(store, day, tz)
    key = (day, str(tz), rule, tag, source, query, per_group, stamp)
    grouped = cache.page(key)
    if grouped is None:
        await cache.prepare(everything)
        grouped = _grouped(everything, cache, day, tz, rule, tag, source, query, per_group)
        cache.keep(key, grouped)
    groups, rest = await _with_deliveries(store, list(grouped.groups), grouped.other)
    return dataclasses.replace(grouped, groups=tuple(groups), other=rest)


def _grouped(
    everything: list[StoryRow],
    cache: MatchCache,
    day: dt.date,
    tz: zoneinfo.ZoneInfo,
    rule: str | None,
    tag: str | None,
    source: str | None,
    query: str | None,
    per_group: int,
) -> DayPage:
    """The page without deliveries: the stories filtered, matched and grouped."""
    words = _words(query)
    shown = [
        s
        for s in everything
        if (not source or s.source == source) and (not words or _found(s, words))
    ]
    by_rule: dict[str, list[DayStory]] = {}
    other: list[DayStory] = []
    for story in shown:
        verdicts = cache.verdicts(story)
        if not verdicts:
            other.append(DayStory(story, 0.0, (), (), (), ()))
            continue
        ranked = sorted(verdicts, key=lambda v: -v.score)
        names = tuple(v.rule for v in ranked)
        for v in verdicts:
            if (rule and v.rule != rule) or (tag and tag not in cache.tags.get(v.rule, ())):
                continue
            entry = DayStory(story, v.score, names, v.title, v.summary, v.terms)
            by_rule.setdefault(v.rule, []).append(entry)
    groups = [
        _group(name, cache.tags.get(name, ()), entries, per_group)
        for name, entries in sorted(
            by_rule.items(), key=lambda kv: (-len(kv[1]), cache.order.get(kv[0], 0))
        )
    ]
    rest = None if rule or tag else _group(OTHER, (), other, per_group)
    return DayPage(
        day=day,
        tz=str(tz),
        groups=tuple(groups),
        other=rest,
        stories=len(everything),
        shown=len(shown),
        rule=rule,
        tag=tag,
        source=source,
        query=query,
        rules=tuple(cache.order),
        tags=tuple(sorted({t for tags in cache.tags.values() for t in tags})),
        sources=tuple(sorted({s.source for s in everything})),
        per_group=per_group,
    )


def _group(name: str, tags: tuple[str, ...], entries: list[DayStory], limit: int) -> DayGroup:
    entries.sort(key=lambda e: (-e.score, -e.story.sources, e.story.rank or 10**6, e.story.id))
    return DayGroup(name, tags, tuple(entries[: max(0, limit)]), len(entries))


async def _with_deliveries(
    store: Store, groups: list[DayGroup], other: DayGroup | None
) -> tuple[list[DayGroup], DayGroup | None]:
    """The groups with each shown story's deliveries (one query for all)."""
    every = [*groups, *([other] if other is not None else [])]
    keys = [e.story.key for g in every for e in g.stories]
    found = await store.delivery_states(keys) if keys else {}

    def fill(g: DayGroup) -> DayGroup:
        stories = tuple(
            dataclasses.replace(e, deliveries=_delivered(found.get(e.story.key, ())))
            for e in g.stories
        )
        return dataclasses.replace(g, stories=stories)

    return [fill(g) for g in groups], fill(other) if other is not None else None


def _delivered(rows: Sequence[tuple[str, Any, int]]) -> tuple[Delivered, ...]:
    from notifier.subscriptions.model import chat_of

    out = []
    for target, state, attempts in rows:
        if chat_of(target) is not None:  # a subscriber's chat: never named on a page
            continue
        value = str(getattr(state, "value", state))
        shown = "retrying" if value == "queued" and attempts else _SHOWN.get(value, value)
        out.append(Delivered(target, shown))
    return tuple(out)


def _words(query: str | None) -> list[str]:
    if not query:
        return []
    return query[:_MAX_QUERY].casefold().split()


def _found(story: StoryRow, words: list[str]) -> bool:
    text = f"{story.title}\n{story.summary}".casefold()
    return all(w in text for w in words)
