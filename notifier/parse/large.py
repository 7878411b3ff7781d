"""Markdown digests of many megabytes, read a part at a time.

A part ends before a ``#`` heading that follows a blank line (outside code fences and HTML
comments), once it holds at least :data:`PART` bytes. Each part is decoded, read and turned
into items on its own, so memory holds the digest's bytes, its items and one part: a few
times the digest's size, not the dozens of times a whole syntax tree would take. Decisions
that look across the page (its title, recurring labels, the day's overview) are taken
within a part; parts are large, so they see the same neighbours.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

from notifier.parse.decode import decode
from notifier.parse.result import Context, ItemBuilder, ParseResult
from notifier.plaintext import normalize_newlines, strip_zero_width

LARGE = 4 * 1024 * 1024  # bytes from which a markdown digest is read in parts
PART = 1024 * 1024  # bytes a part holds at least


def parts(data: bytes, start: int = 0, size: int = PART) -> Iterator[tuple[int, int]]:
    """``(start, end)`` byte offsets of the parts of ``data`` (see the module docstring)."""
    n = len(data)
    pos = start
    while pos < n:
        cut = _cut(data, pos, pos + size)
        yield pos, cut
        pos = cut


def _cut(data: bytes, pos: int, at: int) -> int:
    """Where the part that starts at ``pos`` ends: the start of the first heading line at or
    after ``at`` that follows a blank line and is outside fences and comments; else the end."""
    k = at
    while True:
        j = data.find(b"\n#", k)
        if j < 0:
            return len(data)
        prev = data.rfind(b"\n", pos, j)
        blank = prev >= 0 and not data[prev + 1 : j].strip()
        fenced = (data.count(b"\n```", pos, j) + data.count(b"\n~~~", pos, j)) % 2
        commented = data.count(b"<!--", pos, j) != data.count(b"-->", pos, j)
        if blank and not fenced and not commented:
            return j + 1
        k = j + 1


def parse_large(data: bytes, ctx: Context) -> ParseResult:
    """Read a large markdown digest part by part (same result shape as a small one)."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    sample = data.rfind(b"\n", start, start + PART) + 1 or start + PART  # whole lines
    _, encoding = decode(data[start:sample], ctx.origin)  # binary is refused here
    try:
        return _read(data, start, encoding, ctx)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise
    ctx.warnings.clear()
    ctx.warn(1, "not UTF-8; decoded as GB18030")
    return _read(data, start, "gb18030", ctx)


def _read(data: bytes, start: int, encoding: str, ctx: Context) -> ParseResult:
    from notifier.parse.markdown import Page, no_stories_reason

    page: Page | None = None
    builder: ItemBuilder | None = None
    head: list[str] = []  # the first lines, for the warning of a page without stories
    line_no = 1
    count = 0
    for begin, end in parts(data, start):
        text = strip_zero_width(normalize_newlines(data[begin:end].decode(encoding)))
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()  # the part ends a line; the next part starts the next one
        count += 1
        if page is None or builder is None:
            page = Page(lines, ctx)
            builder = ItemBuilder(ctx.origin, page.source, page.date)
            head = lines[page.start : page.start + 400]
            builder.add(page.drafts(lines[page.start :], page.start + 1, first=True))
        else:
            builder.add(page.drafts(lines, line_no, first=False))
        line_no += len(lines)
    if page is None or builder is None:
        raise ValueError("empty digest")  # parse_bytes refuses empty data before this
    if not builder.items:
        ctx.warn(page.start + 1, no_stories_reason(head))
    if ctx.explanation is not None:
        ctx.explanation.reader += f" (read in {count} parts)"
    return page.result(builder.items)
