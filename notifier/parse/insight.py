"""insight-daily: ``## AI洞察日报 YYYY/M/D``, ``### section``, items ``【N】title`` + body.

title = the rest of the ``【N】`` line; summary = the lines after it up to the next
``【N】``, heading or rule; url = the first non-image URL of the title line, else of the
body. A body line right under the title is body even when it starts with ``#``.
"""

from __future__ import annotations

import itertools
import re

from notifier.parse.blocks import BLANK, CODE, HEADING, RULE, TEXT, Line, annotate
from notifier.parse.common import text_of
from notifier.parse.inline import clean_inline, first_url
from notifier.parse.result import Context, Draft

ITEM_RE = re.compile(r"[ \t]{0,3}【\s*(\d{1,9})\s*】[ \t]*(.*)")


def _is_item(line: Line) -> bool:
    return line.kind == TEXT and "【" in line.text and ITEM_RE.fullmatch(line.text) is not None


def parse(lines: list[Line], ctx: Context) -> list[Draft]:
    """Drafts of every ``【N】`` item outside non-news parts."""
    for prev, line in itertools.pairwise(lines):
        if line.kind == HEADING and _is_item(prev):
            line.kind = TEXT  # a body whose first character is `#`
    annotate(lines)
    drafts: list[Draft] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        i += 1
        if not _is_item(line):
            continue
        m = ITEM_RE.fullmatch(line.text)
        assert m is not None
        body: list[str] = []
        while i < n:
            nxt = lines[i]
            if nxt.kind in (HEADING, RULE) or _is_item(nxt):
                break
            if nxt.kind != CODE:
                body.append("" if nxt.kind == BLANK else nxt.text)
            i += 1
        if line.skip:
            continue
        raw_title = m.group(2)
        body_text = "\n".join(body)
        drafts.append(
            Draft(
                title=clean_inline(raw_title),
                line=line.no,
                url=first_url(raw_title) or first_url(body_text),
                summary=text_of(body),
                section=line.section,
                body_hotness=True,
            )
        )
    return drafts
