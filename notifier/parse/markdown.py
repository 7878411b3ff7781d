"""Markdown digests: front matter, line classes, family detection, the family's reader."""

from __future__ import annotations

from collections.abc import Callable

from notifier.errors import DigestError
from notifier.parse import deepgeek, insight
from notifier.parse.reader import read as structure_read
from notifier.parse.blocks import Line, split_lines
from notifier.parse.detect import markdown_family
from notifier.parse.frontmatter import split_front_matter
from notifier.parse.meta import digest_date, digest_source
from notifier.parse.result import Context, Draft, ParseResult, build_items

_READERS: dict[str, Callable[[list[Line], Context], list[Draft]]] = {
    "insight-daily": insight.parse,
    "deepgeek": deepgeek.parse,
}


def parse(text: str, ctx: Context) -> ParseResult:
    """Read a markdown digest (newlines already normalized, zero-width removed)."""
    raw = text.split("\n")
    fm = split_front_matter(raw, ctx)
    data = fm.data if fm else {}
    start = fm.body_start if fm else 0
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
        if family == "markdown" and not drafts:
            raise DigestError(ctx.origin, "no items and no recognisable digest structure")
        ctx.warn(start + 1, f"no items found in this {family} digest")
    return ParseResult(ctx.origin, family, source, date, items, ctx.warnings, ctx.notes)
