"""Read a markdown page with the layout a user stated (``layout:`` of a source).

No guessing: every block of the stated kind is a story, its section is the nearest
heading of the stated level above it (or the nearest heading), and only the parts whose
heading names boilerplate, or holds one of the ``skip`` words, are left out.
"""

from __future__ import annotations

from notifier.parse.boiler import non_news_heading
from notifier.parse.common import text_of
from notifier.parse.emit import unit_draft
from notifier.parse.explain import Note
from notifier.parse.groups import entry_unit, flatten
from notifier.parse.layout import Layout
from notifier.parse.mdtree import ENTRY, HEADING, LIST, PARA, QUOTE, TABLE, Node
from notifier.parse.outline import bold_heading
from notifier.parse.result import Draft
from notifier.parse.structure import body_url, heading_title
from notifier.parse.tables import judge_table
from notifier.parse.units import BUTTONS, lead, plain, story_urls


class ForcedReader:
    """Walks the blocks once, keeping the headings above the current one."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.drafts: list[Draft] = []
        self.notes: list[Note] = []
        self.headings: list[tuple[int, str]] = []  # open headings: (level, text)
        self.story: tuple[Node, str, list[Node]] | None = None  # heading/bold, title, body

    def read(self, blocks: list[Node], title: Node | None) -> list[Draft]:
        for block in blocks:
            if block is title and self.layout.item_level != title.level:
                self.notes.append(Note(block.line, f"# {plain(block.text)}", "title"))
                continue
            self._block(block)
        self._close()
        return self.drafts

    def _skipped(self, text: str) -> bool:
        low = text.casefold()
        return non_news_heading(text) or any(w.casefold() in low for w in self.layout.skip)

    def _section(self) -> str | None:
        want = self.layout.section_level
        if self.layout.section == "none":
            return None
        for level, text in reversed(self.headings):
            if (want and level == want) or (not want and level < (self.layout.item_level or 7)):
                return text
        return None

    def _block(self, block: Node) -> None:
        item, level = self.layout.item, self.layout.item_level
        if block.kind == HEADING:
            if level and block.level <= level:
                self._close()
            if level and block.level > level and self.story is not None:
                self.story[2].append(block)  # a sub-heading of a story is its text
                return
            while self.headings and self.headings[-1][0] >= block.level:
                self.headings.pop()
            text = plain(block.text)
            if block.level == level:
                self._open(block, heading_title(block.text))
            else:
                self.headings.append((block.level, text))
                self.notes.append(Note(block.line, "#" * block.level + " " + text, "section"))
            return
        if self._hidden():
            return
        if item == "bold" and (bold := bold_heading(block)) is not None:
            self._close()
            self._open(block, bold[0])
            if bold[1].strip():
                self.story[2].append(Node(PARA, block.line + 1, block.end, bold[1]))  # type: ignore[index]
            return
        if self.story is not None:
            self.story[2].append(block)
            return
        if block.kind == QUOTE:
            for child in block.children:
                self._block(child)
        elif item == "list" and block.kind == LIST:
            first = len(self.drafts) + 1
            for entry in block.children:
                if entry.kind == ENTRY:
                    self.drafts.append(unit_draft(entry_unit(entry), self._section()))
            self._note(block, "list", first)
        elif item == "table" and block.kind == TABLE:
            first = len(self.drafts) + 1
            for unit in judge_table(block).units:
                self.drafts.append(unit_draft(unit, self._section()))
            self._note(block, "table", first)
        elif item == "paragraph" and block.kind == PARA:
            found = lead(block.text)
            url = found.url or next(iter(story_urls(block.text)), None)
            summary = text_of([found.rest], BUTTONS)
            self.drafts.append(Draft(found.title, block.line, url, summary, self._section()))
            self._note(block, "paragraph", len(self.drafts))

    def _hidden(self) -> bool:
        return any(self._skipped(text) for _, text in self.headings)

    def _open(self, head: Node, title: str) -> None:
        self.story = (head, title, [])

    def _close(self) -> None:
        if self.story is None:
            return
        head, title, body = self.story
        self.story = None
        what = plain(head.text.split("\n", 1)[0])
        if self._hidden() or self._skipped(title):
            self.notes.append(Note(head.line, what, "skipped", "the layout's skip words"))
            return
        urls = story_urls(head.text.split("\n", 1)[0])
        url = urls[0] if urls else body_url(body)
        texts = [t for b in body for t in flatten(b)]
        self.drafts.append(Draft(title, head.line, url, text_of(texts, BUTTONS), self._section()))
        self.notes.append(Note(head.line, what, f"item {len(self.drafts)}", "the layout's item"))

    def _note(self, block: Node, what: str, first: int) -> None:
        last = len(self.drafts)
        verdict = f"items {first}-{last}" if last > first else f"item {last}"
        self.notes.append(Note(block.line, what, verdict, "the layout's item"))
