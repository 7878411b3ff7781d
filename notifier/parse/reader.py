"""Read a markdown body with the structural reader."""

from __future__ import annotations

from collections import Counter

from notifier.parse.groups import LAST_RESORT
from notifier.parse.mdtree import PARA, Node
from notifier.parse.mdtree import parse_blocks
from notifier.parse.units import lead, weight
from notifier.parse.outline import outline, title_heading
from notifier.parse.result import Context, Draft
from notifier.parse.structure import Reader


def read(lines: list[str], first_no: int, ctx: Context) -> list[Draft]:
    blocks = parse_blocks(lines, first_no)
    root = outline(blocks, title_heading(blocks))
    labels = recurring_labels(blocks)
    reader = Reader(labels=labels)
    plan = reader.judge(root)
    reader.emit(plan, None)
    for level in (1, LAST_RESORT):  # a page without links: entries of plain text count
        if any(d.url for d in reader.drafts) or (level == LAST_RESORT and reader.drafts):
            break
        relaxed = Reader(relaxed=level, labels=labels)
        relaxed.emit(relaxed.judge(root), None)
        if len(relaxed.drafts) > len(reader.drafts):
            reader = relaxed
    ctx.notes = reader.notes
    return reader.drafts


LABEL_MAX = 40  # weight of a recurring bold lead that is a field name


def recurring_labels(blocks: list[Node]) -> frozenset[str]:
    """Bold leads that start two or more paragraphs or entries (``**The details:**``)."""
    seen: Counter[str] = Counter()
    for block in blocks:
        for node in block.walk():
            if node.kind == PARA and node.text.lstrip().startswith(("**", "__")):
                found = lead(node.text)
                if found.kind == "bold" and weight(found.title) <= LABEL_MAX:
                    seen[found.title] += 1
    return frozenset(title for title, n in seen.items() if n >= 2)
