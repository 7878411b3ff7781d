"""Markdown tables of stories: hot lists, trending repositories, ranked links.

One row is one story when the table holds links (or ranks titled rows); the title comes
from the title column, found by its header (标题, Title, 项目, …), else as the column of
links, else as the longest text; the link from the title or from a link column; a heat
or points column gives the story's hotness.
"""

from __future__ import annotations

import re

from notifier.parse.groups import LINKED, NAV, PLACEHOLDER, PLAIN, Group, Unit, classify
from notifier.parse.mdtree import ROW, Node
from notifier.parse.units import Lead, is_web_url, lead, plain, story_urls, weight

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
        if classify(unit) in (NAV, PLACEHOLDER):
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
