"""RSS 2.0 / Atom feeds through feedparser (imported only when a feed is met).

One item per entry: title, link, summary (HTML → text), date = the entry's published or
updated date, source = the feed's title, section = the entry's first category.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from notifier.errors import DigestError
from notifier.parse.meta import file_name
from notifier.parse.result import Context, Draft, ParseResult, build_items
from notifier.plaintext import html_to_text, plain


def _date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.date(value[0], value[1], value[2])
            except (TypeError, ValueError, IndexError):
                continue
    return None


def _summary(entry: Any) -> str:
    summary = entry.get("summary") or ""
    content = entry.get("content") or []
    if not summary and content:
        summary = content[0].get("value") or ""
    return html_to_text(summary) if summary else ""


def _section(entry: Any) -> str | None:
    for tag in entry.get("tags") or []:
        term = plain(tag.get("term") or tag.get("label") or "")
        if term:
            return term
    return None


def _line_of(exc: BaseException | None) -> int:
    get_line = getattr(exc, "getLineNumber", None)
    try:
        return int(get_line()) if callable(get_line) else 1
    except (TypeError, ValueError):
        return 1


def parse(data: bytes, ctx: Context, content_type: str | None = None) -> ParseResult:
    """Read an RSS or Atom feed given as bytes (feedparser honours its encoding)."""
    import feedparser  # type: ignore[import-untyped]  # heavy: only for feeds

    headers = {"content-type": content_type} if content_type else {}
    try:
        d = feedparser.parse(
            io.BytesIO(data), response_headers=headers, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser may raise on pathological input
        raise DigestError(ctx.origin, f"not a readable feed ({type(exc).__name__})") from exc
    version = str(d.get("version") or "")
    entries = d.get("entries") or []
    feed = d.get("feed") or {}
    if d.get("bozo"):
        problem = d.get("bozo_exception")
        reason = " ".join(str(problem).split())[:200] if problem else "malformed"
        if not entries and not version:
            raise DigestError(ctx.origin, f"not a valid RSS/Atom feed ({reason})")
        ctx.warn(_line_of(problem), f"feed is not well-formed ({reason}); read what could be read")
    source = plain(feed.get("title") or "") or file_name(ctx) or ctx.origin
    feed_date = _date(feed)
    drafts: list[Draft] = []
    for n, entry in enumerate(entries, 1):
        title = plain(entry.get("title") or "")
        if not title:
            ctx.warn(1, f"feed entry {n} has no title; skipped")
            continue
        drafts.append(
            Draft(
                title=title,
                line=1,
                url=(entry.get("link") or "").strip() or None,
                summary=_summary(entry),
                section=_section(entry),
                date=_date(entry),
                body_hotness=True,
            )
        )
    if feed_date is None:
        feed_date = max((d.date for d in drafts if d.date), default=None)
    items = build_items(drafts, ctx.origin, source, feed_date)
    if not items:
        ctx.warn(1, "no items found in this feed")
    fmt = "atom" if version.startswith("atom") else "rss"
    ctx.explain("feed", "one story per RSS/Atom entry")
    return ParseResult(ctx.origin, fmt, source, feed_date, items, ctx.warnings, ctx.explanation)
