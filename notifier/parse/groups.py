"""Groups of repeated blocks that may be stories: a list's entries, quotes (tables in
:mod:`notifier.parse.tables`, runs of paragraphs in :mod:`notifier.parse.paragraphs`).

A group is a *story group* when its units carry stories: most have a link, or most start
with a title (``**Headline**: description``). Otherwise it is text (a summary's key
points, a day's overview) and gives no items. An entry whose nested list is a story group
(``- **Models**`` with linked sub-entries) is a *container entry*: a section of its own.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from notifier.parse.boiler import footer, navigation, sponsored
from notifier.parse.mdtree import CODE, ENTRY, HEADING, HTML, LIST, PARA, QUOTE, ROW, RULE, Node
from notifier.parse.units import (
    Lead,
    is_placeholder_lead,
    is_web_url,
    lead,
    link_line_url,
    own_text,
    plain,
    story_urls,
    weight,
)
from notifier.plaintext import strip_tags

LINKED, TITLED, PLAIN, META, PLACEHOLDER, NAV, GROUP = (
    "linked",
    "titled",
    "plain",
    "meta",
    "placeholder",
    "navigation",
    "group",
)
TITLE_MIN = 6  # weight of a bold title below which it is a label (`**速度**：`)
DESC_MIN = 16  # weight of the text after a bold title that makes it a story
GROUP_HEAD_MAX = 60
SENTENCE_MIN = 24  # mean weight of plain entries that read as news, not as key points
LAST_RESORT = 2  # relaxed level at which any plain entries are stories


@dataclasses.dataclass(slots=True)
class Unit:
    """One block that may be a story: an entry, a paragraph (and its body) or a row."""

    node: Node
    lead: Lead
    urls: list[str]  # every story link in the unit
    body: list[str]  # raw markdown of the rest (one string per paragraph / entry)
    kind: str = PLAIN
    nested: Node | None = None  # a container entry's list
    hotness: int | None = None  # a table's points or heat column

    @property
    def url(self) -> str | None:
        return self.lead.url or (self.urls[0] if self.urls else None)


@dataclasses.dataclass(slots=True)
class Group:
    """Units read from one list, table or run of paragraphs."""

    node: Node
    units: list[Unit]
    stories: bool
    why: str
    containers: bool = False  # the units are container entries
    nodes: list[Node] = dataclasses.field(default_factory=list)  # blocks it spans

    @property
    def items(self) -> list[Unit]:
        return [u for u in self.units if u.kind in (LINKED, TITLED, PLAIN)]


def flatten(node: Node) -> Iterator[str]:
    """Raw text of a block and everything under it, one string per paragraph or entry."""
    if node.kind == PARA:
        yield node.text
    elif node.kind == HEADING:  # inside an entry or a story: text that starts with `#`
        yield "#" * node.level + " " + node.text
    elif node.kind == HTML:
        text = strip_tags(node.text).strip()
        if text:
            yield text
    elif node.kind == ROW:
        yield " | ".join(cell.text for cell in node.children)
    elif node.kind != CODE:
        for child in node.children:
            yield from flatten(child)


def classify(unit: Unit) -> str:
    """What a unit is: linked, titled, plain, a label with a value, a placeholder, ..."""
    ld = unit.lead
    if is_placeholder_lead(ld.title):
        return PLACEHOLDER
    if sponsored(ld.title) or navigation(ld.title) or footer(ld.title):
        return NAV
    if unit.node.kind == ENTRY and ld.kind == "plain" and _field_link(unit.node):
        return META  # `- 🔗 原文：<url>`: a field of the story above, not a story
    rest = plain(ld.rest)
    if ld.kind == "link" and is_web_url(ld.url):
        return LINKED
    if ld.kind == "bold":
        if weight(ld.title) < TITLE_MIN:
            return META
        if ld.url or unit.urls or weight(rest) >= DESC_MIN or unit.body:
            return TITLED
        return META
    if unit.urls and weight(ld.title) >= TITLE_MIN:
        return LINKED
    return PLAIN if weight(ld.title) >= TITLE_MIN else META


_CALLOUT_RE = re.compile(r"[ \t]*\[![\w-]+\][+-]?[ \t]*")
_TITLE_FIELD_RE = re.compile(
    r"[ \t]*(?:\*\*|__)?(?:标题|题目|title)(?:\*\*|__)?[ \t]*[:：][ \t]*(.+)", re.I
)


def quote_runs(blocks: list[Node]) -> list[list[Node]]:
    """Runs of two or more quotes in a row that each start with a paragraph."""
    runs: list[list[Node]] = [[]]
    for block in blocks:
        starts = block.kind == QUOTE and block.children and block.children[0].kind == PARA
        if starts:
            runs[-1].append(block)
        elif block.kind != RULE and runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) >= 2 or (run and _callout(run[0]))]


def _callout(quote: Node) -> bool:
    return _CALLOUT_RE.match(quote.children[0].text) is not None


def quote_unit(quote: Node) -> Unit:
    """The unit of a quote: its first line leads (an Obsidian ``[!info]`` marker dropped;
    a ``标题：`` / ``Title:`` field inside names it), the rest is its body."""
    texts = list(flatten(quote))
    head = _CALLOUT_RE.sub("", texts[0], count=1) if texts else ""
    lines = [line for text in texts for line in text.split("\n")]
    named = next((m.group(1) for line in lines if (m := _TITLE_FIELD_RE.fullmatch(line))), None)
    ld = lead(named if named else head)
    urls = story_urls("\n".join(texts))
    unit = Unit(quote, ld, urls, texts[1:] if not named else texts)
    unit.kind = classify(unit)
    if unit.kind == META and urls:
        unit.kind = LINKED
    return unit


def _field_link(entry: Node) -> bool:
    """An entry that is a labelled link (``🔗 原文：<url>``, ``Source: url``)."""
    head = entry.children[0].text if entry.children and entry.children[0].kind == PARA else ""
    return link_line_url(head) is not None and bool(own_text(head))


def entry_unit(entry: Node) -> Unit:
    """The unit of one list entry: its first paragraph leads, the rest is its body."""
    children = entry.children
    head = children[0].text if children and children[0].kind == PARA else ""
    ld = lead(head) if head else Lead("", None, "", "plain")
    body = [text for child in children[1 if head else 0 :] for text in flatten(child)]
    urls = story_urls("\n".join([head, *body]))
    unit = Unit(entry, ld, urls, body)
    unit.kind = classify(unit)
    nested = next((c for c in children if c.kind == LIST), None)
    if nested is not None and not ld.url and weight(ld.title) <= GROUP_HEAD_MAX:
        inner = judge_list(nested)
        alone = ld.kind == "bold" and not plain(ld.rest)  # `- **August 21, 2025**` over entries
        described = ld.kind == "bold" and bool(plain(ld.rest))  # `**Title**: text` + points
        if inner.stories and inner.items and (len(inner.items) >= 2 or alone) and not described:
            unit.kind, unit.nested = GROUP, nested
    return unit


def judge_units(node: Node, units: list[Unit], *, relaxed: int = 0) -> Group:
    """Decide whether ``units`` are stories (see the module docstring)."""
    real = [u for u in units if u.kind not in (PLACEHOLDER, NAV)]
    if not real:
        why = "placeholder entries" if units else "empty"
        return Group(node, units, False, why)
    n = len(real)
    groups = sum(1 for u in real if u.kind == GROUP)
    if groups * 2 >= n and groups >= 1:
        return Group(node, units, True, f"{groups} of {n} entries hold stories", containers=True)
    linked = sum(1 for u in real if u.kind == LINKED)
    titled = sum(1 for u in real if u.kind == TITLED)
    if linked * 2 >= n:
        return Group(node, units, True, f"{linked} of {n} have a link")
    if (linked + titled) * 2 >= n and titled:
        return Group(node, units, True, f"{linked + titled} of {n} start with a title")
    plain_units = [u for u in real if u.kind == PLAIN]
    if relaxed and len(plain_units) * 2 >= n and (n >= 2 or relaxed >= LAST_RESORT):
        size = sum(weight(u.lead.title) + weight(plain(u.lead.rest)) for u in plain_units)
        numbered = node.kind == LIST and any(u.node.number is not None for u in plain_units)
        least = 0 if relaxed >= LAST_RESORT else SENTENCE_MIN // (2 if numbered else 1)
        if size >= least * len(plain_units):
            return Group(node, units, True, "entries of text on a page without links")
    return Group(node, units, False, "no link and no title in most of them")


def judge_list(node: Node, *, relaxed: int = 0) -> Group:
    units = [entry_unit(e) for e in node.children if e.kind == ENTRY]
    return judge_units(node, units, relaxed=relaxed)
