"""Reading HTML elements: their kind, text, links, labels; the words that mark blocks as
navigation, boilerplate or paid."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from notifier.parse.units import BUTTONS, weight

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

DROP = ("script", "style", "noscript", "template", "svg", "iframe", "button", "select", "head")
BOILER_TAGS = frozenset({"nav", "footer", "aside"})
BOILER_TOKENS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "footer",
        "sidebar",
        "breadcrumb",
        "breadcrumbs",
        "pagination",
        "pager",
        "share",
        "social",
        "comments",
        "related",
        "popular",
        "subscribe",
        "advert",
        "ads",
        "ad",
        "sponsor",
        "sponsored",
        "promo",
        "cookie",
        "error",
    }
)
LABEL_TOKENS = frozenset({"title", "name", "label", "heading", "header", "caption"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
ITEM_TAGS = frozenset({"li", "tr", "article", "dt", "dd", "section", "details"})
INLINE = frozenset({"a", "span", "img", "br", "strong", "b", "em", "i", "code", "small", "sup"})
TITLE_MIN = 8  # weight of a link text that can be a headline
LABEL_MAX = 60  # weight of a group label used as a section
SPONSOR_LABEL_MAX = 30  # weight of a text that marks its block as paid ("Sponsored")


def parse_html(text: str) -> LexborHTMLParser:
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(text)


def tokens(node: LexborNode) -> list[str]:
    attrs = node.attributes
    raw = " ".join(v for k, v in attrs.items() if k in ("class", "id") and v)
    out: list[str] = []
    for token in raw.lower().split():
        out.append(token)
        out.extend(part for part in token.replace("_", "-").split("-") if part)
    return out


def signature(node: LexborNode) -> tuple[str, str]:
    classes = (node.attributes.get("class") or "").split()
    return node.tag or "", classes[0] if classes else ""


def text_of(node: LexborNode) -> str:
    return " ".join(node.text(deep=True, separator=" ").split())


def describe(sig: tuple[str, str]) -> str:
    tag, cls = sig
    return f"{tag}.{cls}" if cls else tag


def texts(node: LexborNode) -> Iterator[str]:
    for child in node.traverse(include_text=True):
        if child.is_text_node:
            text = " ".join((child.text_content or "").split())
            if text:
                yield text


def ancestors(node: LexborNode) -> Iterator[LexborNode]:
    parent = node.parent
    while parent is not None and parent.tag not in ("html", None):
        yield parent
        parent = parent.parent


def button(text: str) -> str:
    return text.casefold().strip(" →»›>←«‹<·|")


def read_more(links: list[tuple[str, str, LexborNode]]) -> str | None:
    """The link a "Read more" button points to, else the last link."""
    for text, url, _ in links:
        if button(text) in BUTTONS:
            return url
    return links[-1][1] if links else None


def node_path(node: LexborNode) -> tuple[str, ...]:
    """Where an element sits: its signature and its parent's (``p.hn-title > a``)."""
    parent = node.parent
    return (name(parent), name(node)) if parent is not None else (name(node),)


def shape(node: LexborNode) -> tuple[str, ...]:
    """The kinds of a block's child elements (``td.digest-topic-title``)."""
    return tuple(name(c) for c in node.iter() if c.tag not in INLINE)


def name(node: LexborNode) -> str:
    """``tag.class`` (its first class), as in a CSS selector."""
    tag, cls = signature(node)
    return f"{tag}.{cls}"


def sponsor_label(node: LexborNode) -> bool:
    """A block marked as paid: a short text of its own says Sponsored, 广告, In partnership."""
    return any(
        weight(text) <= SPONSOR_LABEL_MAX and any(w in text.casefold() for w in _SPONSOR_WORDS)
        for text in texts(node)
    )


_SPONSOR_WORDS = (
    "sponsor",
    "partnership",
    "together with",
    "presented by",
    "advertis",
    "广告",
    "推广",
    "赞助",
    "promoted",
)
