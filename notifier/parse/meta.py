"""The digest's source and date: front matter, else the first heading, else the file name."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath
from typing import Any

from notifier.parse.blocks import HEADING, Line
from notifier.parse.inline import clean_inline
from notifier.parse.result import Context

# 2025/11/13, 2025-11-13, 2025.11.13, 2025年11月13日
_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# 14 June 2025, June 14, 2025
_NAMED_RE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}),?)"
    r"\s+(?P<y>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
# 20251108 (file names)
_COMPACT_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")


def find_date(text: str, compact: bool = False) -> dt.date | None:
    """The first valid calendar date written in ``text`` (``2025-11-13``, ``2025年11月13日``,
    ``14 June 2025``, ``June 14, 2025``; with ``compact``, also ``20251113``)."""
    regexes = (_DATE_RE, _COMPACT_RE) if compact else (_DATE_RE,)
    for regex in regexes:
        for m in regex.finditer(text):
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    for m in _NAMED_RE.finditer(text):
        day, month, year = (
            m.group("d1") or m.group("d2"),
            m.group("m1") or m.group("m2"),
            m.group("y"),
        )
        try:
            return dt.date(int(year), _MONTHS[month[:3].casefold()], int(day))
        except (ValueError, KeyError):
            continue
    return None


def date_value(value: Any) -> dt.date | None:
    """A date from a front matter / JSON value: date, datetime or a string holding one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return find_date(value[:200])
    return None


def file_name(ctx: Context) -> str | None:
    """The digest's file name (``filename``, else the last part of a path origin)."""
    if ctx.filename:
        return PurePath(ctx.filename).name
    origin = ctx.origin
    if not origin or origin.startswith("<") or origin == "-":
        return None
    name = PurePath(origin.split("?", 1)[0].rstrip("/")).name
    return name or None


def digest_source(fm: dict[str, Any], lines: list[Line], ctx: Context) -> str:
    """Front matter ``title``, else the first ``#``/``##`` heading, else the file name."""
    title = fm.get("title")
    if isinstance(title, (str, int, float)) and not isinstance(title, bool):
        text = clean_inline(str(title))
        if text:
            return text
    for line in lines:
        if line.kind == HEADING and line.level <= 2 and line.title:
            return line.title
    return file_name(ctx) or ctx.origin


def digest_date(fm: dict[str, Any], lines: list[Line], ctx: Context) -> dt.date | None:
    """Front matter ``date``, else a date in the first heading, else in the file name."""
    date = date_value(fm.get("date"))
    if date is not None:
        return date
    first = next((line for line in lines if line.kind == HEADING), None)
    if first is not None:
        date = find_date(first.title)
        if date is not None:
            return date
    name = file_name(ctx)
    return find_date(name, compact=True) if name else None
