"""Read news digests into items (the contract is ``docs/items.md``).

``parse_text`` auto-detects the format: the markdown families (insight-daily, 72live,
aicode, deepgeek), generic markdown, RSS/Atom, JSON and JSON Lines. ``parse_bytes``
decodes first; ``parse_path`` reads a file; ``iter_digests`` takes a file, a directory,
``-`` (stdin) or an http(s) URL. A digest that cannot be read at all raises (or, from
``iter_digests``, yields) :class:`~notifier.errors.DigestError`.
"""

from __future__ import annotations

from notifier.errors import DigestError
from notifier.parse.decode import decode
from notifier.parse.detect import FEED, JSON, JSONL, looks_like_feed, looks_like_html, sniff
from notifier.parse.large import LARGE
from notifier.parse.layout import Layout, LayoutError
from notifier.parse.meta import file_name
from notifier.parse.result import Context, ParseResult
from notifier.parse.targets import iter_digests, parse_path
from notifier.plaintext import normalize_newlines, strip_zero_width

__all__ = [
    "DigestError",
    "Layout",
    "LayoutError",
    "ParseResult",
    "iter_digests",
    "parse_bytes",
    "parse_path",
    "parse_text",
]


def parse_text(
    text: str,
    origin: str = "<stdin>",
    *,
    filename: str | None = None,
    content_type: str | None = None,
    layout: Layout | None = None,
) -> ParseResult:
    """Parse a digest given as text; the format is detected from its content. ``layout``
    says what its stories are, instead of the reader's guess (markdown and HTML)."""
    ctx = Context(origin, filename, layout)
    text = strip_zero_width(normalize_newlines(text))
    if not text.strip():
        raise DigestError(origin, "empty digest")
    name = file_name(ctx)
    kind = sniff(text, name, content_type)
    if kind == FEED:
        from notifier.parse import feeds

        return feeds.parse(text.encode("utf-8"), ctx, "application/xml; charset=utf-8")
    if looks_like_html(text):
        from notifier.parse import markdown

        return markdown.parse_html_page(text, ctx)
    from notifier.parse import jsondata, markdown

    if kind == JSONL:
        return jsondata.parse_jsonl(text, ctx)
    if kind == JSON:
        declared = name is not None and name.lower().endswith(".json")
        declared = declared or "json" in (content_type or "").lower()
        try:
            return jsondata.parse_json(text, ctx)
        except DigestError as json_error:
            if declared:
                raise
            try:  # not JSON after all: perhaps markdown starting with `[`
                return markdown.parse(text, Context(origin, filename, layout))
            except DigestError:
                raise json_error from None
    return markdown.parse(text, ctx)


def parse_bytes(
    data: bytes,
    origin: str = "<stdin>",
    *,
    filename: str | None = None,
    content_type: str | None = None,
    layout: Layout | None = None,
) -> ParseResult:
    """Parse a digest given as bytes: UTF-8 (with or without BOM), else GB18030."""
    if not data.strip():
        raise DigestError(origin, "empty digest")
    head = data[:1024].decode("latin-1")
    name = file_name(Context(origin, filename))
    if looks_like_feed(head, name, content_type) and b"\x00" not in data[:1024]:
        from notifier.parse import feeds

        return feeds.parse(data, Context(origin, filename), content_type)
    if len(data) > LARGE and data.lstrip()[:1] not in (b"{", b"[", b"<"):
        from notifier.parse.large import parse_large

        return parse_large(data, Context(origin, filename, layout))
    text, encoding = decode(data, origin)
    result = parse_text(text, origin, filename=filename, content_type=content_type, layout=layout)
    if encoding == "gb18030":
        result.warnings.insert(0, f"{origin}:1: not UTF-8; decoded as GB18030")
    return result
