"""Drafts and notes from a judged page: each story as a draft, each block's fate as a note
(``notifier parse --explain``), and one line on what the stories are."""

from __future__ import annotations

from collections import Counter

from notifier.parse.boiler import non_news_heading
from notifier.parse.common import text_of
from notifier.parse.explain import Note
from notifier.parse.groups import Group, Unit, flatten, judge_list
from notifier.parse.mdtree import CODE, HTML, LIST, PARA, QUOTE, RULE, TABLE, Node
from notifier.parse.outline import Section
from notifier.parse.result import Draft
from notifier.parse.structure import CONTAINER, EMPTY, SKIP, STORY, Plan, heading_title
from notifier.parse.units import BUTTONS, link_line_url


class Emitter:
    """Walks a plan in page order, writing drafts and notes."""

    def __init__(self, *, relaxed: int = 0) -> None:
        self.relaxed = relaxed
        self.drafts: list[Draft] = []
        self.notes: list[Note] = []
        self.kinds: Counter[str] = Counter()  # what the stories are: `###` headings, entries
        self.sections: Counter[str] = Counter()  # what names their sections

    def emit(self, plan: Plan, section_name: str | None) -> None:
        sec = plan.section
        head = sec.head
        what = _describe_heading(sec)
        if sec.kicker is not None:
            section_name = sec.kicker
        if plan.role == STORY:
            self._emit_story(plan, section_name)
            tail = {id(b) for b in sec.tail}
            for group in plan.groups:
                if id(group.node) in tail:  # after the rule that ended the story
                    self._emit_group(group, section_name)
            return
        if head is not None:
            verdict = {CONTAINER: "section", EMPTY: "section", SKIP: "skipped"}[plan.role]
            self.notes.append(Note(head.line, what, verdict, plan.why))
            if plan.role == CONTAINER and plan.items:
                self.sections["bold lines" if sec.pseudo else f"`{'#' * sec.level}`"] += 1
        if plan.role == SKIP:
            return
        if plan.story_first:
            self._emit_story(plan, section_name, children=False)
        name = sec.title if head is not None else section_name
        covered = {id(n) for g in plan.groups for n in (g.nodes or [g.node])}
        events: list[tuple[int, int, object]] = [(g.node.line, 0, g) for g in plan.groups]
        events += [(child.section.line, 1, child) for child in plan.children]
        events += [(b.line, 2, b) for b in sec.blocks + sec.tail if id(b) not in covered]
        for _, _, thing in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(thing, Group):
                self._emit_group(thing, name)
            elif isinstance(thing, Plan):
                self.emit(thing, name)
            elif isinstance(thing, Node):
                self._note_block(thing)

    def _emit_story(self, plan: Plan, section_name: str | None, *, children: bool = True) -> None:
        sec = plan.section
        title = heading_title(sec.raw)
        body: list[str] = []
        taken = {id(n) for g in plan.groups if g.stories for n in (g.nodes or [g.node])}
        for block in sec.blocks:
            if not children and id(block) in taken:
                continue  # a story group of its own, emitted after the story
            if block.kind in (CODE, RULE):
                continue
            for text in flatten(block):
                if link_line_url(text) is None:
                    body.append(text)
                body.append("")
        if children:
            _child_texts(plan.children, body)
        n = len(self.drafts) + 1
        self.drafts.append(Draft(title, sec.line, plan.url, text_of(body, BUTTONS), section_name))
        self.kinds["bold lines" if sec.pseudo else f"`{'#' * sec.level}` headings"] += 1
        self.notes.append(Note(sec.line, _describe_heading(sec), f"item {n}", plan.why))

    def _emit_group(self, group: Group, section_name: str | None) -> None:
        node = group.node
        what = _describe_group(group)
        if not group.stories:
            self.notes.append(Note(node.line, what, "skipped", group.why))
            return
        if group.containers:
            self.notes.append(Note(node.line, what, "sections", group.why))
            for unit in group.units:
                if unit.nested is None:
                    continue
                name = unit.lead.title
                if non_news_heading(name):
                    self.notes.append(Note(unit.node.line, f"entry “{name}”", "skipped", ""))
                    continue
                self.notes.append(Note(unit.node.line, f"entry “{name}”", "section", ""))
                self._emit_group(judge_list(unit.nested, relaxed=self.relaxed), name)
            return
        first = len(self.drafts) + 1
        for unit in group.items:
            self.drafts.append(unit_draft(unit, section_name))
        self.kinds[_unit_kind(group)] += len(group.items)
        last = len(self.drafts)
        span = f"items {first}-{last}" if last > first else f"item {first}"
        self.notes.append(Note(node.line, what, span, group.why))

    def shape(self) -> str:
        """One line: what the stories are, what names their sections."""
        if not self.drafts:
            return "no stories found"
        kinds = ", ".join(f"{kind} ({n})" for kind, n in self.kinds.most_common())
        line = f"stories are {kinds}"
        if self.sections:
            names = ", ".join(name for name, _ in self.sections.most_common())
            line += f"; sections are {names} headings".replace("bold lines headings", "bold lines")
        return line

    def _note_block(self, block: Node) -> None:
        kinds = {PARA: "paragraph", CODE: "code block", HTML: "HTML block", RULE: "rule"}
        if block.kind == RULE:
            return
        why = "not a story unit"
        if block.kind == PARA and link_line_url(block.text):
            why = "a link line outside any story"
        self.notes.append(Note(block.line, kinds.get(block.kind, block.kind), "skipped", why))


def _child_texts(children: list[Plan], out: list[str]) -> None:
    for child in children:
        if child.role == SKIP:
            continue
        out.append(child.section.raw)
        for block in child.section.blocks:
            out.extend(flatten(block))
            out.append("")
        _child_texts(child.children, out)


def unit_draft(unit: Unit, section_name: str | None) -> Draft:
    body = [unit.lead.rest, *unit.body]
    summary = text_of(body, BUTTONS)
    draft = Draft(unit.lead.title, unit.node.line, unit.url, summary, section_name)
    draft.hotness = unit.hotness
    return draft


def _unit_kind(group: Group) -> str:
    return {LIST: "list entries", TABLE: "table rows", QUOTE: "quotes"}.get(
        group.node.kind, "paragraphs"
    )


def _describe_heading(section: Section) -> str:
    if section.pseudo:
        return f"**{_short(section.title)}**"
    level = section.head.level if section.head is not None else 0
    return f"{'#' * level} {_short(section.title)}"


def _describe_group(group: Group) -> str:
    n = len(group.units)
    kind = group.node.kind
    if kind == LIST:
        return f"list ({n} entries)"
    if kind == TABLE:
        return f"table ({n} linked rows)"
    if kind == QUOTE:
        return f"quotes ({n})"
    return f"paragraphs ({n})"


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
