"""Markdown lines classified once: headings, code blocks, rules, list entries, sections.

Every family parser works on this list; it also knows which parts are not news
(commentary, ads, podcasts, boilerplate) and which heading is the document's title.
"""

from __future__ import annotations

import dataclasses
import re

from notifier.parse.inline import clean_inline
from notifier.parse.result import Context

BLANK, TEXT, HEADING, CODE, RULE = "blank", "text", "heading", "code", "rule"

# `1. x`, `1.x`, `1) x`, `1、x`, `1．x`; never `2025.11` or `3.5B`.
_NUMBERED_RE = re.compile(r" {0,3}(\d{1,9})[.)．、](?!\d)[ \t]*(.*)")
_BULLET_RE = re.compile(r"[ \t]{0,3}[-*+•][ \t]+(.*)")
BODY_INDENT = 2  # an entry's body lines are indented at least this much
_BOLD_LINE_RE = re.compile(r"\*\*([^*]+)\*\*[:：]?")

# Headings (and bold lines) that start a part with no news under it.
_NON_NEWS_WORDS = (
    # commentary
    "点评",
    "评论",
    "编者按",
    "小结",
    "总结",
    "结语",
    "editor's note",
    "commentary",
    # ads
    "广告",
    "推广",
    "赞助",
    "sponsor",
    "advertisement",
    # podcasts
    "播客",
    "podcast",
    # subscription / contact boilerplate
    "订阅",
    "联系我们",
    "关注我们",
    "加入社群",
    "交流群",
    "往期回顾",
    "关于我们",
    "subscribe",
    "contact us",
)


def is_non_news(title: str) -> bool:
    """True for a heading that starts commentary, ads, podcasts or boilerplate."""
    low = title.casefold()
    return any(word in low for word in _NON_NEWS_WORDS)


@dataclasses.dataclass(slots=True)
class Line:
    """One line of the body, with its 1-based line number in the file."""

    no: int
    text: str
    kind: str = TEXT
    level: int = 0  # heading level (1-6)
    title: str = ""  # heading text, plain
    section: str | None = None  # nearest section heading above
    skip: bool = False  # inside a part that is not news
    indent: int = 0  # leading spaces (a tab counts 4)

    @property
    def stripped(self) -> str:
        return self.text.strip()


def _heading(text: str) -> tuple[int, str] | None:
    """``(level, raw text)`` of an ATX heading line (``#`` + space), else ``None``."""
    s = text.lstrip(" ")
    if len(text) - len(s) > 3 or not s.startswith("#"):
        return None
    level = len(s) - len(s.lstrip("#"))
    if level > 6:
        return None
    rest = s[level:]
    if rest and rest[0] not in " \t":
        return None  # `#hashtag`, `#1`: text, not a heading
    rest = rest.strip()
    trimmed = rest.rstrip("#")
    if trimmed != rest and (not trimmed or trimmed[-1] in " \t"):
        rest = trimmed.strip()
    return level, rest


def _indent(text: str) -> int:
    n = 0
    for ch in text:
        if ch == " ":
            n += 1
        elif ch == "\t":
            n += 4
        else:
            break
    return n


def _fence(text: str) -> str | None:
    s = text.lstrip(" ")
    if len(text) - len(s) > 3:
        return None
    for mark in ("```", "~~~"):
        if s.startswith(mark):
            return s[: len(s) - len(s.lstrip(mark[0]))]
    return None


def split_lines(body: list[str], first_no: int, ctx: Context) -> list[Line]:
    """Classify the body lines; ``first_no`` is the file line number of ``body[0]``."""
    lines = [Line(first_no + i, text) for i, text in enumerate(body)]
    open_fence: Line | None = None
    fence_mark = ""
    inside: list[Line] = []
    for line in lines:
        text = line.text
        mark = _fence(text)
        if open_fence is not None:
            closes = mark is not None and mark[0] == fence_mark[0] and len(mark) >= len(fence_mark)
            if closes and not text.strip().lstrip(fence_mark[0]):
                for inner in (open_fence, *inside, line):
                    inner.kind = CODE
                open_fence, inside = None, []
                continue
            inside.append(line)
            continue
        if mark is not None:
            open_fence, fence_mark, inside = line, mark, []
            continue
        _classify(line)
    if open_fence is not None:
        ctx.warn(open_fence.no, "code block is never closed; read as text")
        for line in (open_fence, *inside):
            _classify(line)
    return lines


def _classify(line: Line) -> None:
    text = line.text
    if not text.strip():
        line.kind = BLANK
        return
    line.indent = _indent(text)
    heading = _heading(text)
    if heading is not None:
        line.kind, line.level = HEADING, heading[0]
        line.title = clean_inline(heading[1])
        return
    s = text.strip()
    if len(s) >= 3 and s[0] in "-*_" and not s.replace(" ", "").strip(s[0]):
        line.kind = RULE


def title_heading(lines: list[Line]) -> Line | None:
    """The document's own title: a first ``#`` heading, or a lone first ``##`` heading."""
    headings = [line for line in lines if line.kind == HEADING]
    if not headings:
        return None
    first = headings[0]
    if first.level == 1:
        return first
    if first.level == 2 and not any(h.level <= 2 for h in headings[1:]):
        return first
    return None


def bold_line(text: str) -> str | None:
    """The text of a line that is only bold (``**点评：**``), else ``None``."""
    m = _BOLD_LINE_RE.fullmatch(text.strip())
    return m.group(1).strip() if m else None


def annotate(lines: list[Line], non_news: bool = True) -> None:
    """Set each line's ``section`` and ``skip`` (inside a non-news part).

    A non-news heading of level L hides everything up to the next heading of level <= L
    that is news; a non-news bold line (``**点评：**``) hides up to the next heading.
    """
    doc_title = title_heading(lines)
    stack: list[Line] = []  # open headings, shallowest first
    skip_level = 0  # 0: not skipping
    for line in lines:
        if line.kind == HEADING:
            while stack and stack[-1].level >= line.level:
                stack.pop()
            line.section = stack[-1].title if stack else None
            if skip_level and line.level <= skip_level:
                skip_level = 0
            if not skip_level and non_news and is_non_news(line.title):
                skip_level = line.level
            line.skip = bool(skip_level)
            if line is not doc_title:
                stack.append(line)
            continue
        line.section = stack[-1].title if stack else None
        if line.kind == TEXT and non_news and not skip_level:
            bold = bold_line(line.text)
            if bold is not None and is_non_news(bold):
                skip_level = 7
        line.skip = bool(skip_level)


def numbered(line: Line) -> tuple[int, str] | None:
    """``(number, content)`` of a numbered list entry (``1. x``, ``1.x``, ``1、x``)."""
    if line.kind != TEXT:
        return None
    m = _NUMBERED_RE.fullmatch(line.text)
    if m is None:
        return None
    return int(m.group(1)), m.group(2)


def bullet(line: Line) -> str | None:
    """The content of a bulleted entry (``- x``, ``* x``, ``+ x``, ``• x``)."""
    if line.kind != TEXT:
        return None
    m = _BULLET_RE.fullmatch(line.text)
    return m.group(1) if m else None


def indented_body(lines: list[Line], i: int) -> tuple[list[str], int]:
    """The indented (or blank) lines from ``i`` on; returns them and the next index."""
    body: list[str] = []
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.kind == BLANK:
            body.append("")
        elif line.kind in (TEXT, CODE) and line.indent >= BODY_INDENT:
            body.append(line.text)
        else:
            break
        i += 1
    while body and not body[-1]:
        body.pop()
    return body, i
