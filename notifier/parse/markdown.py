"""Markdown digests: front matter, then the reader the page needs.

Two families with rules of their own keep their readers (insight-daily's ``【N】`` items,
deepgeek's stories that span numbered lines up to their ``[原文链接]``). Every other page
is read by its structure (:mod:`notifier.parse.reader`), or by the layout its source
states; a page written in HTML is read as HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifier.parse import deepgeek, insight
from notifier.parse.blocks import Line, split_lines
from notifier.parse.detect import markdown_family
from notifier.parse.frontmatter import split_front_matter
from notifier.parse.meta import digest_date, digest_source
from notifier.parse.result import Context, Draft, ItemBuilder, ParseResult, build_items
from notifier.parse.units import PLACEHOLDER_SEARCH_RE

_READERS: dict[str, tuple[Callable[[list[Line], Context], list[Draft]], str]] = {
    "insight-daily": (insight.parse, "stories are `【N】` lines with the text under them"),
    "deepgeek": (deepgeek.parse, "stories are numbered lines up to their [原文链接]"),
}
DETECT_LINES = 400  # lines at the top that tell the family, the source and the date
_STORY_LIST_KEYS = ("stories", "items", "news", "articles", "posts", "links", "entries")


def front_matter_stories(data: dict[str, Any], ctx: Context) -> list[Draft]:
    """Stories kept in the front matter (``stories:`` entries with a title and a url)."""
    from notifier.parse.jsondata import draft_of

    for key in _STORY_LIST_KEYS:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            continue
        entries = [v for v in value if isinstance(v, dict) and v.get("title")]
        if len(entries) * 2 < len(value):
            continue
        drafts = [draft_of(v, 1, f"{key} entry {n}", ctx) for n, v in enumerate(entries, 1)]
        return [d for d in drafts if d is not None]
    return []


def mostly_html(body: list[str]) -> bool:
    """A body written in HTML (a Jekyll page of cards): most lines start with a tag."""
    lines = [line.strip() for line in body if line.strip()]
    tags = sum(1 for line in lines if line.startswith("<") and not line.startswith("<!--"))
    return len(lines) >= 3 and tags * 10 >= len(lines) * 7


def no_stories_reason(body: list[str]) -> str:
    """The warning for an edition without stories: a placeholder, or a page of no shape."""
    text = " ".join(" ".join(body).split())
    m = PLACEHOLDER_SEARCH_RE.search(text)
    if m is not None:
        return f"no stories in this edition (it says “{m.group().strip()}”)"
    return (
        "no stories found: no repeated blocks with a title or a link; "
        "`notifier parse --explain` shows how the page was read"
    )


def parse_html_page(text: str, ctx: Context, fm: dict[str, Any] | None = None) -> ParseResult:
    """Read an HTML page (or the HTML body of a markdown file with front matter)."""
    from notifier.parse import html

    layout = ctx.layout
    if layout is not None and layout.markdown:
        ctx.warn(1, f"layout item={layout.item} is for markdown; this page is HTML: guessing")
        layout = None
    drafts, notes, page_source, page_date = html.read(text, layout, ctx.origin)
    shape = f"stated: {layout.describe()}" if layout else "repeated blocks that hold a headline"
    ctx.explain("layout" if layout else "html", shape, notes)
    data = fm or {}
    source = digest_source(data, [], ctx) if data.get("title") else page_source
    date = digest_date(data, [], ctx) if data.get("date") else page_date
    items = build_items(drafts, ctx.origin, source or digest_source(data, [], ctx), date)
    if not items:
        ctx.warn(1, no_stories_reason(text.split("\n")))
    source = source or digest_source(data, [], ctx)
    return ParseResult(ctx.origin, "html", source, date, items, ctx.warnings, ctx.explanation)


def parse(text: str, ctx: Context) -> ParseResult:
    """Read a markdown digest (newlines already normalized, zero-width removed)."""
    raw = text.split("\n")
    page = Page(raw, ctx)
    if page.html:
        return parse_html_page("\n".join(raw[page.start :]), ctx, page.front)
    builder = ItemBuilder(ctx.origin, page.source, page.date)
    builder.add(page.drafts(raw[page.start :], page.start + 1, first=True))
    if not builder.items:
        ctx.warn(page.start + 1, no_stories_reason(raw[page.start :]))
    return page.result(builder.items)


class Page:
    """What the top of a markdown digest says: front matter, family, source and date; then
    the drafts of its body, read by the family's reader or by its structure."""

    def __init__(self, raw: list[str], ctx: Context) -> None:
        self.ctx = ctx
        fm = split_front_matter(raw, ctx)
        self.front: dict[str, Any] = fm.data if fm else {}
        self.start = fm.body_start if fm else 0
        body = raw[self.start :]
        self.html = mostly_html(body)
        head = split_lines(body[:DETECT_LINES], self.start + 1, Context(ctx.origin))
        self.family = markdown_family(self.front, head)
        self.source = digest_source(self.front, head, ctx)
        self.date = digest_date(self.front, head, ctx)

    def drafts(self, body: list[str], first_no: int, *, first: bool) -> list[Draft]:
        """Drafts of ``body`` (the body, or a later part of it when ``first`` is false)."""
        from notifier.parse import reader

        ctx = self.ctx
        known = _READERS.get(self.family)
        if known is not None and ctx.layout is None:
            ctx.explain(f"the {self.family} family", known[1])
            return known[0](split_lines(body, first_no, ctx), ctx)
        stories = front_matter_stories(self.front, ctx) if first else []
        return stories + reader.read(body, first_no, ctx, page=first)

    def result(self, items: list[Any]) -> ParseResult:
        ctx = self.ctx
        return ParseResult(
            ctx.origin, self.family, self.source, self.date, items, ctx.warnings, ctx.explanation
        )
