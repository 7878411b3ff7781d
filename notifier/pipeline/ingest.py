"""Ingest: a digest in, its new stories matched and their deliveries queued in the store.

1. A digest whose exact content was committed before is skipped (re-published pages).
2. Each item is resolved to a story: a known key (its id, canonical URL) or a near-
   duplicate title (SimHash, see ``docs/dedup.md``) means a story already seen — it only
   adds its source to the story's count; otherwise it is a new story.
3. Every matcher (the config's rules, the bot's subscriptions) is asked about the new
   stories; each (story, target) becomes one delivery, due when the target's policy says.
4. Stories and deliveries are written in one transaction, *before* anything is sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from notifier.dedup import WINDOW_SECONDS, NearDuplicates, fingerprint, story_keys
from notifier.delivery.policy import Mode, due_at
from notifier.items import Item
from notifier.parse import parse_bytes
from notifier.pipeline.matching import Match, Matcher
from notifier.sources.base import Digest
from notifier.store import NewDelivery, NewStory, SeenAgain, Store

log = logging.getLogger("notifier.ingest")

#: Items dated this many days before today are a backlog: caught up on, summarised (due
#: as the target's policy says, like every match).
BACKLOG_DAYS = 2


@dataclasses.dataclass(slots=True)
class IngestReport:
    """What one digest gave."""

    origin: str
    source: str
    skipped: bool = False  # the same content was ingested before
    items: int = 0
    stories: int = 0
    duplicates: int = 0
    matches: int = 0
    deliveries: int = 0
    warnings: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return dataclasses.asdict(self)


class Ingestor:
    """Turns digests into stored stories and queued deliveries."""

    def __init__(
        self,
        store: Store,
        matchers: Sequence[Matcher],
        policy: Callable[[str], Any],
        *,
        known_target: Callable[[str], bool] = lambda name: True,
        clock: Callable[[], float] = time.time,
        on_queued: Callable[[], None] = lambda: None,
        metrics: Any = None,
    ) -> None:
        self.store = store
        self.matchers = list(matchers)
        self.policy = policy
        self.known_target = known_target
        self.clock = clock
        self.on_queued = on_queued
        self.metrics = metrics
        self.near = NearDuplicates()
        self._loaded = False

    async def load(self) -> None:
        """Fill the near-duplicate index from the stories of the last days."""
        now = self.clock()
        for story_id, simhash in await self.store.recent_fingerprints(now - WINDOW_SECONDS):
            self.near.add(story_id, simhash, now)
        self._loaded = True

    async def ingest(self, digest: Digest) -> IngestReport:
        """Parse, resolve, match and queue one digest.

        Raises:
            DigestError: when the digest cannot be read at all.
        """
        if not self._loaded:
            await self.load()
        report = IngestReport(digest.origin, digest.source)
        digest_hash = hashlib.blake2b(digest.data, digest_size=16).hexdigest()
        if await self.store.digest_seen(digest_hash):
            report.skipped = True
            self._count("skipped", digest)
            return report
        parsed = parse_bytes(
            digest.data,
            digest.origin,
            filename=digest.filename,
            content_type=digest.content_type,
            layout=digest.layout,
        )
        report.warnings = list(parsed.warnings)
        for warning in parsed.warnings:
            log.warning("%s", warning)
        items = parsed.items
        report.items = len(items)
        now = self.clock()
        fresh, seen, prints = await self._resolve(items, digest.source, now)
        for matcher in self.matchers:
            refresh = getattr(matcher, "refresh", None)
            if refresh is not None:
                await refresh()
        matches = self._match([item for item, _ in fresh])
        stories = [
            NewStory(
                id=item.id,
                keys=keys,
                title=item.title,
                url=item.url,
                source=item.source or digest.source,
                item=item.to_json(),
                simhash=prints.get(item.id),
                published=_timestamp(item.date),
            )
            for item, keys in fresh
        ]
        deliveries = []
        for (item, _), found in zip(fresh, matches, strict=True):
            report.matches += len(found)
            deliveries += self._deliveries(item, found, now)
        commit = await self.store.commit_digest(
            digest_hash, digest.origin, stories, seen, deliveries, now
        )
        for story_id, simhash in prints.items():
            self.near.add(story_id, simhash, now)
        self.near.prune(now - WINDOW_SECONDS)
        report.stories = commit.stories
        report.duplicates = commit.duplicates
        report.deliveries = commit.deliveries
        self._count("ok", digest, report)
        if commit.deliveries:
            self.on_queued()
        log.info(
            "ingested %s: %d items, %d new stories, %d duplicates, %d deliveries",
            digest.origin,
            report.items,
            report.stories,
            report.duplicates,
            report.deliveries,
        )
        return report

    async def _resolve(
        self, items: Sequence[Item], source: str, now: float
    ) -> tuple[list[tuple[Item, tuple[str, ...]]], list[SeenAgain], dict[str, int]]:
        """Split items into new stories (with their keys) and sightings of known ones."""
        keyed = [(item, story_keys(item)) for item in items]
        known = await self.store.known_keys(key for _, keys in keyed for key in keys)
        fresh: list[tuple[Item, tuple[str, ...]]] = []
        seen: list[SeenAgain] = []
        prints: dict[str, int] = {}
        mine: dict[str, str] = {}  # keys of stories new in this digest
        local = NearDuplicates()
        for item, keys in keyed:
            publisher = item.source or source
            owner = next(
                (known.get(k) or mine.get(k) for k in keys if k in known or k in mine), None
            )
            simhash = fingerprint(item)
            if owner is None and simhash is not None:
                owner = self.near.find(simhash) or local.find(simhash)
            if owner is not None:
                seen.append(SeenAgain(owner, publisher, keys))
                continue
            fresh.append((item, keys))
            mine.update((key, item.id) for key in keys)
            if simhash is not None:
                prints[item.id] = simhash
                local.add(item.id, simhash, now)
        return fresh, seen, prints

    def _match(self, items: Sequence[Item]) -> list[list[Match]]:
        merged: list[list[Match]] = [[] for _ in items]
        for matcher in self.matchers:
            for index, found in enumerate(matcher.match_digest(items)):
                merged[index] += found
        return merged

    def _deliveries(self, item: Item, found: Sequence[Match], now: float) -> list[NewDelivery]:
        """One delivery per target: the best score, every rule that sent it there."""
        by_target: dict[str, list[Match]] = {}
        for match in found:
            if self.metrics is not None:  # subscriptions counted together: one series
                self.metrics.match("sub:*" if match.rule.startswith("sub:") else match.rule)
            if not self.known_target(match.target):
                log.warning("rule %s routes to unknown target %s", match.rule, match.target)
                continue
            by_target.setdefault(match.target, []).append(match)
        backlog = _is_backlog(item, now)
        out = []
        for target, matches in by_target.items():
            best = max(matches, key=lambda m: m.score)
            modes = {m.mode for m in matches if m.mode}
            mode = (
                Mode.INSTANT if Mode.INSTANT in modes else (Mode(modes.pop()) if modes else None)
            )
            tags = tuple(dict.fromkeys(tag for m in matches for tag in m.tags))
            out.append(
                NewDelivery(
                    story_id=item.id,
                    target=target,
                    rules=tuple(dict.fromkeys(r for m in matches for r in (m.rule, *m.also))),
                    score=best.score,
                    due_at=due_at(self.policy(target), now, mode),  # a backlog too
                    entry=entry_json(item, best.score, best.label or best.rule, tags),
                    backlog=backlog,
                )
            )
        return out

    def _count(self, result: str, digest: Digest, report: IngestReport | None = None) -> None:
        if self.metrics is None:
            return
        self.metrics.digest(digest.source, result)
        if report is not None:
            self.metrics.items(digest.source, report.items)


def entry_json(item: Item, score: float, rule: str, tags: Sequence[str]) -> dict[str, Any]:
    """The message entry of a matched item, JSON-ready (``channels.base.Entry`` fields)."""
    return {
        "title": item.title,
        "url": item.url,
        "summary": item.summary,
        "source": item.source,
        "section": item.section,
        "date": item.date.isoformat() if item.date else None,
        "score": round(score, 3),
        "rule": rule,
        "tags": list(tags),
    }


def _is_backlog(item: Item, now: float) -> bool:
    if item.date is None:
        return False
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    return (today - item.date).days >= BACKLOG_DAYS


def _timestamp(date: dt.date | None) -> float | None:
    if date is None:
        return None
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp()
