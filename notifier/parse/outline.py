"""A page's outline: the sections its headings open, with the blocks under each.

A heading of level L holds everything up to the next heading of level <= L. A paragraph
whose first line is only bold text (``**AI Model Releases**``) is read as a heading one
level below every real heading, unless it is a short label (``**要点：**``,
``**Links mentioned**:``) that belongs to the text around it. The page's own title
heading is not a section: what sits under it belongs to the page.
"""

from __future__ import annotations

import dataclasses
import re

from notifier.parse.boiler import non_news_heading
from notifier.parse.mdtree import HEADING, HTML, PARA, QUOTE, RULE, SUMMARY, Node
from notifier.parse.units import plain, weight

PSEUDO_LEVEL = 7  # a bold line used as a heading: below every real heading
_BOLD_LINE_RE = re.compile(r"[ \t]*(\*\*|__)([^*_\n]|[^*_\n].*?[^\\])\1[ \t]*([:：]?)[ \t]*")
LABEL_MAX = 24  # a bold line ending in ':' up to this weight is a label, not a heading
_LABELS = frozenset(
    {
        "摘要",
        "要点",
        "核心要点",
        "关键要点",
        "背景",
        "影响",
        "亮点",
        "详情",
        "简介",
        "概要",
        "来源",
        "链接",
        "原文",
        "原文链接",
        "summary",
        "key points",
        "highlights",
        "why it matters",
        "details",
        "background",
        "takeaways",
        "context",
        "source",
        "link",
        "impact",
        "abstract",
        "the details",
        "what happened",
        "正文",
        "内容",
        "简述",
        "评分",
    }
)


@dataclasses.dataclass(slots=True)
class Section:
    """A heading and what it holds: its own blocks, then its sub-sections."""

    head: Node | None  # None for the page itself
    title: str
    level: int
    blocks: list[Node] = dataclasses.field(default_factory=list)
    children: list[Section] = dataclasses.field(default_factory=list)
    tail: list[Node] = dataclasses.field(default_factory=list)  # blocks after a closing rule
    closed: bool = False  # a rule ended its own text
    kicker: str | None = None  # `### TECH` over `## Headline`: the label above it

    @property
    def line(self) -> int:
        return self.head.line if self.head is not None else 1

    @property
    def pseudo(self) -> bool:
        return self.head is not None and self.head.kind == PARA

    @property
    def raw(self) -> str:
        """The heading's raw markdown (a bold line: its first line)."""
        if self.head is None:
            return ""
        return self.head.text.split("\n", 1)[0]


def bold_heading(node: Node) -> tuple[str, str] | None:
    """``(title, rest)`` when a paragraph's first line is a bold heading (or it is the
    ``<summary>`` of a ``<details>`` block, or a label that starts a part that is not news,
    like ``Related:``), else ``None``."""
    if node.kind == PARA and node.level == SUMMARY:
        return plain(node.text), ""
    if node.kind == PARA and "\n" not in node.text and (text := text_heading(node.text)):
        return text, ""
    if node.kind == PARA and "\n" not in node.text and node.text.rstrip().endswith((":", "：")):
        label = plain(node.text).rstrip(":： ")
        if label and weight(label) <= LABEL_MAX and non_news_heading(label):
            return label, ""
    if node.kind != PARA or not node.text.lstrip().startswith(("**", "__")):
        return None
    first, _, rest = node.text.partition("\n")
    m = _BOLD_LINE_RE.fullmatch(first)
    if m is None:
        return None
    title = plain(m.group(2))
    if not title:
        return None
    if non_news_heading(title):  # `**点评：**`: a part that is not news starts here
        return title.rstrip(":： "), rest
    if title.casefold().rstrip(":： ") in _LABELS:
        return None
    if (m.group(3) or title[-1] in ":：") and weight(title) <= LABEL_MAX:
        return None
    return title.rstrip(":： "), rest


# A heading written as text: `=== News ===`, `■ 国内动态`, `【国内】`, `━━ 科技 ━━`.
_TEXT_HEADING_RE = re.compile(
    r"[ \t]*(?:(?P<rule>[=~━─]{2,})[ \t]*(?P<a>.+?)[ \t]*[=~━─]*"
    r"|(?P<mark>[■□◆◇▌▍█◼◾])[ \t]*(?P<b>.+?)"
    r"|【(?P<c>[^【】]{1,20})】)[ \t]*"
)
TEXT_HEADING_MAX = 60


def text_heading(line: str) -> str | None:
    """The heading a plain line makes: ``=== News ===`` → ``News``; ``■ 国内动态`` keeps its
    marker, like an emoji in a heading; ``【国内】`` keeps its brackets."""
    m = _TEXT_HEADING_RE.fullmatch(line)
    if m is None or weight(line) > TEXT_HEADING_MAX or line.rstrip().endswith(("。", ".", "！")):
        return None
    if m.group("rule"):
        return plain(m.group("a"))
    return plain(line.strip())


def _kicker(top: Section, heading: Node) -> Section | None:
    """A heading with nothing under it but an image, right above a heading of a higher
    level (``### TECH`` then ``## Nvidia's record quarter``), is that heading's label."""
    if top.head is None or top.pseudo or top.children or top.level <= heading.level:
        return None
    if any(b.kind != PARA or plain(b.text) for b in top.blocks):
        return None
    return top


def is_label_heading(block: Node) -> bool:
    """A heading that names a part of a story (``#### Abstract``, ``### 要点``)."""
    return block.kind == HEADING and plain(block.text).casefold().rstrip(":： ") in _LABELS


def title_heading(blocks: list[Node]) -> Node | None:
    """The page's own title: its first heading, when no other heading is as high, or
    when it opens the page and only an intro (text, quotes, rules) follows it."""
    headings = [b for b in blocks if b.kind == HEADING]
    if not headings:
        return None
    first = headings[0]
    if first.level > 2:
        return None
    if not any(h.level <= first.level for h in headings[1:]):
        return first
    if blocks[0] is not first:
        return None
    boilerplate = False  # under a `**Table of Contents**` line
    for block in blocks[1:]:
        if block.kind == HEADING:
            return first
        bold = bold_heading(block)
        if bold is not None:
            boilerplate = non_news_heading(bold[0])
        elif block.kind not in (PARA, QUOTE, RULE, HTML) and not boilerplate:
            return None  # lists, tables: the heading's own stories
    return first


def outline(blocks: list[Node], title: Node | None) -> Section:
    """The page as a tree of sections (the root has no heading)."""
    root = Section(None, "", 0)
    stack = [root]
    for block in blocks:
        if block is title:
            continue
        top = stack[-1]
        if is_label_heading(block) and top.head is not None and block.level > top.level:
            stack[-1].blocks.append(block)  # `#### Abstract`: part of the text above
            continue
        if block.kind == HEADING:
            kicker = _kicker(stack[-1], block)
            if kicker is not None:
                stack[-2].children.remove(kicker)
            while stack[-1].level >= block.level:
                stack.pop()
            section = Section(block, plain(block.text), block.level)
            section.kicker = kicker.title if kicker is not None else None
            stack[-1].children.append(section)
            stack.append(section)
            continue
        bold = bold_heading(block)
        if bold is not None:
            level = PSEUDO_LEVEL
            if stack[-1].level >= PSEUDO_LEVEL and non_news_heading(stack[-1].title):
                level = stack[-1].level + 1  # `**Tech Tales:**` holds what follows it
            while stack[-1].level >= level:
                stack.pop()
            section = Section(block, bold[0], level)
            stack[-1].children.append(section)
            stack.append(section)
            if bold[1].strip():
                rest = Node(PARA, block.line + 1, block.end, bold[1])
                section.blocks.append(rest)
            continue
        if block.kind == HTML and block.text.strip().lower().startswith("</details"):
            while stack[-1].level >= PSEUDO_LEVEL:
                stack.pop()  # the end of a <details> block
            continue
        if block.kind == RULE:
            while stack[-1].level >= PSEUDO_LEVEL:
                stack.pop()  # a rule ends a bold-line section
            top = stack[-1]
            if top.head is not None and (top.blocks or top.children):
                top.closed = True  # ... and the text of a heading's section
            continue
        top = stack[-1]
        (top.tail if top.closed and not top.children else top.blocks).append(block)
    return root
