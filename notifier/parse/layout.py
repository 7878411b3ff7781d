"""A layout a user states for one source, when the reader's guess is wrong.

In rules.yaml (``sources: {name: {type: url, url: ..., layout: {...}}}``) or on the command
line (``notifier parse --layout item=h3,section=h2 FILE``)::

    item: h3              # markdown: h1-h6, list, table, paragraph or bold (bold lines)
    section: h2           # markdown: the heading level that names sections (or none)
    skip: [广告, 招聘]     # parts whose heading holds one of these words are not news

    item: div.news-item   # HTML: a CSS selector for one story
    title: a.news-link    # HTML: the title (and link) inside it; default: its main link
    section: div.word-name  # HTML: the nearest element before it that matches

A layout is checked when it is read: :class:`LayoutError` says what is wrong.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

MARKDOWN_ITEMS = ("h1", "h2", "h3", "h4", "h5", "h6", "list", "table", "paragraph", "bold")
KEYS = ("item", "title", "section", "skip")
_HEADING_RE = re.compile(r"h[1-6]")


class LayoutError(ValueError):
    """A layout that cannot be used, with the reason (one line) and the setting at fault."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key if key is not None else message.split(":", 1)[0]


@dataclasses.dataclass(frozen=True, slots=True)
class Layout:
    """What the stories of a source's pages are (see the module docstring)."""

    item: str
    title: str | None = None
    section: str | None = None
    skip: tuple[str, ...] = ()

    @property
    def markdown(self) -> bool:
        """True when ``item`` names a markdown block, not a CSS selector."""
        return self.item in MARKDOWN_ITEMS

    @property
    def item_level(self) -> int:
        return int(self.item[1]) if _HEADING_RE.fullmatch(self.item) else 0

    @property
    def section_level(self) -> int:
        """The heading level of sections (0: the nearest heading above a story)."""
        if self.section and _HEADING_RE.fullmatch(self.section):
            return int(self.section[1])
        return 0

    def describe(self) -> str:
        parts = [f"item={self.item}"]
        if self.title:
            parts.append(f"title={self.title}")
        if self.section:
            parts.append(f"section={self.section}")
        if self.skip:
            parts.append("skip=" + "|".join(self.skip))
        return ", ".join(parts)


def layout_of(values: Mapping[str, Any]) -> Layout:
    """A checked layout from a mapping (rules.yaml) or ``key=value`` pairs (CLI)."""
    unknown = [k for k in values if k not in KEYS]
    if unknown:
        raise LayoutError(f"unknown setting '{unknown[0]}' (known: {', '.join(KEYS)})", unknown[0])
    item = values.get("item")
    if not isinstance(item, str) or not item.strip():
        raise LayoutError(
            "item: say what one story is: h1-h6, list, table, paragraph, bold, "
            "or a CSS selector for HTML pages (e.g. div.story)"
        )
    item = item.strip()
    title = _text(values, "title")
    section = _text(values, "section")
    skip = values.get("skip") or ()
    if isinstance(skip, str):
        skip = tuple(s.strip() for s in skip.split("|") if s.strip())
    if not isinstance(skip, list | tuple) or not all(isinstance(s, str) and s for s in skip):
        raise LayoutError("skip: a list of words, e.g. [广告, Sponsored]")
    layout = Layout(item.lower() if item.lower() in MARKDOWN_ITEMS else item, title, section)
    layout = dataclasses.replace(layout, skip=tuple(skip))
    if layout.markdown:
        if title:
            raise LayoutError("title: only for HTML pages (item is a CSS selector)")
        if section and section.lower() != "none" and not _HEADING_RE.fullmatch(section.lower()):
            raise LayoutError(f"section: a heading level h1-h6 (or none), got '{section}'")
        if layout.item_level and layout.section_level >= layout.item_level:
            raise LayoutError(
                f"section: {section} is not above item {layout.item}: use a smaller heading"
            )
        return dataclasses.replace(layout, section=section.lower() if section else None)
    for key, selector in (("item", item), ("title", title), ("section", section)):
        if selector:
            _check_selector(key, selector)
    return layout


def parse_cli(spec: str) -> Layout:
    """``item=h3,section=h2,skip=广告|招聘`` (the ``--layout`` option)."""
    values: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise LayoutError(f"'{part.strip()}' is not key=value (e.g. item=h3,section=h2)")
        values[key.strip()] = value.strip()
    return layout_of(values)


def _text(values: Mapping[str, Any], key: str) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LayoutError(f"{key}: must be text")
    return value.strip()


def _check_selector(key: str, selector: str) -> None:
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError

    try:
        LexborHTMLParser("<p></p>").css(selector)
    except (SelectolaxError, ValueError) as exc:
        raise LayoutError(f"{key}: '{selector}' is not a CSS selector ({exc})") from None
