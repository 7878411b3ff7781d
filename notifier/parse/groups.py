"""Groups of repeated blocks that may be stories: a list's entries, a run of paragraphs,
a table's rows.

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
from notifier.parse.inline import scan_links
from notifier.parse.mdtree import CODE, ENTRY, HEADING, HTML, LIST, PARA, QUOTE, ROW, RULE, Node
from notifier.parse.units import (
    ENUM_RE,
    Lead,
    drop_source,
    ends_with_url,
    has_enum,
    is_placeholder_lead,
    is_web_url,
    lead,
    link_line_url,
    own_text,
    plain,
    story_urls,
    weight,
)
from notifier.textutil import strip_tags

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
PARA_TITLE_MIN = 10
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


def _classify(unit: Unit) -> str:
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
    unit.kind = _classify(unit)
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
    unit.kind = _classify(unit)
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


_TITLE_HEADS = (
    "标题",
    "话题",
    "项目",
    "名称",
    "新闻",
    "事件",
    "title",
    "headline",
    "topic",
    "name",
    "repo",
    "project",
    "story",
    "article",
    "paper",
)
_LINK_HEADS = ("链接", "原文", "原帖", "地址", "link", "url", "source")
_RANK_HEADS = ("排名", "序号", "名次", "rank", "#", "no", "no.")
_HEAT_HEADS = ("热度", "热", "评分", "points", "score", "stars", "star", "heat", "hot", "votes")
_HEAT_RE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万|亿|[kKmM])?")
_SCALE = {"万": 10_000, "亿": 100_000_000, "k": 1_000, "m": 1_000_000}


def _column(heads: list[str], words: tuple[str, ...]) -> int | None:
    for i, head in enumerate(heads):
        low = head.casefold().strip()
        if low in words or any(len(w) > 1 and w in low for w in words):
            return i
    return None


def heat(text: str) -> int | None:
    """Points or heat written in a cell: ``2014 points``, ``2381 万热度``, ``15.2k``."""
    m = _HEAT_RE.search(text)
    if m is None:
        return None
    scale = _SCALE.get((m.group(2) or "").lower(), 1)
    return int(float(m.group(1).replace(",", "")) * scale)


def judge_table(node: Node) -> Group:
    """A table of stories: one row each, the title in its title column (by the header,
    else the column of links, else the longest text), the link in it or in a link column."""
    rows = [r for r in node.children if r.kind == ROW]
    head = rows[0] if rows and rows[0].level == 1 else None
    body = [r for r in rows if r is not head]
    width = max((len(r.children) for r in body), default=0)
    if not body or not width:
        return Group(node, [], False, "an empty table")
    heads = [plain(c.text) for c in head.children] if head is not None else [""] * width
    cells = [[c.text for c in r.children] + [""] * (width - len(r.children)) for r in body]
    title = _column(heads, _TITLE_HEADS)
    if title is None:
        linked = [sum(1 for row in cells if lead(row[i]).kind == "link") for i in range(width)]
        size = [sum(weight(plain(row[i])) for row in cells) for i in range(width)]
        title = max(range(width), key=lambda i: (linked[i], size[i]))
    link, rank, hot = (_column(heads, w) for w in (_LINK_HEADS, _RANK_HEADS, _HEAT_HEADS))
    units: list[Unit] = []
    for row, texts in zip(body, cells, strict=True):
        ld = lead(texts[title])
        if not ld.title:
            continue
        others = [t for i, t in enumerate(texts) if i != title]
        url = ld.url if ld.kind == "link" and is_web_url(ld.url) else None
        if url is None:
            found = story_urls(texts[link] if link is not None else "\n".join(others))
            url = found[0] if found else None
        unit = Unit(row, Lead(ld.title, url, ld.rest, ld.kind), story_urls(texts[title]), [])
        unit.body = [plain(ld.rest)] if plain(ld.rest) else []
        unit.kind = LINKED if url else PLAIN
        if _classify(unit) in (NAV, PLACEHOLDER):
            unit.kind = NAV  # `【推广】…` rows, `暂无` rows
        unit.hotness = heat(plain(texts[hot])) if hot is not None and hot != title else None
        units.append(unit)
    linked_rows = sum(1 for u in units if u.url)
    ranked = rank is not None and head is not None and _column(heads, _TITLE_HEADS) is not None
    if units and (linked_rows * 2 >= len(units) or (ranked and linked_rows)):
        return Group(node, units, True, f"{linked_rows} of {len(units)} rows have a link")
    if units and ranked:
        return Group(node, units, True, "a ranked table with a title column")
    return Group(node, units, False, "a table without links")


# A paragraph led by a bold label ending in a colon inside the bold (`**The details:**`).
_LABEL_LEAD_RE = re.compile(r"[ \t]*(\*\*|__)[^*_\n]{1,80}[:：][ \t]*\1")


def _para_starts_unit(text: str, *, line: bool = False) -> bool:
    """``line``: a line of a paragraph of one link per line, which starts a unit unless it is
    only a link (``上期：<url>``)."""
    if link_line_url(text) is not None or _link_row(text):
        return False
    if line:
        return True
    ld = lead(text)
    if ld.kind == "link":
        return True
    if ld.kind == "bold":
        if _LABEL_LEAD_RE.match(text):
            return False  # `**Why it matters:** ...`: a label in a story's text
        return weight(ld.title) >= PARA_TITLE_MIN and bool(plain(ld.rest))
    if has_enum(text) and not text.lstrip().startswith("#"):
        return True
    return _card(text)


def _card(text: str) -> bool:
    """A paragraph of a title line, text, and its link on the last line (an alert, a
    bookmark card): ``Title\nPublisher\nSnippet …\n<https://…>``."""
    lines = [line for line in text.split("\n") if line.strip()]
    return (
        len(lines) >= 2
        and link_line_url(lines[-1]) is not None
        and link_line_url(lines[0]) is None
        and weight(plain(lines[0])) >= PARA_TITLE_MIN
        and not lines[0].rstrip().endswith((":", "："))  # `Delete this alert:` + its link
    )


def _link_row(text: str) -> bool:
    """A row of two or more links and nothing else (``[Home](/) | [Archive](/a)``)."""
    return len(scan_links(text)) >= 2 and not own_text(text)


def para_units(blocks: list[Node]) -> list[tuple[list[Node], list[Unit]]]:
    """Runs of blocks that each start a unit, with the blocks after each as its body:
    paragraphs (``【1】…``, ``[Title](url) …``, ``**Title**：…``) and one-entry lists
    (``1、[Title](url)`` then its description, as weeklies write them)."""
    runs: list[tuple[list[Node], list[Unit]]] = []
    nodes: list[Node] = []
    units: list[Unit] = []
    for block in blocks:
        if block.kind == PARA:
            pieces = _split_enumerated(block)
            if len(pieces) > 1 and pieces[0].end == pieces[0].line:  # one story per line
                pieces = [p for p in pieces if _para_starts_unit(p.text, line=True)]
            lines = len(pieces) > 1 and pieces[0].end == pieces[0].line
            if pieces and _para_starts_unit(pieces[0].text, line=len(pieces) > 1):
                for piece in pieces:
                    ld = lead(piece.text)
                    if lines and ld.kind == "plain":  # one story per line: `Title - Source`
                        ld.title = drop_source(ld.title)
                    units.append(Unit(piece, ld, story_urls(piece.text), []))
                nodes.append(block)
                continue
            if units:  # body of the unit above
                units[-1].body.append(block.text)
                units[-1].urls.extend(story_urls(block.text))
                nodes.append(block)
                continue
        elif block.kind == LIST and _one_titled_entry(block):
            unit = entry_unit(block.children[0])
            units.append(Unit(block.children[0], unit.lead, unit.urls, unit.body))
            nodes.append(block)
            continue
        elif block.kind in (LIST, QUOTE) and units and not _story_list(block):
            for text in flatten(block):
                units[-1].body.append(text)
                units[-1].urls.extend(story_urls(text))
            nodes.append(block)
            continue
        if units:
            runs.append((nodes, units))
        nodes, units = [], []
    if units:
        runs.append((nodes, units))
    for _, found in runs:
        for unit in found:
            unit.urls = list(dict.fromkeys(unit.urls))
            unit.kind = _classify(unit)
            if unit.kind in (PLAIN, META) and has_enum(unit.node.text) and len(found) >= 2:
                unit.kind = TITLED  # numbered paragraphs: `【1】Title`, `(2) Title`
    return runs


def _one_titled_entry(block: Node) -> bool:
    """A list of one entry that starts with a link or a bold title."""
    if len(block.children) != 1:
        return False
    head = block.children[0].children
    return bool(head) and head[0].kind == PARA and lead(head[0].text).kind in ("link", "bold")


def _story_list(block: Node) -> bool:
    if block.kind != LIST or len(block.children) < 2:
        return False
    group = judge_list(block)
    return group.stories and sum(1 for u in group.items if u.url) >= 2


def _anchored(line: str) -> bool:
    """A line that starts with its link or ends with it (``标题 - 来源 <url>``): one story
    per line, not a paragraph wrapped over lines with links inside its sentences."""
    if ends_with_url(line):
        return True
    links = scan_links(line.strip())
    if not links or links[0].start != 0 or links[0].image:
        return False
    after = line.strip()[links[0].end :].lstrip(" \t")
    return not after or after[0] in ":：-—–|｜(（,，·"


def _split_enumerated(block: Node) -> list[Node]:
    """A paragraph whose lines each start with ``【N】`` / ``(N)``: one piece per line group;
    a paragraph whose lines each hold a link (``标题 - 来源 <url>``): one piece per line."""
    lines = block.text.split("\n")
    linked = sum(1 for line in lines if _anchored(line))
    if linked >= 2 and (linked == len(lines) or (len(lines) >= 3 and linked * 2 >= len(lines))):
        return [Node(PARA, block.line + i, block.line + i, line) for i, line in enumerate(lines)]
    if len(lines) < 2 or not all(has_enum(line) for line in lines[:2]):
        return [block]
    pieces: list[Node] = []
    for offset, line in enumerate(lines):
        if (ENUM_RE.match(line) and has_enum(line)) or not pieces:
            pieces.append(Node(PARA, block.line + offset, block.line + offset, line))
        else:
            pieces[-1].text += "\n" + line
            pieces[-1].end = block.line + offset
    return pieces
