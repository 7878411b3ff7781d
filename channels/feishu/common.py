"""What the Feishu/Lark webhook and app bot share: escaping, the three message shapes,
packing entries into bodies under a byte limit, and origin checks.

Content shapes are the im/v1 ones ("发送消息内容结构"); the webhook wraps them
(``{"msg_type": "post", "content": {"post": ...}}``, ``{"msg_type": "interactive",
"card": ...}``), the app bot sends them JSON-encoded in ``content``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from channels.base import Entry, Message, Part
from channels.render import cut, safe_url

FEISHU_HOST = "https://open.feishu.cn"
LARK_HOST = "https://open.larksuite.com"
FORMATS = ("interactive", "post", "text")
# Card header templates (card docs, "标题组件" / header template colours).
COLORS = (
    *("blue", "wathet", "turquoise", "green", "yellow", "orange", "red"),
    *("carmine", "violet", "purple", "indigo", "grey", "default"),
)
DEFAULT_TITLE = "notifier"
TITLE_CHARS = 200  # a title longer than this is cut: a push is not the place for it
SUMMARY_CHARS = 240  # summaries are teasers; the link has the rest
MAX_CARD_ENTRIES = 50  # keeps a card readable, far under any component cap
PART_SUFFIX = " (99/99)"  # room kept in the title for the "(i/n)" of split messages

# --- escaping --------------------------------------------------------------------------

# Card markdown does not take backslash escapes: the card Markdown doc says to write the
# special characters as HTML numeric entities ``&#NN;`` ("特殊字符转义" table:
# open.feishu.cn/document/common-capabilities/message-card/message-cards-content/
# using-markdown-tags). We escape that table's characters plus ``&`` and ``|``.
_CARD_SPECIAL = re.compile(r"""[&<>~\-!*/\\\[\]()#:+"'`$_|]""")
_LIST_START = re.compile(r"^(\d+)\.")


def escape_card(text: str, line_start: bool = False) -> str:
    """Return digest text safe inside card markdown (one line, every markup char an entity).

    At the start of a line, "1." would also start an ordered list: its dot is escaped too.
    """
    flat = _CARD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", " ".join(text.split()))
    return _LIST_START.sub(r"\1&#46;", flat) if line_start else flat


# Text messages parse <at ...>, <b>/<i>/<u>/<s>, **bold** and [label](url) ("发送消息内容
# 结构", text). There is no documented escape, so a zero-width space after ``<``, ``[`` and
# ``*`` breaks every such construct while the text still reads the same.
_TEXT_SPECIAL = re.compile(r"([<\[*])")


def neutralize_text(text: str) -> str:
    """Return digest text that a Feishu text message shows verbatim."""
    return _TEXT_SPECIAL.sub("\\1\u200b", " ".join(text.split()))


def _plain(text: str) -> str:
    return " ".join(text.split())


def _meta(entry: Entry) -> list[str]:
    """Source, score, rule and tags of an entry, raw."""
    parts = [_plain(entry.source)] if entry.source.strip() else []
    if entry.score:
        parts.append(f"{entry.score:.1f}")
    if entry.rule.strip():
        parts.append(_plain(entry.rule))
    tags = " ".join("#" + _plain(t) for t in entry.tags if t.strip())
    return [*parts, tags] if tags else parts


def _summary(entry: Entry) -> str:
    return cut(_plain(entry.summary), SUMMARY_CHARS)


# --- the three message shapes (content only; the transports wrap them) -----------------


def card_content(
    title: str, text: str, entries: Sequence[Entry], color: str = "blue"
) -> dict[str, Any]:
    """An interactive card (JSON 1.0): plain-text header, one markdown element per entry."""
    elements: list[dict[str, Any]] = []
    if text:
        lines = "\n".join(escape_card(line, True) for line in text.splitlines())
        elements.append({"tag": "markdown", "content": lines})
    for entry in entries:
        if elements:
            elements.append({"tag": "hr"})
        head = escape_card(entry.title) or "…"
        url = safe_url(entry.url)
        lines = [f"**[{head}]({url})**" if url else f"**{head}**"]
        if summary := _summary(entry):
            lines.append(escape_card(summary, line_start=True))
        if meta := _meta(entry):
            lines.append(f"<font color='grey'>{' · '.join(map(escape_card, meta))}</font>")
        elements.append({"tag": "markdown", "content": "\n".join(lines)})
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": title}, "template": color},
        "elements": elements,
    }


def post_content(title: str, text: str, entries: Sequence[Entry]) -> dict[str, Any]:
    """A rich-text post: plain text nodes (shown verbatim) and links."""
    paragraphs: list[list[dict[str, Any]]] = []
    if text:
        paragraphs.extend([{"tag": "text", "text": line}] for line in text.splitlines())
    for entry in entries:
        if paragraphs:
            paragraphs.append([{"tag": "text", "text": ""}])
        head = _plain(entry.title) or "…"
        url = safe_url(entry.url)
        node = {"tag": "a", "text": head, "href": url} if url else {"tag": "text", "text": head}
        paragraphs.append([node])
        if summary := _summary(entry):
            paragraphs.append([{"tag": "text", "text": summary}])
        if meta := _meta(entry):
            paragraphs.append([{"tag": "text", "text": " · ".join(meta)}])
    return {"zh_cn": {"title": title, "content": paragraphs}}


def text_content(title: str, text: str, entries: Sequence[Entry]) -> dict[str, Any]:
    """A plain text message; links are bare URLs (the client makes them clickable)."""
    blocks = [neutralize_text(title)]
    if text:
        blocks.append("\n".join(neutralize_text(line) for line in text.splitlines()))
    for entry in entries:
        lines = [neutralize_text(entry.title) or "…"]
        if summary := _summary(entry):
            lines.append(neutralize_text(summary))
        if meta := _meta(entry):
            lines.append(neutralize_text(" · ".join(meta)))
        if url := safe_url(entry.url):
            lines.append(url.replace("*", "%2A"))  # no **bold** inside a bare URL
        blocks.append("\n".join(lines))
    return {"text": "\n\n".join(blocks)}


def content_for(fmt: str, color: str) -> Callable[[str, str, Sequence[Entry]], dict[str, Any]]:
    """The content builder of format ``fmt``."""
    if fmt == "interactive":
        return lambda title, text, entries: card_content(title, text, entries, color)
    return post_content if fmt == "post" else text_content


# --- packing: entries into bodies under a byte limit -----------------------------------

Build = Callable[[str, str, Sequence[Entry]], Any]


def pack_message(
    message: Message,
    build: Build,
    size: Callable[[Any], int],
    limit: int,
    max_entries: int = 10_000,
) -> list[Part]:
    """Split ``message`` into payloads of at most ``limit`` by ``size``, on entry boundaries.

    ``build(title, text, entries)`` makes one payload; the free text goes in the first one.
    An entry too big alone loses its summary, then title characters, then its link.
    """
    title = cut(_plain(message.title), TITLE_CHARS) or DEFAULT_TITLE
    text = cut(message.text.strip(), 2000)
    if not message.entries and not text and not message.title:
        return []
    roomy = title + PART_SUFFIX  # measure with the longest suffix the title may get

    def fits(entries: Sequence[Entry], first: bool) -> bool:
        return size(build(roomy, text if first else "", entries)) <= limit

    groups: list[list[Entry]] = []
    current: list[Entry] = []
    for entry in message.entries:
        first = not groups
        if len(current) < max_entries and fits([*current, entry], first):
            current.append(entry)
            continue
        if current:
            groups.append(current)
            first = False
        current = [_shrink(entry, lambda e, f=first: fits([e], f))]
    if current or not groups:
        groups.append(current)
    total = len(groups)
    return [
        Part(
            build(f"{title} ({i}/{total})" if total > 1 else title, text if i == 1 else "", g),
            len(g),
        )
        for i, g in enumerate(groups, 1)
    ]


def _shrink(entry: Entry, fits: Callable[[Entry], bool]) -> Entry:
    """Return ``entry`` cut down until ``fits`` it (summary, title, then link and meta)."""
    if fits(entry):
        return entry
    for field in ("summary", "title"):
        value: str = getattr(entry, field)
        lo, hi = 0, len(value)
        while lo < hi:  # the longest prefix that fits
            mid = (lo + hi + 1) // 2
            if fits(dataclasses.replace(entry, **{field: cut(value, mid)})):
                lo = mid
            else:
                hi = mid - 1
        entry = dataclasses.replace(entry, **{field: cut(value, lo)})
        if fits(entry):
            return entry
    return dataclasses.replace(entry, url=None, source="", rule="", tags=())


def json_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON: what we send, and so what we measure."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


# --- origins ---------------------------------------------------------------------------


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1")


def origin_problem(name: str, url: str) -> str | None:
    """Why ``url`` is no https origin (http only on loopback, for local fakes), or None."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(url)):
        return f"setting {name!r} must be an https URL"
    if not parts.hostname or "@" in parts.netloc:
        return f"setting {name!r} must be an https URL with a host and no credentials"
    return None
