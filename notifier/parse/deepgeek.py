"""deepgeek: Jekyll front matter, ``#### **section**`` + numbered lines.

The ``今日摘要`` code block is the day's summary, not items. When the digest has
``[原文链接](url)`` links, a story runs from the numbered line after the previous link (or
the section start) to the line carrying its link; numbered lines that no link closes are
one story each. ``1.  **Title**`` + indented lines, or ``1.  **Title** (note): text``:
title = the bold text. Otherwise title = the first sentence of the story's first line
(cut at 120 characters).
"""

from __future__ import annotations

import dataclasses
import re

from notifier.parse.blocks import HEADING, TEXT, Line, annotate, indented_body, numbered
from notifier.parse.common import BUTTON_LINKS, bold_title, first_sentence, text_of
from notifier.parse.inline import clean_inline, scan_links
from notifier.parse.result import Context, Draft

# `**Paper Title** (arXiv:2509.10809v2): 论文提出…` → the bold text is the title.
_BOLD_COLON_RE = re.compile(r"\*\*([^*]+)\*\*[ \t]*(?:[(（][^()（）]*[)）][ \t]*)?[:：]")
ARTICLE_LINKS = frozenset({"原文链接", "阅读原文", "查看原文"})
SUMMARY_HEADING = "今日摘要"


@dataclasses.dataclass(slots=True)
class _Entry:
    line: Line
    content: str  # text after the number
    body: list[str]  # indented lines under it
    link: str | None  # its [原文链接](url)


def _article_link(texts: list[str]) -> str | None:
    """The url of the last ``[原文链接](url)`` in ``texts``."""
    url = None
    for text in texts:
        if "](" not in text:
            continue
        for link in scan_links(text):
            if not link.image and link.text.strip() in ARTICLE_LINKS and link.url:
                url = link.url
    return url


def _sections(lines: list[Line]) -> list[list[_Entry]]:
    """The numbered entries of the digest, grouped by the heading above them."""
    groups: list[list[_Entry]] = [[]]
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        i += 1
        if line.kind == HEADING:
            groups.append([])
            continue
        entry = numbered(line)
        if entry is None:
            continue
        body, i = indented_body(lines, i)
        if line.skip or SUMMARY_HEADING in (line.section or ""):
            continue
        content = entry[1]
        groups[-1].append(_Entry(line, content, body, _article_link([content, *body])))
    return [group for group in groups if group]


def _stories(entries: list[_Entry], linked: bool) -> list[list[_Entry]]:
    if not linked:
        return [[entry] for entry in entries]
    stories: list[list[_Entry]] = []
    pending: list[_Entry] = []
    for entry in entries:
        pending.append(entry)
        if entry.link:
            stories.append(pending)
            pending = []
    stories.extend([entry] for entry in pending)
    return stories


def _draft(story: list[_Entry]) -> Draft:
    first = story[0]
    url = story[-1].link
    bold = bold_title(first.content)
    labelled = _BOLD_COLON_RE.match(first.content.strip())
    if bold is not None and first.body:
        title = clean_inline(bold)
        raw = list(first.body)
    elif labelled is not None:
        title = clean_inline(labelled.group(1))
        raw = [first.content, *first.body]
    else:
        title = first_sentence(clean_inline(first.content, BUTTON_LINKS))
        raw = [first.content, *first.body]
    for entry in story[1:]:
        raw.extend(["", entry.content, *entry.body])
    return Draft(
        title=title,
        line=first.line.no,
        url=url,
        summary=text_of(raw),
        section=first.line.section,
    )


def parse(lines: list[Line], ctx: Context) -> list[Draft]:
    """Drafts of every story outside the day's summary and non-news parts."""
    annotate(lines)
    linked = any(
        line.kind == TEXT and "](" in line.text and _article_link([line.text]) for line in lines
    )
    return [_draft(story) for entries in _sections(lines) for story in _stories(entries, linked)]
