"""aicode.cc: ``# title``, ``## section``, ``### item`` + paragraph(s) and bullets.

Each ``###`` heading is an item; its summary stops at ``**深度解读 & 洞察：**``; its url
is the first non-image link of the block. A ``##`` section made of ``- [title](url)：desc``
bullets (``## 更多动态``) gives one item per bullet.
"""

from __future__ import annotations

from notifier.parse.blocks import BLANK, CODE, HEADING, Line, annotate, bold_line, bullet
from notifier.parse.common import strip_lead, text_of
from notifier.parse.inline import clean_inline, first_url, scan_links
from notifier.parse.result import Context, Draft

_INSIGHT_MARKS = ("深度解读", "洞察", "解读")


def _is_insight(line: Line) -> bool:
    """The ``**深度解读 & 洞察：**`` line that ends an item's news text."""
    bold = bold_line(line.text)
    text = bold if bold is not None else clean_inline(line.text)
    return text.startswith(_INSIGHT_MARKS)


def _item(heading: Line, block: list[Line]) -> Draft:
    body: list[str] = []
    for line in block:
        if _is_insight(line):
            break
        if line.kind != CODE:
            body.append("" if line.kind == BLANK else line.text)
    url = first_url(heading.text) or first_url("\n".join(line.text for line in block))
    return Draft(
        title=heading.title,
        line=heading.no,
        url=url,
        summary=text_of(body),
        section=heading.section,
    )


def _has_link(content: str) -> bool:
    return any(not link.image and link.url for link in scan_links(content))


def _bullet_items(group: list[Line]) -> list[Draft]:
    """One draft per bullet when at least half the bullets of the group hold a link."""
    entries = [(line, bullet(line)) for line in group]
    bullets = [(line, content) for line, content in entries if content is not None]
    linked = sum(1 for _, content in bullets if _has_link(content))
    if not bullets or linked * 2 < len(bullets):
        return []
    drafts = []
    for line, content in bullets:
        s = content.strip()
        links = scan_links(s)
        if links and links[0].start == 0 and not links[0].image:
            link = links[0]
            title, url = clean_inline(link.text), link.url or None
            summary = text_of([strip_lead(s[link.end :])])
        else:
            title, url, summary = clean_inline(s), first_url(s), ""
        drafts.append(Draft(title, line.no, url, summary, line.section))
    return drafts


def parse(lines: list[Line], ctx: Context) -> list[Draft]:
    """Drafts of every ``###`` item and every bullet of a link-bullet section."""
    annotate(lines)
    drafts: list[Draft] = []
    group: list[Line] = []  # lines directly under a `#`/`##` heading
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        i += 1
        if line.kind == HEADING and line.level <= 2:
            drafts.extend(_bullet_items(group))
            group = []
            continue
        if line.kind == HEADING and line.level == 3:
            drafts.extend(_bullet_items(group))
            group = []
            block: list[Line] = []
            while i < n and not (lines[i].kind == HEADING and lines[i].level <= 3):
                block.append(lines[i])
                i += 1
            if not line.skip:
                drafts.append(_item(line, block))
            continue
        if not line.skip and line.kind != HEADING:
            group.append(line)
    drafts.extend(_bullet_items(group))
    return drafts
