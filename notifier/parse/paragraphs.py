"""Runs of paragraphs that are stories: ``【1】Title`` / ``[Title](url) …`` /
``**Title**：…`` paragraphs, ``1、[Title](url)`` one-entry lists followed by their text,
paragraphs of ``Title - Source <url>`` lines, and alert cards (title line … link line).
"""

from __future__ import annotations

import re

from notifier.parse.groups import (
    META,
    PLAIN,
    TITLED,
    Unit,
    classify,
    entry_unit,
    flatten,
    judge_list,
)
from notifier.parse.inline import scan_links
from notifier.parse.mdtree import LIST, PARA, QUOTE, Node
from notifier.parse.units import (
    ENUM_RE,
    drop_source,
    ends_with_url,
    has_enum,
    lead,
    link_line_url,
    own_text,
    plain,
    story_urls,
    weight,
)

PARA_TITLE_MIN = 10  # weight of a paragraph's bold title (`**速度**：…` is a label)

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
            unit.kind = classify(unit)
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
