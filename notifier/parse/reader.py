"""Read a markdown body with the structural reader."""

from __future__ import annotations

from notifier.parse.groups import LAST_RESORT
from notifier.parse.mdtree import parse_blocks
from notifier.parse.outline import outline, title_heading
from notifier.parse.result import Context, Draft
from notifier.parse.structure import Reader


def read(lines: list[str], first_no: int, ctx: Context) -> list[Draft]:
    blocks = parse_blocks(lines, first_no)
    root = outline(blocks, title_heading(blocks))
    reader = Reader()
    plan = reader.judge(root)
    reader.emit(plan, None)
    for level in (1, LAST_RESORT):  # a page without links: entries of plain text count
        if any(d.url for d in reader.drafts) or (level == LAST_RESORT and reader.drafts):
            break
        relaxed = Reader(relaxed=level)
        relaxed.emit(relaxed.judge(root), None)
        if len(relaxed.drafts) > len(reader.drafts):
            reader = relaxed
    ctx.notes = reader.notes
    return reader.drafts
