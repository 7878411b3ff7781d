"""Helpers the markdown families share: body text, list-entry titles, first sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable

from notifier.parse.inline import clean_inline, first_url, scan_links

# Link texts that are "go to the article" buttons, not story text.
BUTTON_LINKS = frozenset({"原文链接", "阅读原文", "查看原文"})
_ENTRY_MARK_RE = re.compile(r"(?:[-*+•][ \t]+|\d{1,9}[.)．、](?!\d)[ \t]*)")
_QUOTE_RE = re.compile(r"[ \t]*(?:>[ \t]?)+")
_BOLD_START_RE = re.compile(r"\*\*([^*]+)\*\*")
_SENTENCE_END_RE = re.compile(r"[。！？]|\.(?=\s+[A-Z])")
TITLE_MAX = 120


def text_of(raw_lines: Iterable[str], drop_links: frozenset[str] = BUTTON_LINKS) -> str:
    """Plain text of body lines: one line per paragraph and per list entry."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            text = clean_inline(" ".join(current), drop_links)
            if text:
                paragraphs.append(text)
            current.clear()

    for raw in raw_lines:
        s = raw.strip()
        if not s:
            flush()
            continue
        if s[0] == ">":
            s = _QUOTE_RE.sub("", s, count=1)
        m = _ENTRY_MARK_RE.match(s)
        if m is not None and m.end() < len(s):
            flush()  # a list entry starts its own line
            s = s[m.end() :]
        current.append(s)
    flush()
    return "\n".join(paragraphs)


def first_sentence(text: str) -> str:
    """Up to and including the first ``。！？`` (or ``. `` before a capital), cut at 120."""
    m = _SENTENCE_END_RE.search(text)
    if m is not None:
        text = text[: m.end()]
    if len(text) > TITLE_MAX:
        text = text[:TITLE_MAX] + "…"
    return text


def bold_title(content: str) -> str | None:
    """The bold text when ``content`` is only a bold title (``**Title**``)."""
    m = _BOLD_START_RE.fullmatch(content.strip())
    return m.group(1) if m else None


def entry_title(content: str) -> tuple[str, str | None, str]:
    """``(title, url, rest)`` of a list entry's first line.

    ``[Title](url) rest`` → the link; ``**Title** rest`` → the bold text and the first URL;
    otherwise the first sentence of the text, with the whole text as ``rest``.
    """
    s = content.strip()
    links = scan_links(s)
    if links and links[0].start == 0 and not links[0].image:
        link = links[0]
        return clean_inline(link.text), link.url or None, strip_lead(s[link.end :])
    m = _BOLD_START_RE.match(s)
    if m is not None:
        return clean_inline(m.group(1)), first_url(s), strip_lead(s[m.end() :])
    return first_sentence(clean_inline(s, BUTTON_LINKS)), first_url(s), s


def strip_lead(text: str) -> str:
    """Drop the ``：``, ``:``, dashes and spaces that join a link to its description."""
    return text.lstrip(" \t：:-—–|｜")


def weight(text: str) -> int:
    """Length of plain text with a CJK character counting as two (roughly: Latin letters)."""
    return len(text) + sum(1 for ch in text if ch >= "\u2e80")
