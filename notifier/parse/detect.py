"""Which reader a digest needs: feed, JSON, JSON Lines, or a markdown family."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from notifier.parse.blocks import HEADING, TEXT, Line, bold_line, numbered
from notifier.parse.inline import scan_links
from notifier.parse.insight import ITEM_RE

FEED, JSON, JSONL, MARKDOWN = "feed", "json", "jsonl", "markdown"
_FEED_EXTS = (".xml", ".rss", ".atom", ".rdf")
_FEED_MARKS = ("<rss", "<feed", "<rdf:rdf", "<?xml", "<channel")


def extension(filename: str | None) -> str:
    return PurePath(filename).suffix.lower() if filename else ""


def looks_like_feed(head: str, filename: str | None, content_type: str | None) -> bool:
    """True for RSS/Atom/RDF: an XML start, a feed extension or an XML content type."""
    low = head.lstrip("\ufeff \t\r\n")[:1024].lower()
    if low.startswith("<") and any(mark in low for mark in _FEED_MARKS):
        return True
    if extension(filename) in _FEED_EXTS:
        return True
    ctype = (content_type or "").lower()
    return any(word in ctype for word in ("xml", "rss", "atom"))


def looks_like_html(head: str) -> bool:
    low = head.lstrip("\ufeff \t\r\n")[:256].lower()
    return low.startswith(("<!doctype html", "<html"))


def sniff(text: str, filename: str | None, content_type: str | None) -> str:
    """``feed``, ``json``, ``jsonl`` or ``markdown``."""
    head = text[:2048]
    if looks_like_feed(head, filename, content_type):
        return FEED
    ext = extension(filename)
    if ext in (".jsonl", ".ndjson"):
        return JSONL
    ctype = (content_type or "").lower()
    first = head.lstrip("\ufeff \t\n")[:1]
    if ext == ".json" or "json" in ctype or first in ("{", "["):
        return JSON
    return MARKDOWN


def markdown_family(fm: dict[str, Any], lines: list[Line]) -> str:
    """``insight-daily``, ``aicode``, ``deepgeek``, ``72live`` or ``markdown``."""
    headings = [line.title for line in lines if line.kind == HEADING]
    texts = [line.text for line in lines if line.kind == TEXT]
    items = sum(1 for t in texts if "【" in t and ITEM_RE.fullmatch(t))
    if items or any("洞察日报" in h for h in headings):
        return "insight-daily"
    entries = [n for n in (numbered(line) for line in lines) if n is not None]
    deepgeek_marks = (
        fm.get("layout") == "post"
        or any("[原文链接](" in t for t in texts)
        or any(h.startswith("今日AI资讯") for h in headings)
    )
    if entries and deepgeek_marks:
        return "deepgeek"
    level3 = any(line.kind == HEADING and line.level == 3 for line in lines)
    aicode_marks = (
        "coverImage" in fm
        or isinstance(fm.get("summary"), str)
        or any((bold_line(t) or "").startswith("深度解读") for t in texts)
        or any(h.startswith("更多动态") for h in headings)
    )
    if level3 and aicode_marks:
        return "aicode"
    linked = 0
    for _, content in entries:
        links = scan_links(content.strip())
        if links and links[0].start == 0 and not links[0].image:
            linked += 1
    if fm and linked and linked * 2 >= len(entries):
        return "72live"
    return "markdown"
