"""Generic markdown: the fallback for digests of no known family.

Items are, in order of preference, ``###`` headings with a body, numbered list entries,
or bulleted entries that hold a link; headings above them are sections.
"""

from __future__ import annotations

from notifier.parse.blocks import (
    BLANK,
    CODE,
    HEADING,
    Line,
    annotate,
    bullet,
    indented_body,
    numbered,
)
from notifier.parse.common import entry_title, text_of
from notifier.parse.inline import first_url, scan_links
from notifier.parse.result import Context, Draft


def _heading_items(lines: list[Line]) -> list[Draft]:
    drafts: list[Draft] = []
    n = len(lines)
    for i, line in enumerate(lines):
        if line.kind != HEADING or line.level != 3 or line.skip:
            continue
        body: list[str] = []
        j = i + 1
        while j < n and lines[j].kind != HEADING:
            if lines[j].kind != CODE:
                body.append("" if lines[j].kind == BLANK else lines[j].text)
            j += 1
        summary = text_of(body)
        if not summary:
            continue  # a heading with no body is a section, not an item
        url = first_url(line.text) or first_url("\n".join(body))
        drafts.append(Draft(line.title, line.no, url, summary, line.section))
    return drafts


def _list_items(lines: list[Line], *, bullets: bool) -> list[Draft]:
    drafts: list[Draft] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        i += 1
        if bullets:
            content = bullet(line)
            if content is None or not any(not k.image and k.url for k in scan_links(content)):
                continue
        else:
            entry = numbered(line)
            if entry is None:
                continue
            content = entry[1]
        body, i = indented_body(lines, i)
        if line.skip:
            continue
        title, url, rest = entry_title(content)
        drafts.append(Draft(title, line.no, url, text_of([rest, *body]), line.section))
    return drafts


def parse(lines: list[Line], ctx: Context) -> list[Draft]:
    """Drafts of the preferred kind of entry the document has."""
    annotate(lines)
    return (
        _heading_items(lines)
        or _list_items(lines, bullets=False)
        or _list_items(lines, bullets=True)
    )
