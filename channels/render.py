"""Rendering helpers every adapter shares: packing entries under a limit, escaping, cutting.

Adapters render each entry to a block of text in their idiom, then :func:`pack` joins the
blocks into as few payloads as the limit allows, always splitting between entries. An entry
too long to fit alone is cut (with ``…``) by the adapter's ``shorten`` callback.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

Measure = Callable[[str], int]


def utf8_len(text: str) -> int:
    """Size in UTF-8 bytes (WeCom, DingTalk, ntfy count bytes)."""
    return len(text.encode("utf-8"))


def code_points(text: str) -> int:
    """Size in Unicode code points (Telegram counts these after entity parsing)."""
    return len(text)


def cut(text: str, limit: int, measure: Measure = code_points, ellipsis: str = "…") -> str:
    """Return ``text`` shortened to at most ``limit`` by ``measure``, ending in ``ellipsis``."""
    if measure(text) <= limit:
        return text
    budget = limit - measure(ellipsis)
    if budget <= 0:
        return ""
    if measure is code_points:
        return text[:budget].rstrip() + ellipsis
    if measure is utf8_len:  # the bytes that fit; a character cut in two is dropped
        return text.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip() + ellipsis
    # Binary search on the prefix length: measure may be bytes, not characters.
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ellipsis


def pack(
    blocks: Sequence[str],
    *,
    limit: int,
    header: str = "",
    separator: str = "\n\n",
    measure: Measure = code_points,
    shorten: Callable[[str, int], str] | None = None,
) -> list[tuple[str, int]]:
    """Join ``blocks`` into texts of at most ``limit``; return (text, number of blocks) pairs.

    Every text starts with ``header``. Blocks are never split across texts; a block that
    cannot fit alone under the header is passed to ``shorten(block, room)`` (default: cut).
    """
    shorten = shorten or (lambda block, room: cut(block, room, measure))
    out: list[tuple[str, int]] = []
    current, count = header, 0
    for block in blocks:
        joined = current + separator + block if count or header else block
        if measure(joined) <= limit:
            current, count = joined, count + 1
            continue
        if count:
            out.append((current, count))
        room = limit - measure(header + separator if header else "")
        fitted = block if measure(block) <= room else shorten(block, room)
        current = header + separator + fitted if header else fitted
        count = 1
    if count or not out:
        out.append((current, count))
    return out


def escape_html(text: str) -> str:
    """Escape text for Telegram/email HTML (``<``, ``>``, ``&`` and quotes)."""
    return html.escape(text, quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def escape_markdown(text: str) -> str:
    """Backslash-escape markdown syntax in digest text, for CommonMark-style renderers only.

    Right for ntfy's markdown messages and for Apprise's markdown bodies (which Apprise
    turns into HTML for HTML services; checked: every escape comes out as the bare
    character). Wrong elsewhere: Feishu cards take HTML entities
    (``channels.feishu.common.escape_card``), DingTalk and WeCom show the backslashes
    (``channels._robot.inline`` disarms markup instead), Telegram and email are HTML
    (:func:`escape_html`).

    Newlines become spaces so that item text cannot start a heading or a list.
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def safe_url(url: str | None) -> str | None:
    """Return ``url`` fit for a link in any markup, or None if it is not http(s).

    Characters that would end a markdown or HTML link early are percent-encoded.
    """
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    return url.strip().translate(_URL_QUOTE)


_URL_QUOTE = str.maketrans({ch: f"%{ord(ch):02X}" for ch in " \n\r\t<>\"'`()[]{}|\\^"})
