"""JSON and JSON Lines digests.

JSON: a list of objects, or an object with an ``items``/``entries``/``data``/``articles``
list (its own ``title``/``source`` and ``date`` are the digest's); JSON Lines: one object
per line. Keys read: title, url|link, summary|description|content, source,
section|category, date|published, rank, hotness|score|points.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from notifier.errors import DigestError
from notifier.parse.meta import date_value, file_name
from notifier.parse.result import Context, Draft, ParseResult, build_items
from notifier.plaintext import html_to_text, plain

_LIST_KEYS = ("items", "entries", "data", "articles")


def _first(obj: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", []):
            return value
    return None


def _text(value: Any) -> str:
    """A string from a JSON value: lists take their first element, objects their value."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = _first(value, "value", "text", "name", "term", "title") or ""
    if isinstance(value, bool) or value is None:
        return ""
    return str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if value == value and abs(value) < 1e15 else None
    if isinstance(value, str):
        digits = value.strip().split(" ", 1)[0].replace(",", "").rstrip("+")
        return int(digits) if digits.isdigit() else None
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            seconds = value / 1000 if value > 1e11 else value
            return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    return date_value(value)


def draft_of(obj: Any, where: int, label: str, ctx: Context) -> Draft | None:
    """A draft from one JSON (or front matter) object with a ``title``."""
    if not isinstance(obj, dict):
        ctx.warn(where, f"{label} is not an object; skipped")
        return None
    title = plain(_text(obj.get("title")))
    if not title:
        ctx.warn(where, f"{label} has no title; skipped")
        return None
    url = _text(_first(obj, "url", "link", "href")).strip() or None
    summary = _text(_first(obj, "summary", "description", "content"))
    rank = _int(obj.get("rank"))
    return Draft(
        title=title,
        line=where,
        url=url,
        summary=html_to_text(summary) if summary else "",
        section=plain(_text(_first(obj, "section", "category", "categories"))) or None,
        hotness=_int(_first(obj, "hotness", "score", "points")),
        date=_date(_first(obj, "date", "published", "published_at", "updated")),
        source=plain(_text(obj.get("source"))) or None,
        rank=rank if rank is not None and rank > 0 else None,
    )


def _result(fmt: str, drafts: list[Draft], meta: dict[str, Any], ctx: Context) -> ParseResult:
    source = plain(_text(_first(meta, "source", "title", "name"))) or file_name(ctx) or ctx.origin
    date = _date(_first(meta, "date", "published", "updated"))
    if date is None:
        date = max((d.date for d in drafts if d.date), default=None)
    items = build_items(drafts, ctx.origin, source, date)
    if not items:
        ctx.warn(1, f"no items found in this {fmt} digest")
    ctx.explain(fmt, "one story per object")
    return ParseResult(ctx.origin, fmt, source, date, items, ctx.warnings, ctx.explanation)


def parse_json(text: str, ctx: Context, fmt: str = "json") -> ParseResult:
    """A JSON digest; falls back to JSON Lines when the text is one object per line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("{") and "\n" in text.strip():
            return parse_jsonl(text, ctx)
        raise DigestError(ctx.origin, f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise DigestError(ctx.origin, "JSON nested too deeply") from exc
    meta: dict[str, Any] = {}
    list_key: str | None = None
    if isinstance(data, dict):
        meta = data
        list_key = next((k for k in _LIST_KEYS if isinstance(data.get(k), list)), None)
        if list_key is None:
            if "title" not in data:
                reason = "JSON object has no items/entries/data/articles list"
                raise DigestError(ctx.origin, reason)
            data, meta = [data], {}
        else:
            data = data[list_key]
    if not isinstance(data, list):
        raise DigestError(ctx.origin, "JSON is neither a list nor an object of items")
    if data and not any(isinstance(obj, dict) for obj in data):
        raise DigestError(ctx.origin, "JSON list holds no item objects")
    lines: list[int] = []
    if any(not isinstance(obj, dict) or not obj.get("title") for obj in data):
        lines = _element_lines(text, list_key)  # only needed for warnings
    drafts: list[Draft] = []
    for n, obj in enumerate(data, 1):
        where = lines[n - 1] if len(lines) == len(data) else 1
        draft = draft_of(obj, where, f"item {n}", ctx)
        if draft is not None:
            drafts.append(draft)
    return _result(fmt, drafts, meta, ctx)


def _element_lines(text: str, key: str | None) -> list[int]:
    """The line each element of the item list starts on (for warnings)."""
    if key is None:
        start = text.find("[")
    else:
        m = re.search(rf'"{re.escape(key)}"\s*:\s*\[', text)
        start = m.end() - 1 if m else -1
    if start < 0:
        return []
    decoder = json.JSONDecoder()
    lines: list[int] = []
    line, last, i, n = text.count("\n", 0, start) + 1, start, start + 1, len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n or text[i] == "]":
            break
        line += text.count("\n", last, i)
        last = i
        lines.append(line)
        try:
            _, i = decoder.raw_decode(text, i)
        except (ValueError, RecursionError):
            break
    return lines


def parse_jsonl(text: str, ctx: Context) -> ParseResult:
    """JSON Lines: one object per line; a bad line is a warning."""
    drafts: list[Draft] = []
    good = 0
    for no, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            ctx.warn(no, f"not valid JSON ({reason}); line skipped")
            continue
        good += 1
        draft = draft_of(obj, no, "line", ctx)
        if draft is not None:
            drafts.append(draft)
    if not good:
        raise DigestError(ctx.origin, "no valid JSON Lines")
    return _result("jsonl", drafts, {}, ctx)
