"""Telegram HTML for a batch: numbered entries, escaped, packed under the parsed-text limit."""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable

from channels.base import Entry, Message, Part
from channels.render import cut, pack, safe_url, utf8_len

#: Text limit: 1-4096 code points of the *parsed* text, markup stripped (Bot API sendMessage
#: "1-4096 characters after entities parsing"; TDLib MessageContent.cpp counts utf8_length).
TEXT_LIMIT = 4096
#: The raw ``text`` parameter is refused above 32768 bytes before parsing ("text is too long",
#: telegram-bot-api Client.cpp get_formatted_text).
RAW_LIMIT = 32768
#: Shorter fields read better and keep messages small (the FAQ: long messages hit limits sooner).
SUMMARY_MAX = 300
TITLE_MAX = 300
HEADER_TEXT_MAX = 1000

_TAG = re.compile(r"<[^>]*>")


def render_message(message: Message) -> list[Part]:
    """The message as HTML texts within the limits, split between entries only."""
    header = render_header(message)
    numbered = list(enumerate(message.entries, 1))
    blocks = [render_entry(n, entry) for n, entry in numbered]
    by_block = dict(zip(blocks, numbered, strict=True))
    if not blocks and not header:
        return []
    packed = pack(
        blocks,
        limit=TEXT_LIMIT,
        header=header,
        measure=measure,
        shorten=lambda block, room: fit_entry(*by_block[block], room),
    )
    return [Part(text, count) for text, count in packed]


def measure(text: str) -> int:
    """Size against TEXT_LIMIT: visible code points, or raw bytes scaled to the same budget."""
    visible = len(html.unescape(_TAG.sub("", text)))
    return max(visible, math.ceil(utf8_len(text) * TEXT_LIMIT / RAW_LIMIT))


def clean(text: str) -> str:
    """One line of printable text: whitespace collapsed, control and lone surrogates dropped."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch for ch in text if not _dropped(ch))
    return " ".join(text.split())


def _dropped(ch: str) -> bool:
    """Control characters and bidi embeddings/overrides/isolates (they could reorder a line)."""
    return (
        unicodedata.category(ch) == "Cc"
        or "\u202a" <= ch <= "\u202e"
        or "\u2066" <= ch <= "\u2069"
    )


def esc(text: str) -> str:
    """Escape digest text for Telegram HTML; isolate right-to-left runs so lines keep order."""
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        text = f"\u2068{text}\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE
    return html.escape(text, quote=False)


def render_header(message: Message) -> str:
    """The bold heading and the free text, repeated at the top of every part."""
    lines = []
    if title := clean(message.title):
        lines.append(f"<b>{esc(cut(title, TITLE_MAX))}</b>")
    if text := message.text.strip():
        body = "\n".join(clean(line) for line in text.splitlines())
        lines.append(esc(cut(body, HEADER_TEXT_MAX)))
    return "\n".join(lines)


def render_entry(
    n: int,
    entry: Entry,
    *,
    summary: int = SUMMARY_MAX,
    title: int = TITLE_MAX,
    link: bool = True,
    meta: bool = True,
) -> str:
    """One entry: numbered bold title linked to the item, summary, then source, rule, tags."""
    name = esc(cut(clean(entry.title) or "(untitled)", title))
    url = safe_url(entry.url) if link else None
    heading = f'<a href="{html.escape(url, quote=True)}">{name}</a>' if url else name
    lines = [f"<b>{n}. {heading}</b>"]
    if summary and (text := cut(clean(entry.summary), summary)):
        lines.append(esc(text))
    if meta and (line := _meta_line(entry)):
        lines.append(line)
    return "\n".join(lines)


def _meta_line(entry: Entry) -> str:
    """``<i>source · section · rule · score</i> #tag #tag``."""
    fields = [clean(x) for x in (entry.source, entry.section or "", entry.rule)]
    fields = [x for x in fields if x]
    if entry.score:
        fields.append(f"{entry.score:g}")
    tags = " ".join(t for t in map(_hashtag, entry.tags) if t)
    parts = [f"<i>{esc(' · '.join(fields))}</i>" if fields else "", esc(tags)]
    return " ".join(p for p in parts if p)


def fit_entry(n: int, entry: Entry, room: int) -> str:
    """The entry shortened to fit ``room``: trim the summary, then the title, then the link."""
    summary = min(len(clean(entry.summary)), SUMMARY_MAX)
    title = min(len(clean(entry.title)) or len("(untitled)"), TITLE_MAX)
    steps: list[tuple[Callable[[int], str], int]] = [
        (lambda k: render_entry(n, entry, summary=k), summary),
        (lambda k: render_entry(n, entry, summary=0, meta=False, title=k), title),
        (lambda k: render_entry(n, entry, summary=0, meta=False, title=k, link=False), title),
    ]
    for render, full in steps:
        if (best := _largest(render, full, room)) is not None:
            return best
    return cut(f"{n}.", room)


def _largest(render: Callable[[int], str], full: int, room: int) -> str | None:
    """The rendering with the largest k in [0, full] whose measure fits ``room``."""
    lo, hi = 0, full
    if measure(render(lo)) > room:
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(render(mid)) <= room:
            lo = mid
        else:
            hi = mid - 1
    return render(lo)


def _hashtag(tag: str) -> str:
    """``#tag`` as Telegram links it (letters, digits, underscore); empty if nothing is left."""
    word = re.sub(r"\W+", "_", clean(tag)).strip("_")
    return f"#{word}" if word else ""
