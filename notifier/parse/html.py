"""HTML digests and hot-list reports: repeated blocks that carry a headline are the stories.

The page is parsed with selectolax (lexbor). Sibling elements of one kind (same tag and
first class) form groups; a group whose members mostly hold a headline (a link with text,
or a heading) is a story group, and each member is a story, unless it holds two or more
stories itself (then it is a container, like a keyword group of TrendRadar's report).
Navigation, footers, sidebars and sponsored blocks are left out. A story's section is the
nearest heading, or group label, before it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from notifier.parse.boiler import navigation, non_news_heading, sponsored
from notifier.parse.explain import Note
from notifier.parse.htmlnodes import (
    BOILER_TAGS,
    BOILER_TOKENS,
    DROP,
    HEADINGS,
    INLINE,
    ITEM_TAGS,
    LABEL_MAX,
    LABEL_TOKENS,
    TITLE_MIN,
    ancestors,
    button,
    describe,
    name,
    node_path,
    parse_html,
    read_more,
    shape,
    signature,
    sponsor_label,
    text_of,
    texts,
    tokens,
)
from notifier.parse.layout import Layout
from notifier.parse.meta import find_date
from notifier.parse.result import Draft
from notifier.parse.units import BUTTONS, first_sentence, is_web_url, strip_enum, weight

if TYPE_CHECKING:
    from selectolax.lexbor import LexborNode

STORY_TITLE_MIN = 20  # weight of a link text that reads as a headline, not a name
HEADED, TITLED = 2, 1  # how surely a block is a story: a linked heading, a long link


@dataclasses.dataclass(slots=True)
class Story:
    """One story element and what was read from it."""

    node: LexborNode
    title: str
    url: str | None
    summary: str
    section: str | None = None
    group: str = ""  # the sibling group it was found in (`div.news-item × 18`)
    dropped: str = ""  # why it is not a story after all (sponsored, navigation)
    strength: int = 0  # HEADED: its title is a linked heading; TITLED: a long link text


class Page:
    """One HTML page: its stories, its source and date, and notes for ``--explain``."""

    def __init__(self, text: str, address: str = "") -> None:
        self.text = text
        self.tree = parse_html(text)
        base = self.tree.css_first("base[href]")
        href = (base.attributes.get("href") or "") if base is not None else ""
        # Relative links resolve against <base href>, else against where the page came from.
        self.base = urljoin(address, href) if address.startswith(("http://", "https://")) else href
        title = self.tree.css_first("title")
        self.title = text_of(title) if title is not None else ""
        h1 = self.tree.css_first("h1")
        self.h1 = h1
        self.notes: list[Note] = []
        self.order: dict[int, int] = {}  # document order of every node
        for node in self.tree.css(",".join(DROP[:-1])):
            node.decompose()

    # -- where the stories are -----------------------------------------------------------

    def stories(self) -> list[Story]:
        body = self.tree.body
        if body is None:
            return []
        siblings: dict[tuple[int, tuple[str, str]], list[LexborNode]] = {}
        for node in body.traverse():
            self.order[node.mem_id] = len(self.order)
            if not node.is_element_node or node.parent is None or node.tag in INLINE:
                continue
            siblings.setdefault((node.parent.mem_id, signature(node)), []).append(node)
        # A class names one kind of block wherever it is (`div.entry` under each blog, one
        # or several; `td.digest-topic` alone in each row); a bare tag groups with its
        # siblings only.
        groups: dict[tuple[int, tuple[str, str]], list[LexborNode]] = {}
        for (parent, sig), nodes in siblings.items():
            groups.setdefault((0 if sig[1] else parent, sig), []).extend(nodes)
        members: dict[int, Story] = {}
        for (_, sig), nodes in groups.items():
            least = 2 if sig[1] or sig[0] in ITEM_TAGS else 3
            if len(nodes) < least:
                continue
            found = self._group(nodes)
            for story in found:
                story.group = f"{describe(sig)} × {len(nodes)}"
                members[story.node.mem_id] = story
        kept = self._outermost(members)
        stories = sorted(kept, key=lambda s: self._order(s.node))
        out: list[Story] = []
        for story in stories:
            if story.dropped or self._boilerplate(story.node):
                continue
            story.section = self._section(story.node)
            if story.section is not None and non_news_heading(story.section):
                continue
            out.append(story)
        return out

    def _group(self, nodes: list[LexborNode]) -> list[Story]:
        """The stories of a group of sibling elements, or ``[]`` when it is not a story
        group. The element that holds the title in most members (``p.hn-title > a``,
        ``div.news-title``) holds it in every member, even a short or unlinked one."""
        shapes = Counter(shape(n) for n in nodes)
        if shapes.most_common(1)[0][1] * 2 < len(nodes):
            return []  # rows of different kinds (a card's title row, badge row, stats row)
        heads = [self._headline(n) for n in nodes]
        linked = [h for h in heads if h is not None and h[1] is not None]
        if len(linked) * 2 < len(nodes):
            return []
        if len({h[0] for h in linked}) * 2 < len(linked):
            return []  # the same text in every member ("2 hours ago", "Read more"): not titles
        paths = Counter(node_path(h[2]) for h in linked)
        path, _ = paths.most_common(1)[0]
        stories: list[Story] = []
        for node, head in zip(nodes, heads, strict=True):
            found = self._by_path(node, path) or (head[:2] if head else None)
            found = found or self._fallback_title(node, path)
            if found is None:
                continue
            title, url = strip_enum(found[0]).strip(), found[1]
            if not title or (url is None and weight(title) < 2 * TITLE_MIN):
                continue  # an unlinked member needs a real headline (not `News`)
            text = text_of(node)
            summary = text.replace(title, " ", 1) if title in text else text
            story = Story(node, title, url, " ".join(summary.split()))
            story.strength = self._strength(head)
            if sponsored(title) or navigation(title) or sponsor_label(node):
                story.dropped = "sponsored or navigation"
            stories.append(story)
        return stories

    def _outermost(self, members: dict[int, Story]) -> list[Story]:
        """Keep the stories of the right level. A block that holds two or more stories is
        a container, and so is every block of its group (a layout table's other rows are
        headers and footers), unless its own headline is a linked heading and the stories
        inside are only links (a post with a list of references). A story inside another
        story block belongs to that block."""
        inside: dict[int, list[Story]] = {}
        for story in members.values():
            for node in ancestors(story.node):
                if node.mem_id in members:
                    inside.setdefault(node.mem_id, []).append(story)

        def container(mem_id: int) -> bool:
            """Two or more stories of one kind inside, as sure of being stories as it is."""
            strength = members[mem_id].strength
            kinds = Counter(s.group for s in inside.get(mem_id, []) if s.strength >= strength)
            return bool(kinds) and kinds.most_common(1)[0][1] >= 2

        layout = {members[m].group for m in inside if container(m)}
        kept: list[Story] = []
        chosen: set[int] = set()
        for mem_id, story in sorted(members.items(), key=lambda m: self._order(m[1].node)):
            if story.group in layout or container(mem_id):
                continue
            if any(a.mem_id in chosen for a in ancestors(story.node)):
                continue  # part of the story block around it
            chosen.add(mem_id)
            kept.append(story)
        for group in sorted({s.group for s in kept}):
            first = next(s for s in kept if s.group == group)
            n = sum(1 for s in kept if s.group == group and not s.dropped)
            self._note(first.node, group, f"{n} stories")
        return kept

    def _strength(self, head: tuple[str, str | None, LexborNode] | None) -> int:
        if head is None:
            return 0
        if head[2].tag in HEADINGS and self._links(head[2]):
            return HEADED
        return TITLED if weight(head[0]) >= STORY_TITLE_MIN else 0

    def _headline(self, node: LexborNode) -> tuple[str, str | None, LexborNode] | None:
        """``(title, url, element)``: the member's heading, else its longest link text."""
        for heading in node.css(",".join(sorted(HEADINGS))):
            title = text_of(heading)
            if weight(title) >= TITLE_MIN:
                inner = self._links(heading)
                url = inner[0][1] if inner else read_more(self._links(node))
                return title, url, heading
        titled = [
            (t, u, a)
            for t, u, a in self._links(node)
            if weight(t) >= TITLE_MIN and button(t) not in BUTTONS
        ]
        if titled:
            return max(titled, key=lambda link: weight(link[0]))
        return None

    def _by_path(self, node: LexborNode, path: tuple[str, ...]) -> tuple[str, str | None] | None:
        """The text (and link) of the element at ``path`` inside ``node``."""
        for el in node.traverse():
            if el is node or not el.is_element_node or node_path(el) != path:
                continue
            text = text_of(el)
            if not text or button(text) in BUTTONS:
                continue
            if el.tag == "a" or el.tag in HEADINGS:
                links = self._links(el) if el.tag != "a" else self._links(el.parent or el)
                href = next((u for t, u, a in links if a == el or el.tag != "a"), None)
                if el.tag in HEADINGS and href is None:
                    href = read_more(self._links(node))
                return text, href
            return text, None
        return None

    def _fallback_title(
        self, node: LexborNode, path: tuple[str, ...]
    ) -> tuple[str, str | None] | None:
        """An unlinked or button-only member: its first bold or heading text (its link is
        its Read more button), else the text of the element that holds the title in the
        others."""
        first = next(texts(node), "")
        for el in node.css("strong, b, " + ",".join(sorted(HEADINGS))):
            text = text_of(el)
            if text and text.startswith(first[:10]) and weight(text) >= TITLE_MIN:
                return text, read_more(self._links(node))
        if len(path) < 2:
            return None
        for el in node.traverse():
            if el.is_element_node and name(el) == path[0]:
                text = next(texts(el), "") if el is node else text_of(el)
                return (first_sentence(text), None) if text else None
        return None

    def _order(self, node: LexborNode) -> int:
        return self.order.get(node.mem_id, 0)

    # -- one story -----------------------------------------------------------------------

    def _links(self, node: LexborNode) -> list[tuple[str, str, LexborNode]]:
        """``(text, absolute url, element)`` of each web link in ``node`` (or ``node``)."""
        anchors = [node] if node.tag == "a" else node.css("a[href]")
        out = []
        for a in anchors:
            href = urljoin(self.base, (a.attributes.get("href") or "").strip())
            if is_web_url(href):
                out.append((text_of(a), href, a))
        return out

    def _boilerplate(self, node: LexborNode) -> bool:
        for a in (node, *ancestors(node)):
            if a.tag in BOILER_TAGS or a.attributes.get("role") == "navigation":
                return True
            if BOILER_TOKENS.intersection(tokens(a)):
                return True
        return False

    def _section(self, node: LexborNode) -> str | None:
        """The nearest heading or group label before ``node``, among its ancestors' earlier
        siblings; ``None`` under the page title."""
        current = node
        while current is not None and current.tag not in ("body", "html"):
            sib = current.prev
            while sib is not None:
                if sib.is_element_node:
                    label = self._label(sib)
                    if label is not None:
                        return label or None
                sib = sib.prev
            current = current.parent
        return None

    def _label(self, node: LexborNode) -> str | None:
        """The section name an element gives ('' for the page title), or ``None``."""
        if node.tag in HEADINGS:
            text = text_of(node)
            if node.tag == "h1" or not text:
                return ""
            return text
        if node.css_first("a[href]") is not None:
            return None
        inner = node.css(",".join(sorted(HEADINGS)))
        if inner and weight(text_of(node)) <= LABEL_MAX:
            return self._label(inner[-1])
        if LABEL_TOKENS.intersection(tokens(node)):
            first = next((t for t in texts(node)), "")
            return first if first and weight(first) <= LABEL_MAX else None
        strong = node.css_first("strong, b")
        text = text_of(node)
        if strong is not None and text and text_of(strong) == text and weight(text) <= LABEL_MAX:
            return text
        return None

    def _note(self, node: LexborNode, what: str, verdict: str) -> None:
        self.notes.append(Note(self.line_of(node), what, verdict))

    def line_of(self, node: LexborNode) -> int:
        links = node.css("a[href]")
        needle = (links[0].attributes.get("href") or "") if links else text_of(node)[:30]
        pos = self.text.find(needle) if needle else -1
        return self.text.count("\n", 0, pos) + 1 if pos >= 0 else 1

    # -- a layout the user stated ---------------------------------------------------------

    def stories_by(self, layout: Layout) -> list[Story]:
        """Every element ``layout.item`` selects (the outermost of nested ones) is a story."""
        body = self.tree.body
        if body is None:
            return []
        for node in body.traverse():
            self.order[node.mem_id] = len(self.order)
        chosen = self.tree.css(layout.item)
        ids = {n.mem_id for n in chosen}
        chosen = [n for n in chosen if not any(a.mem_id in ids for a in ancestors(n))]
        marks = []
        if layout.section:
            marks = sorted(
                (self.order.get(n.mem_id, 0), text_of(n)) for n in self.tree.css(layout.section)
            )
        out: list[Story] = []
        for node in chosen:
            found = self._titled_by(node, layout.title) if layout.title else None
            found = found or self._headline(node) or self._fallback_title(node, ())
            if found is None:
                continue
            title, url = strip_enum(found[0]).strip(), found[1]
            text = text_of(node)
            summary = text.replace(title, " ", 1) if title in text else text
            story = Story(node, title, url, " ".join(summary.split()), group=layout.item)
            if marks:
                where = self.order.get(node.mem_id, 0)
                before = [text for at, text in marks if at < where]
                story.section = before[-1] if before else None
            else:
                story.section = self._section(node)
            if any(w.casefold() in (story.section or "").casefold() for w in layout.skip):
                continue
            out.append(story)
        if chosen:
            self._note(chosen[0], f"{layout.item} × {len(chosen)}", f"{len(out)} stories")
        return out

    def _titled_by(self, node: LexborNode, selector: str) -> tuple[str, str | None] | None:
        el = node.css_first(selector)
        if el is None or not text_of(el):
            return None
        links = self._links(el)
        url = links[0][1] if links else read_more(self._links(node))
        return text_of(el), url

    # -- the page itself -----------------------------------------------------------------

    def source(self) -> str:
        if self.title:
            return self.title
        return text_of(self.h1) if self.h1 is not None else ""

    def date(self) -> dt.date | None:
        for text in (self.title, text_of(self.h1) if self.h1 is not None else ""):
            found = find_date(text)
            if found is not None:
                return found
        for node in self.tree.css("time[datetime], meta[property='article:published_time']"):
            value = node.attributes.get("datetime") or node.attributes.get("content") or ""
            found = find_date(value)
            if found is not None:
                return found
        return None


def read(
    text: str, layout: Layout | None = None, address: str = ""
) -> tuple[list[Draft], list[Note], str, dt.date | None]:
    """Drafts of an HTML page, with notes, its source (``<title>``) and its date; with a
    stated ``layout`` (CSS selectors), its stories are what it selects. ``address``: the
    page's URL, when it came from one (relative links resolve against it)."""
    page = Page(text, address)
    stories = page.stories_by(layout) if layout is not None else page.stories()
    drafts = [Draft(s.title, page.line_of(s.node), s.url, s.summary, s.section) for s in stories]
    return drafts, page.notes, page.source(), page.date()
