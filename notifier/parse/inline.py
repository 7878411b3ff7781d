"""Markdown inline markup: links, images, ``[图片: url]`` markup, emphasis, code spans.

Brackets and parentheses are matched once with stacks (linear time), so link text with
parentheses (``[Razr Ultra (2025) 评测](url)``) and deeply nested brackets are safe.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from notifier.plaintext import one_line, strip_tags, strip_zero_width, unescape

# `[图片: ...]` / `[视频: ...]`: media markup, never text nor the story's link.
_MEDIA_PREFIXES = ("图片:", "图片：", "视频:", "视频：")
# Bare URLs end at whitespace, `]`, an unbalanced `)`, full-width punctuation (and quotes,
# CJK text); `(...)` inside one is kept (`https://en.wikipedia.org/wiki/Rust_(language)`).
_URL_CHAR = (
    r"[^\s<>\"'`\[\](){}|\\^\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
    r"\u2018-\u201f\u2026]"
)
_URL_RE = re.compile(rf"https?://(?:{_URL_CHAR}|\({_URL_CHAR}*\))+", re.IGNORECASE)
BARE_URL_RE = _URL_RE
_TRAILING_PUNCT = ".,;:!?*_~"
_IMAGE_EXTS = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".svg",
    ".bmp",
    ".avif",
    ".ico",
    ".tif",
    ".tiff",
    ".heic",
)
_BOLD_RE = re.compile(r"\*\*([^*]+)\*\*")
_UNDER_BOLD_RE = re.compile(r"(?<![\w])__([^_]+)__(?![\w])")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+)(?<=[^\s*])\*(?![\w*])")
_CODE_RE = re.compile(r"`+([^`]*)`+")
_AUTOLINK_RE = re.compile(r"<(https?://[^\s<>]+)>", re.IGNORECASE)
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ESCAPED_RE = re.compile("[\ue000-\ue07f]")  # escaped punctuation, parked in private use
_MAX_DEPTH = 4


@dataclasses.dataclass(frozen=True, slots=True)
class Link:
    """One ``[text](url)``, ``![alt](url)`` or ``[图片: url]`` span of a line."""

    start: int
    end: int
    text: str
    url: str
    image: bool


_PAIR_RES = {
    "[": re.compile(r"\\.|[\[\]]", re.DOTALL),
    "(": re.compile(r"\\.|[()]", re.DOTALL),
}


def _match_pairs(s: str, open_ch: str) -> dict[int, int]:
    """Map each opening bracket to its matching closing one (backslash escapes honoured)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _PAIR_RES[open_ch].finditer(s):
        tok = m.group()
        if tok == open_ch:
            stack.append(m.start())
        elif len(tok) == 1 and stack:
            pairs[stack.pop()] = m.start()
    return pairs


def _destination(raw: str) -> str:
    """The URL of a link destination: ``<url>`` unwrapped, a ``"title"`` dropped."""
    raw = raw.strip()
    if raw.startswith("<") and ">" in raw:
        raw = raw[1 : raw.index(">")]
    else:
        raw = raw.split(None, 1)[0] if raw else ""
    return unescape(raw).strip()


def is_image_markup(text: str) -> bool:
    """True for the text of ``[图片: ...]`` markup."""
    return text.lstrip().lower().startswith(_MEDIA_PREFIXES)


def scan_links(s: str) -> tuple[Link, ...]:
    """Every top-level link, image and image-markup span of ``s``, left to right."""
    if "[" not in s:
        return ()
    return _scan_links(s)


@functools.lru_cache(maxsize=256)
def _scan_links(s: str) -> tuple[Link, ...]:
    # cached: the structural reader asks about the same block text several times
    brackets = _match_pairs(s, "[")
    if not brackets:
        return ()
    parens = _match_pairs(s, "(") if "](" in s else {}
    links: list[Link] = []
    n = len(s)
    i = 0
    while True:
        k = s.find("[", i)
        if k < 0:
            break
        j = brackets.get(k)
        if j is None:
            i = k + 1
            continue
        image = k > 0 and s[k - 1] == "!"
        if j + 1 < n and s[j + 1] == "(" and (j + 1) in parens:
            e = parens[j + 1]
            start = k - 1 if image else k
            links.append(Link(start, e + 1, s[k + 1 : j], _destination(s[j + 2 : e]), image))
            i = e + 1
        elif is_image_markup(s[k + 1 : min(j, k + 24)]):
            m = _URL_RE.search(s, k + 1, j)
            links.append(Link(k, j + 1, s[k + 1 : j], _trim_url(m.group()) if m else "", True))
            i = j + 1
        else:
            i = k + 1
    return tuple(links)


def _trim_url(url: str) -> str:
    """Strip trailing punctuation and an unbalanced closing parenthesis."""
    while url:
        last = url[-1]
        unbalanced = last == ")" and url.count("(") < url.count(")")
        if last in _TRAILING_PUNCT or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def is_autolinked_word(url: str) -> bool:
    """A word the publisher auto-linked: no path and capitals in the host (``http://ASP.NET``)."""
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    return not path.strip("/") and not any(c in host for c in "?#") and host != host.lower()


def is_image_url(url: str) -> bool:
    """True when the URL's path ends in an image extension."""
    path = url.split("#", 1)[0].split("?", 1)[0].lower()
    return path.endswith(_IMAGE_EXTS)


def urls_in(s: str) -> list[str]:
    """Every non-image URL of ``s`` in order: link targets and bare URLs.

    Images (``![..](..)``), image markup (``[图片: ..]``) and URLs ending in an image
    extension are skipped.
    """
    if "://" not in s:
        return []
    return list(_urls_in(s))


@functools.lru_cache(maxsize=256)
def _urls_in(s: str) -> tuple[str, ...]:
    found: list[tuple[int, str]] = []
    masked = s
    links = scan_links(s)
    if links:
        chars = list(s)
        for link in links:
            chars[link.start : link.end] = " " * (link.end - link.start)
            if not link.image and link.url:
                found.append((link.start, link.url))
        masked = "".join(chars)
    if "://" in masked:
        for m in _URL_RE.finditer(masked):
            url = _trim_url(unescape(m.group()))
            if not is_autolinked_word(url):
                found.append((m.start(), url))
    found.sort(key=lambda pair: pair[0])
    return tuple(
        url
        for _, url in found
        if url.lower().startswith(("http://", "https://")) and not is_image_url(url)
    )


def first_url(s: str) -> str | None:
    """The first non-image URL of ``s`` (see :func:`urls_in`), else ``None``."""
    urls = urls_in(s)
    return urls[0] if urls else None


def _replace_links(s: str, drop: frozenset[str], depth: int) -> str:
    links = scan_links(s)
    if not links:
        return s
    out: list[str] = []
    pos = 0
    for link in links:
        out.append(s[pos : link.start])
        if not link.image and link.text.strip() not in drop:
            text = link.text
            if depth < _MAX_DEPTH and "[" in text:
                text = _replace_links(text, drop, depth + 1)
            out.append(text)
        pos = link.end
    out.append(s[pos:])
    return "".join(out)


def strip_emphasis(s: str) -> str:
    """Remove ``**x**``, ``__x__``, ``*x*`` and backticks, keeping the text."""
    if "`" in s:
        s = _CODE_RE.sub(r"\1", s)
    if "**" in s:
        s = _BOLD_RE.sub(r"\1", s).replace("**", "")
    if "__" in s:
        s = _UNDER_BOLD_RE.sub(r"\1", s)
    if "*" in s:
        s = _ITALIC_RE.sub(r"\1", s)
    return s


def clean_inline(s: str, drop_links: frozenset[str] = frozenset()) -> str:
    """Markdown inline text to plain text on one line.

    Links become their text (links whose text is in ``drop_links`` vanish), images and
    image markup are dropped, emphasis and code marks removed, HTML tags removed, entities
    decoded, zero-width characters removed and whitespace collapsed.
    """
    escaped = "\\" in s
    if escaped:  # `\*` is a literal star: park escapes where emphasis rules cannot see them
        s = _ESCAPE_RE.sub(lambda m: chr(0xE000 + ord(m.group(1))), s)
    s = _replace_links(s, drop_links, 0)
    if "<" in s:
        s = _AUTOLINK_RE.sub(r"\1", s)
        s = strip_tags(s)
    s = strip_emphasis(s)
    if escaped:
        s = _ESCAPED_RE.sub(lambda m: chr(ord(m.group()) - 0xE000), s)
    return one_line(strip_zero_width(unescape(s)))
