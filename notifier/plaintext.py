"""Plain-text helpers: newlines, zero-width characters, HTML entities and tags, whitespace,
counts in words.

Every function is linear in the length of its input (no backtracking-prone regexes), so a
1 MB single line or deeply nested markup costs no more than its size.
"""

from __future__ import annotations

import html
import re

# U+200B-U+200D, U+2060 and U+FEFF (BOM / zero-width no-break space); a joiner (U+200D)
# inside an emoji sequence (🧑‍💻) stays, it is part of the emoji.
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f"
_ZERO_WIDTH_RE = re.compile(
    f"[\u200b\u200c\u2060\ufeff]|(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])"
)
# Any run of whitespace except the newline.
_INLINE_WS_RE = re.compile(r"[^\S\n]+")
# Tags: `[^<>]*` stops at the next `<`, so a stray `<` costs one scan to the next bracket.
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|table|thead|tbody|blockquote|pre"
    r"|section|article|header|footer|figure|figcaption)\b[^<>]*>",
    re.IGNORECASE,
)
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_RAW_ELEMENTS = ("script", "style")


def normalize_newlines(text: str) -> str:
    """Read CRLF and lone CR as LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def strip_zero_width(text: str) -> str:
    """Remove zero-width characters (U+200B-U+200D, U+2060, U+FEFF), but the joiner of
    an emoji sequence."""
    return _ZERO_WIDTH_RE.sub("", text)


def unescape(text: str) -> str:
    """Decode HTML entities (``&amp;``, ``&#x26;``, ``&quot;``)."""
    return html.unescape(text) if "&" in text else text


def collapse_ws(text: str) -> str:
    """Collapse whitespace runs inside each line to one space; trim every line."""
    return "\n".join(_INLINE_WS_RE.sub(" ", line).strip() for line in text.split("\n"))


def one_line(text: str) -> str:
    """Collapse all whitespace, newlines included, to single spaces."""
    return " ".join(text.split())


def _drop_between(text: str, start: str, end: str) -> str:
    """Remove every ``start...end`` span (case-insensitive); an unclosed one runs to the end."""
    low = text.lower()
    if start not in low:
        return text
    out: list[str] = []
    pos = 0
    while True:
        i = low.find(start, pos)
        if i < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:i])
        j = low.find(end, i + len(start))
        if j < 0:
            break
        pos = j + len(end)
    return "".join(out)


def strip_tags(text: str) -> str:
    """Remove HTML comments, scripts, styles and tags; block tags become newlines."""
    if "<" not in text:
        return text
    text = _drop_between(text, "<!--", "-->")
    for name in _RAW_ELEMENTS:
        text = _drop_between(text, f"<{name}", f"</{name}>")
    text = _BLOCK_TAG_RE.sub("\n", text)
    return _TAG_RE.sub("", text)


def html_to_text(markup: str) -> str:
    """Turn an HTML fragment into plain text: one paragraph per line, entities decoded."""
    text = strip_tags(normalize_newlines(markup))
    text = strip_zero_width(unescape(text))
    lines = (_INLINE_WS_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def plain(text: str) -> str:
    """Tags removed, entities decoded, zero-width removed, whitespace collapsed to one line."""
    return one_line(strip_zero_width(unescape(strip_tags(text))))


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 story``, ``2 stories`` (``many`` defaults to ``one + "s"``), thousands grouped."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def show_size(size: int) -> str:
    """``20 MB``, ``512 KB`` or ``3000 bytes``, for messages."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"
