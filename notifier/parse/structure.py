"""The structural reader: which blocks of a page are stories, which are sections.

It works on the outline (:mod:`notifier.parse.outline`) bottom-up. A section whose heading
carries a story (a link in the heading, a ``原文链接`` / ``Source:`` line under it, a body of
prose) is one item, and its inner lists are its summary. A section that groups repeated
story units (sub-sections that are stories, lists of linked or titled entries, tables of
links) is a container: its heading becomes the ``section`` of the stories under it. Each
decision is recorded as a :class:`~notifier.parse.explain.Note` for ``--explain``.
"""

from __future__ import annotations

import dataclasses
import itertools

from notifier.parse.boiler import non_news_heading
from notifier.parse.groups import (
    LINKED,
    META,
    TITLED,
    Group,
    Unit,
    flatten,
    judge_list,
    judge_units,
    quote_runs,
    quote_unit,
)
from notifier.parse.mdtree import LIST, PARA, QUOTE, TABLE, Node
from notifier.parse.outline import Section
from notifier.parse.paragraphs import para_units
from notifier.parse.tables import judge_table
from notifier.parse.units import (
    is_placeholder_text,
    is_web_url,
    labelled_url,
    lead,
    link_line_url,
    own_text,
    plain,
    source_rank,
    story_urls,
    strip_enum,
    weight,
)

STORY, CONTAINER, EMPTY, SKIP = "story", "container", "empty", "skip"
BODY_TEXT = "a heading with body text"
PROSE_MIN = 20  # weight of a paragraph that is body text, not a label
PROSE_OWN_MIN = 10  # ... of which this much is not link text
OWN_STORY_PROSE = 120  # text under a headline, above its sub-sections, that is a story
HEADLINE_MIN = 30  # weight of a heading that reads as a headline, not a section's name
LINKED_TITLE_MIN = 20  # a linked entry with a title this long is a story, not a reference
SECTION_NAME_MAX = 16  # a heading this short, holding one linked entry, names a section


@dataclasses.dataclass(slots=True)
class Plan:
    """What a section is, and why."""

    section: Section
    role: str
    why: str
    groups: list[Group] = dataclasses.field(default_factory=list)
    children: list[Plan] = dataclasses.field(default_factory=list)
    url: str | None = None  # a story's link
    linked: bool = False  # a story with a link of its own
    strong: bool = True  # decided on its own evidence (else its siblings may overrule it)
    story_first: bool = False  # a container whose heading and own text are a story too

    @property
    def items(self) -> int:
        if self.role == STORY:
            return 1
        if self.role != CONTAINER:
            return 0
        own = sum(len(g.items) for g in self.groups if g.stories and not g.containers)
        inner = sum(len(_container_units(g)) for g in self.groups if g.containers)
        return own + inner + sum(child.items for child in self.children)


def _container_units(group: Group) -> list[Unit]:
    out: list[Unit] = []
    for unit in group.units:
        if unit.nested is not None:
            out.extend(judge_list(unit.nested).items)
    return out


def _heading_url(section: Section) -> str | None:
    if section.head is None:
        return None
    found = lead(section.raw)
    if found.kind == "link" and is_web_url(found.url):
        return found.url
    urls = story_urls(section.raw)
    return urls[0] if urls else None


def heading_title(raw: str) -> str:
    """A story heading's title: its link's text when it starts with a link (after an
    enumeration or a marker like 🔴), else its text without the enumeration."""
    found = lead(raw)
    if found.kind in ("link", "bold") and found.title:
        return found.title  # `### [Title](url) — Rust`, `<summary><b>Title</b> · xAI`
    return strip_enum(plain(raw)).strip().rstrip(":：").strip()


def _content(blocks: list[Node]) -> list[Node]:
    """Blocks with quotes opened up (a quoted list is still a list)."""
    out: list[Node] = []
    for block in blocks:
        if block.kind == QUOTE:
            out.extend(_content(block.children))
        else:
            out.append(block)
    return out


class Judge:
    """Decides, section by section, what each part of a page is (see the module docstring)."""

    def __init__(
        self,
        *,
        relaxed: int = 0,
        labels: frozenset[str] = frozenset(),
        overview_before: int = 0,
    ) -> None:
        self.relaxed = relaxed
        self.labels = labels  # bold leads that recur: field names, never titles
        # On a page of linked stories, unlinked entries before the first of them are the
        # day's overview (今日要点, TL;DR), not stories.
        self.overview_before = overview_before

    # -- judging ---------------------------------------------------------------------------

    def groups(self, blocks: list[Node]) -> list[Group]:
        """The candidate story groups among a section's own blocks."""
        found: list[Group] = []
        for quotes in quote_runs(blocks):  # one story per quote (callouts, cards)
            group = judge_units(quotes[0], [quote_unit(q) for q in quotes], relaxed=self.relaxed)
            if group.stories:
                group.nodes = quotes
                found.append(group)
        quoted = {id(n) for g in found for n in g.nodes}
        content = _content([b for b in blocks if id(b) not in quoted])
        taken: set[int] = set()
        for nodes, units in para_units(content):
            group = judge_units(nodes[0], units, relaxed=self.relaxed)
            group.nodes = nodes
            if len(units) < 2 and not (group.stories and units[0].kind == LINKED):
                group.stories, group.why = False, "a single paragraph"
            if len(units) < 2 and nodes[0].kind == LIST:
                continue  # a list of one entry, judged as a list below
            found.append(group)
            taken.update(id(n) for n in nodes)
        for block in content:
            if id(block) in taken:
                continue
            if block.kind == LIST:
                found.append(judge_list(block, relaxed=self.relaxed))
            elif block.kind == TABLE:
                found.append(judge_table(block))
        found.sort(key=lambda g: g.node.line)
        for group in found:
            early = group.stories and group.node.line < self.overview_before
            if early and not any(u.url for u in group.items):
                group.stories, group.why = False, "an overview before the linked stories"
        return [self._unlabel(g) for g in found]

    def _unlabel(self, group: Group) -> Group:
        """A group whose titles are recurring labels (``**Why it matters:**``) is text."""
        labelled = [u for u in group.units if u.kind == TITLED and u.lead.title in self.labels]
        if not labelled or not group.stories:
            return group
        for unit in labelled:
            unit.kind = META
        judged = judge_units(group.node, group.units, relaxed=self.relaxed)
        judged.nodes = group.nodes
        if not judged.stories:
            judged.why = "recurring labels, not titles"
        return judged

    def judge(self, section: Section) -> Plan:
        if section.head is not None and non_news_heading(section.title):
            return Plan(section, SKIP, "not news (commentary, ads, boilerplate)")
        if section.kicker is not None and non_news_heading(section.kicker):
            return Plan(section, SKIP, f"under a label that is not news ({section.kicker})")
        children = [self.judge(child) for child in section.children]
        groups = self.groups(section.blocks)
        tail = self.groups(section.tail)
        plan = Plan(section, CONTAINER, "", groups + tail, children)
        if section.head is None:
            plan.why = "the page"
            self._siblings(children)
            _intro(children)
            return plan
        head_url = _heading_url(section)
        taken = {id(n) for g in groups if g.stories for n in (g.nodes or [g.node])}
        free = [b for b in section.blocks if id(b) not in taken]
        lead_url = self._lead_url(free) if free and free[0] is section.blocks[0] else None
        prose_weight = self._prose(free)
        prose = prose_weight >= PROSE_MIN
        units = [u for g in groups + tail if g.stories for u in g.items]
        own = (head_url, lead_url)
        linked = [u for u in units if u.url is not None and u.url not in own]
        if prose and sum(_unit_weight(u) for u in units) < prose_weight:
            # text of its own first: entries are key points, unless they are linked titles
            evidence = [u for u in linked if weight(u.lead.title) >= LINKED_TITLE_MIN]
        else:
            evidence = units
        inner = sum(child.items for child in children)
        if inner and not ((head_url or lead_url) and not evidence and _all_unlinked(children)):
            plan.why = f"holds {inner} stories in its sub-sections"
            if prose_weight >= OWN_STORY_PROSE and weight(section.title) >= HEADLINE_MIN:
                plan.url = head_url or lead_url or body_url(free)
                plan.story_first = plan.url is not None  # a story, then sections of its own
        elif lead_url and not (len(linked) >= 3 and not prose):
            self._story(plan, lead_url, "a link line under the heading")
        elif head_url and len(evidence) >= 2:
            plan.why = f"a named group of {len(evidence)} story entries"
        elif head_url:
            self._story(plan, head_url, "a link in the heading", strong=bool(prose or not units))
        elif len(evidence) >= 2:
            plan.why = f"groups {len(evidence)} story entries"
        elif evidence and weight(section.title) <= SECTION_NAME_MAX:
            plan.why, plan.strong = "names a section of one story entry", False
        elif evidence and not prose:
            self._story(plan, evidence[0].url, "a heading with one linked entry", strong=False)
        elif prose or self._has_body(section, groups):
            url = body_url(section.blocks)
            if url is None and _column_name(section.title) and not self.relaxed:
                plan.role, plan.why = EMPTY, "a column's name over text without a link"
            else:
                self._story(plan, url, BODY_TEXT, strong=url is not None)
        else:
            plan.role, plan.why = EMPTY, "no stories under it"
        self._siblings(children)
        return plan

    @staticmethod
    def _story(plan: Plan, url: str | None, why: str, *, strong: bool = True) -> None:
        plan.role, plan.url, plan.why, plan.linked = STORY, url, why, url is not None
        plan.strong = strong

    def _siblings(self, plans: list[Plan]) -> None:
        """Sibling sections share a shape: an undecided one follows the decided ones, and
        text-only 'stories' between sections of stories are intros and outros."""
        strong_containers = sum(1 for p in plans if p.role == CONTAINER and p.strong and p.items)
        strong_stories = sum(1 for p in plans if p.role == STORY and p.strong)
        for p in plans:
            if p.strong or p.section.head is None:
                continue
            units = [u for g in p.groups if g.stories for u in g.items]
            if p.role == STORY and units and strong_containers > strong_stories:
                p.role, p.url, p.why = CONTAINER, None, "like its sibling sections, a group"
            elif p.role == CONTAINER and len(units) == 1 and strong_stories > strong_containers:
                self._story(p, units[0].url, "like its sibling sections, a story", strong=False)
        containers = sum(1 for p in plans if p.role == CONTAINER and p.items)
        linked = sum(1 for p in plans if p.role == STORY and p.linked)
        if not containers or linked:
            return
        for p in plans:
            if p.role == STORY and not p.linked and not p.section.pseudo:
                p.role, p.why = SKIP, "text between sections of stories"

    @staticmethod
    def _lead_url(blocks: list[Node]) -> str | None:
        """The story's link line among its first blocks (a source before a discussion)."""
        lines: list[str] = []
        for block in _content(blocks)[:3]:
            if block.kind == PARA:
                lines.extend(block.text.split("\n"))
            elif block.kind == LIST and len(block.children) == 1:
                lines.extend(t for text in flatten(block) for t in text.split("\n"))
        found = [
            (source_rank(line), i, url)
            for i, line in enumerate(lines)
            if (url := link_line_url(line)) is not None
        ]
        return min(found)[2] if found else None

    @staticmethod
    def _prose(blocks: list[Node]) -> int:
        """Weight of the paragraphs of text (links inside a sentence count; a row of links
        does not)."""
        total = 0
        for block in _content(blocks):
            if block.kind == PARA and weight(own_text(block.text)) >= PROSE_OWN_MIN:
                total += weight(plain(block.text))
        return total

    @staticmethod
    def _has_body(section: Section, groups: list[Group]) -> bool:
        """Text of its own: a paragraph that is not only links, or entries that say
        something (not placeholders, labels with a value, or navigation)."""
        for block in _content(section.blocks):
            if block.kind == PARA:
                text = own_text(block.text)
                if text and not is_placeholder_text(text):
                    return True
        return any(g.items for g in groups if g.node.kind == LIST)


def body_url(blocks: list[Node]) -> str | None:
    """A story's link from its text: a source line (``Source: url``, ``[Read more](url)``)
    anywhere in it, else its first link."""
    lines = [line for b in blocks for t in flatten(b) for line in t.split("\n")]
    found = [
        (rank, i, url)
        for i, line in enumerate(lines)
        if (url := link_line_url(line) or labelled_url(line)) is not None
        and (rank := source_rank(line)) < 2
    ]
    if found:
        return min(found)[2]
    urls = story_urls("\n".join(lines))
    return urls[0] if urls else None


def _column_name(title: str) -> bool:
    """A short heading in capitals (``MARKETS``, ``WEATHER``): a column, not a headline."""
    return weight(title) <= SECTION_NAME_MAX and title.isupper()


def _intro(children: list[Plan]) -> None:
    """The page's subtitle and intro: a lone bold line before any heading, or a first
    heading with text only (a letter, a deck) before sections that hold the stories."""
    first = list(itertools.takewhile(lambda p: p.section.pseudo, children))
    stories = [p for p in first if p.role == STORY]
    if len(stories) == 1 and len(first) < len(children):
        stories[0].role, stories[0].why = SKIP, "the page's subtitle and intro"
    real = [p for p in children if not p.section.pseudo]
    if len(real) < 2 or real[0].role != STORY:
        return
    rest = [p for p in real[1:] if p.role == CONTAINER and p.items >= 2]
    if not rest:
        return
    level, top = real[0].section.level, min(p.section.level for p in rest)
    if level > top or (level == top and real[0].why == BODY_TEXT):
        real[0].role, real[0].why = SKIP, "the page's subtitle and intro"


def _unit_weight(unit: Unit) -> int:
    text = weight(unit.lead.title) + weight(plain(unit.lead.rest))
    return text + sum(weight(plain(t)) for t in unit.body)


def _all_unlinked(children: list[Plan]) -> bool:
    return all(not (c.role == STORY and c.linked) and c.role != CONTAINER for c in children)
