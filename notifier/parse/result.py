"""The parse result, the per-digest context (warnings) and the draft → item step."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from notifier.items import Item, item_id
from notifier.parse.explain import Explanation, Note
from notifier.parse.hotness import body_hotness, split_hotness
from notifier.urls import canonical_url

if TYPE_CHECKING:
    from notifier.parse.layout import Layout

# Titles that stand for "nothing here yet" (compared after trimming punctuation).
_PLACEHOLDERS = frozenset(
    {"", "待更新", "暂无", "待补充", "敬请期待", "无", "tbd", "todo", "n/a", "na", "none", "null"}
)
_PLACEHOLDER_TRIM = " \t.。…-—–_·*#()（）[]【】:："


@dataclasses.dataclass(slots=True)
class ParseResult:
    """The items read from one digest, with what was learnt about the digest itself."""

    origin: str
    format: str
    source: str
    date: dt.date | None
    items: list[Item]
    warnings: list[str] = dataclasses.field(default_factory=list)
    explanation: Explanation | None = None  # how it was read (``notifier parse --explain``)


class Context:
    """Where a digest came from and the warnings gathered while reading it."""

    __slots__ = ("explanation", "filename", "layout", "origin", "warnings")

    def __init__(
        self, origin: str, filename: str | None = None, layout: Layout | None = None
    ) -> None:
        self.origin = origin
        self.filename = filename
        self.layout = layout  # what the user said the stories are, if anything
        self.warnings: list[str] = []
        self.explanation: Explanation | None = None

    def explain(self, reader: str, layout: str, notes: list[Note] | None = None) -> None:
        self.explanation = Explanation(reader, layout, notes or [])

    def warn(self, line: int, message: str) -> None:
        """Record ``origin:line: message``."""
        self.warnings.append(f"{self.origin}:{line}: {message}")


@dataclasses.dataclass(slots=True)
class Draft:
    """An item before its id, rank and hotness are settled."""

    title: str
    line: int
    url: str | None = None
    summary: str = ""
    section: str | None = None
    hotness: int | None = None
    date: dt.date | None = None
    source: str | None = None
    rank: int | None = None
    body_hotness: bool = False  # also look for an HN score in the summary


def is_placeholder(title: str) -> bool:
    """True for an empty title, ``...``, ``待更新``, ``暂无``, ``TBD``, a lone ``-``."""
    return title.strip(_PLACEHOLDER_TRIM).casefold() in _PLACEHOLDERS


def build_items(drafts: list[Draft], origin: str, source: str, date: dt.date | None) -> list[Item]:
    """Turn drafts into items: scores out of titles, placeholders dropped, ids and ranks."""
    builder = ItemBuilder(origin, source, date)
    builder.add(drafts)
    return builder.items


class ItemBuilder:
    """Items of one digest, built from its drafts a part at a time."""

    def __init__(self, origin: str, source: str, date: dt.date | None) -> None:
        self.origin = origin
        self.source = source
        self.date = date
        self.items: list[Item] = []
        self.seen: dict[str, int] = {}  # ids so far: a story told twice gets a distinct id

    def add(self, drafts: list[Draft]) -> None:
        origin, items, seen = self.origin, self.items, self.seen
        for draft in drafts:
            title, hotness = split_hotness(draft.title)
            if draft.hotness is not None:
                hotness = draft.hotness
            elif hotness is None and draft.body_hotness:
                hotness = body_hotness(draft.summary)
            if is_placeholder(title):
                continue
            url = draft.url.strip() if draft.url else None
            if url and origin.startswith(("http://", "https://")) and "://" not in url:
                url = urljoin(origin, url)  # a link of the digest's site, made absolute
            item_source = draft.source or self.source
            rank = draft.rank if draft.rank is not None else len(items) + 1
            base = item_id(canonical_url(url), title, item_source)
            repeat = seen.get(base, 0)
            seen[base] = repeat + 1
            items.append(
                Item(
                    id=base if not repeat else item_id(None, f"{base}#{repeat + 1}", item_source),
                    title=title,
                    url=url or None,
                    summary=draft.summary,
                    source=item_source,
                    section=draft.section,
                    date=draft.date or self.date,
                    rank=rank,
                    hotness=hotness,
                    origin=origin,
                )
            )
