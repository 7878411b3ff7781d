"""Read a markdown body by its structure, or by the layout its source states."""

from __future__ import annotations

from collections import Counter
from typing import Any

from notifier.parse.emit import Emitter
from notifier.parse.explain import Note
from notifier.parse.forced import ForcedReader
from notifier.parse.groups import LAST_RESORT
from notifier.parse.mdtree import PARA, Node, parse_blocks
from notifier.parse.outline import Section, outline, title_heading
from notifier.parse.result import Context, Draft
from notifier.parse.structure import Judge
from notifier.parse.units import lead, plain, weight


def read(lines: list[str], first_no: int, ctx: Context, *, page: bool = True) -> list[Draft]:
    """Drafts of a markdown body (``first_no``: the file line of ``lines[0]``; ``page``:
    it starts the page, so its first heading may be the page's title); the way it was read
    goes to ``ctx.explanation``."""
    blocks = parse_blocks(lines, first_no, ctx.warn)
    title = title_heading(blocks) if page else None
    layout = ctx.layout
    if layout is not None and not layout.markdown:
        ctx.warn(first_no, f"layout item={layout.item} is a CSS selector; this page is markdown")
        layout = None
    if layout is not None:
        forced = ForcedReader(layout)
        drafts = forced.read(blocks, title)
        ctx.explain("layout", f"stated: {layout.describe()}", forced.notes)
        return drafts
    root = outline(blocks, title)
    labels = recurring_labels(blocks)
    reader = _read(root, labels=labels)
    linked = [d.line for d in reader.drafts if d.url]
    first = min(linked, default=0)
    overview = any(d.url is None and d.line < first for d in reader.drafts)
    if overview and len(linked) >= OVERVIEW_LINKED and len(linked) * 10 >= len(reader.drafts) * 6:
        reader = _read(root, labels=labels, overview_before=first)
    for level in (1, LAST_RESORT):  # a page without links: entries of plain text count
        if any(d.url for d in reader.drafts) or (level == LAST_RESORT and reader.drafts):
            break
        relaxed = _read(root, relaxed=level, labels=labels)
        if len(relaxed.drafts) > len(reader.drafts):
            reader = relaxed
    if title is not None:
        reader.notes.append(Note(title.line, "# " + plain(title.text), "title (the source)"))
    ctx.explain("structure", reader.shape(), reader.notes)
    return reader.drafts


def _read(root: Section, **options: Any) -> Emitter:
    """Judge the page, then write its drafts and notes."""
    plan = Judge(**options).judge(root)
    emitter = Emitter(relaxed=options.get("relaxed", 0))
    emitter.emit(plan, None)
    return emitter


LABEL_MAX = 40  # weight of a recurring bold lead that is a field name
OVERVIEW_LINKED = 4  # linked stories that make unlinked entries above them an overview


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
