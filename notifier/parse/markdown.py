"""Markdown digests: front matter, line classes, family detection, the family's reader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifier.parse import deepgeek, insight
from notifier.parse.reader import read as structure_read
from notifier.parse.blocks import Line, split_lines
from notifier.parse.detect import markdown_family
from notifier.parse.frontmatter import split_front_matter
from notifier.parse.meta import digest_date, digest_source
from notifier.parse.units import PLACEHOLDER_SEARCH_RE
from notifier.parse.result import Context, Draft, ParseResult, build_items

_READERS: dict[str, Callable[[list[Line], Context], list[Draft]]] = {
    "insight-daily": insight.parse,
    "deepgeek": deepgeek.parse,
}


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

    drafts, notes, page_source, page_date = html.read(text)
    ctx.notes = notes
    data = fm or {}
    source = digest_source(data, [], ctx) if data.get("title") else page_source
    source = source or digest_source(data, [], ctx)
    date = digest_date(data, [], ctx) if data.get("date") else page_date
    date = date or digest_date(data, [], ctx)
    items = build_items(drafts, ctx.origin, source, date)
    if not items:
        ctx.warn(1, no_stories_reason(text.split("\n")))
    return ParseResult(ctx.origin, "html", source, date, items, ctx.warnings, ctx.notes)


def parse(text: str, ctx: Context) -> ParseResult:
    """Read a markdown digest (newlines already normalized, zero-width removed)."""
    raw = text.split("\n")
    fm = split_front_matter(raw, ctx)
    data = fm.data if fm else {}
    start = fm.body_start if fm else 0
    if mostly_html(raw[start:]):
        return parse_html_page("\n".join(raw[start:]), ctx, data)
    lines = split_lines(raw[start:], start + 1, ctx)
    family = markdown_family(data, lines)
    import os

    reader = _READERS.get(family)
    if reader is None or os.environ.get("NOTIFIER_FORCE_STRUCTURE"):
        drafts = structure_read(raw[start:], start + 1, ctx)
    else:
        drafts = reader(lines, ctx)
    source = digest_source(data, lines, ctx)
    date = digest_date(data, lines, ctx)
    items = build_items(drafts, ctx.origin, source, date)
    if not items:
        ctx.warn(start + 1, no_stories_reason(raw[start:]))
    return ParseResult(ctx.origin, family, source, date, items, ctx.warnings, ctx.notes)
