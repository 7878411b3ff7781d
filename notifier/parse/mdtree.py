"""Markdown blocks as a small tree: headings, paragraphs, lists, quotes, tables, code, HTML.

markdown-it-py does the block parsing (CommonMark, plus tables); inline markup is left as
raw text for :mod:`notifier.parse.inline`, which knows the quirks of real digests. A few
line-preserving fixes run first, so that what a reader sees as a heading or a list is one:
``####python`` (no space), ``1、标题`` / ``1.标题`` / ``(1)`` numbering, ``•`` bullets, and a
``---`` right under text (a rule, not a setext heading).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

HEADING, PARA, LIST, ENTRY, QUOTE, CODE, TABLE, ROW, HTML, RULE = (
    "heading",
    "paragraph",
    "list",
    "entry",
    "quote",
    "code",
    "table",
    "row",
    "html",
    "rule",
)
MAX_NESTING = 200  # markdown-it stops nesting silently past its limit: keep it far away

_HASH_HEADING_RE = re.compile(r"^( {0,3})(#{2,6})(?=[^#\s])")
_NUMBER_FIX_RE = re.compile(r"^( {0,3})(\d{1,9})(?:[、．]|\.(?=[^\s\d]))[ \t]*(?=\S)")
_BULLETS = "•●▪◦▸►‣▶▷➤➢"
_BULLET_FIX_RE = re.compile(rf"^( {{0,3}})[{_BULLETS}][ \t]+(?=\S)")
_DASH_RULE_RE = re.compile(r" {0,3}-{3,}[ \t]*")
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")


@dataclasses.dataclass(slots=True)
class Node:
    """One block. ``line``/``end`` are 1-based file lines (``end`` inclusive)."""

    kind: str
    line: int
    end: int
    text: str = ""  # heading/paragraph/cell: raw inline markdown; code/html: raw text
    level: int = 0  # heading level
    number: int | None = None  # entry of an ordered list: its number
    children: list[Node] = dataclasses.field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        """This node and every node under it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


def _unclosed_fence(lines: list[str]) -> int | None:
    """Index of a code fence that is never closed (read as text, like the line reader)."""
    fence, opened = "", -1
    for i, line in enumerate(lines):
        m = _FENCE_RE.match(line)
        if m is None:
            continue
        mark = m.group(1)
        if not fence:
            fence, opened = mark, i
        elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip().strip(mark[0]):
            fence = ""
    return opened if fence else None


def _fix_lines(lines: list[str], unclosed: list[int] | None = None) -> list[str]:
    """Line-preserving fixes so that markdown-it sees the blocks a reader sees; the index
    of a code fence never closed (read as text) goes to ``unclosed``."""
    lines = list(lines)
    while (open_at := _unclosed_fence(lines)) is not None:
        lines[open_at] = ""
        if unclosed is not None:
            unclosed.append(open_at)
    out: list[str] = []
    fence = ""
    prev = ""
    before = ""  # the line before `prev`
    for line in lines:
        m = _FENCE_RE.match(line)
        if fence:
            if m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
            out.append(line)
            prev = line
            continue
        if m is not None:
            fence = m.group(1)
            out.append(line)
            prev = line
            continue
        fixed = line
        lead = line.lstrip(" ")[:1]
        if lead == "#":
            fixed = _HASH_HEADING_RE.sub(r"\1\2 ", fixed, count=1)
        elif lead.isdigit():
            fixed = _NUMBER_FIX_RE.sub(r"\1\2. ", fixed, count=1)
        elif lead and lead in _BULLETS:
            fixed = _BULLET_FIX_RE.sub(r"\1- ", fixed, count=1)
        elif lead == "-" and _rule_under_text(fixed, prev, before):
            fixed = "***"  # a rule under text, not a setext heading
        out.append(fixed)
        before, prev = prev, fixed
    return out


SETEXT_MAX = 80  # a line this short, alone, underlined with dashes, is a heading


def _rule_under_text(line: str, prev: str, before: str) -> bool:
    return bool(prev.strip()) and bool(_DASH_RULE_RE.fullmatch(line)) and not _setext(prev, before)


def _setext(text: str, before: str) -> bool:
    """``r/LocalLLaMA`` over ``-----``: a short line standing alone is a heading; the last
    line of a paragraph over ``---`` is text followed by a rule."""
    return not before.strip() and len(text.strip()) <= SETEXT_MAX and not text.startswith(" ")


_PARSERS: dict[bool, MarkdownIt] = {}


def _parser(references: bool) -> MarkdownIt:
    """markdown-it for blocks only (inline markup stays raw); without the rule for
    ``[ref]: url`` definitions when the text has none (it costs a tenth of the time)."""
    if references not in _PARSERS:
        import logging

        from markdown_it import MarkdownIt

        logging.getLogger("markdown_it.parser_block").disabled = True  # it logs every rule
        md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
        md.disable("inline")
        if not references:
            md.disable("reference")
        _PARSERS[references] = md
    return _PARSERS[references]


def parse_blocks(
    lines: list[str], first_no: int, warn: Callable[[int, str], None] | None = None
) -> list[Node]:
    """The top-level blocks of markdown ``lines``; ``first_no`` is the file line of lines[0];
    ``warn(line, message)`` hears of what was read other than written (a fence never closed)."""
    unclosed: list[int] = []
    src = "\n".join(_fix_lines(lines, unclosed))
    if warn is not None:
        for index in unclosed:
            warn(first_no + index, "code block is never closed; read as text")
    env: dict[str, Any] = {}
    tokens = _parser("]:" in src).parse(src, env)
    blocks = _build(tokens, first_no)
    refs = {key: value["href"] for key, value in env.get("references", {}).items()}
    if refs:
        for block in blocks:
            for node in block.walk():
                if node.kind in (HEADING, PARA) and "[" in node.text:
                    node.text = resolve_references(node.text, refs)
    return blocks


_REF_RE = re.compile(r"\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])+)\](?:\[([^\[\]]*)\]|(?![(\[:]))")


def _label(text: str) -> str:
    return " ".join(text.split()).casefold().upper()


def resolve_references(text: str, refs: dict[str, str]) -> str:
    """``[title][ref]``, ``[title][]`` and ``[title]`` written as inline links, with the
    targets of the page's ``[ref]: url`` definitions."""

    def inline(m: re.Match[str]) -> str:
        label = m.group(2) if m.group(2) else m.group(1)
        href = refs.get(_label(label))
        if href is None:
            return m.group()
        return f"[{m.group(1)}](<{href}>)"

    return _REF_RE.sub(inline, text)


_OPEN = {
    "bullet_list_open": LIST,
    "ordered_list_open": LIST,
    "list_item_open": ENTRY,
    "blockquote_open": QUOTE,
    "table_open": TABLE,
    "tr_open": ROW,
}


def _build(tokens: list[Token], first_no: int) -> list[Node]:
    root = Node(LIST, first_no, first_no)
    stack = [root]
    pending: Node | None = None  # heading or paragraph waiting for its inline token
    cell = False
    header = False  # inside a table's head: its row gets level 1
    for tok in tokens:
        kind = _OPEN.get(tok.type)
        if tok.type in ("thead_open", "thead_close"):
            header = tok.type == "thead_open"
        if kind is not None:
            start, stop = tok.map or (0, 0)
            node = Node(kind, start + first_no, stop + first_no - 1)
            if kind == ENTRY and tok.info:
                node.number = int(tok.info)
            if kind == ROW and header:
                node.level = 1
            stack[-1].children.append(node)
            stack.append(node)
        elif tok.nesting == -1 and tok.type in _CLOSE:
            stack.pop()
        elif tok.type in ("heading_open", "paragraph_open"):
            start, stop = tok.map or (0, 0)
            level = int(tok.tag[1]) if tok.type == "heading_open" else 0
            kind = HEADING if level else PARA
            pending = Node(kind, start + first_no, stop + first_no - 1, level=level)
        elif tok.type in ("th_open", "td_open"):
            cell = True
        elif tok.type == "inline":
            if pending is not None:
                pending.text = tok.content
                stack[-1].children.append(pending)
                pending = None
            elif cell:
                row = stack[-1]
                row.children.append(Node(PARA, row.line, row.line, tok.content))
                cell = False
        elif tok.type in ("fence", "code_block", "html_block", "hr"):
            start, stop = tok.map or (0, 0)
            kind = {"fence": CODE, "html_block": HTML, "hr": RULE}.get(tok.type, PARA)
            node = Node(kind, start + first_no, stop + first_no - 1, tok.content.rstrip("\n"))
            stack[-1].children.extend(_summary(node) if "<summary" in node.text else [node])
    return root.children


SUMMARY = 1  # level of a paragraph made from a `<details><summary>`: a heading of its own
_SUMMARY_RE = re.compile(r"<summary[^>]*>(.*?)</summary>", re.IGNORECASE | re.DOTALL)
_A_RE = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a>", re.I | re.S)
_BOLD_TAG_RE = re.compile(r"</?(?:b|strong)\b[^>]*>", re.IGNORECASE)


def html_inline(markup: str) -> str:
    """Inline HTML as markdown: links and bold kept, other tags dropped."""
    from notifier.plaintext import strip_tags

    text = _A_RE.sub(lambda m: f"[{m.group(2)}](<{m.group(1)}>)", markup)
    return " ".join(strip_tags(_BOLD_TAG_RE.sub("**", text)).split())


def _summary(node: Node) -> list[Node]:
    """A ``<details><summary>Title</summary> body`` block: the summary as a heading
    paragraph (level SUMMARY), then what follows it in the block as text."""
    m = _SUMMARY_RE.search(node.text)
    if m is None:
        return [node]
    head = Node(PARA, node.line, node.line, html_inline(m.group(1)), level=SUMMARY)
    rest = html_inline(node.text[m.end() :].replace("</details>", ""))
    tail = [Node(PARA, node.line + 1, node.end, rest)] if rest else []
    closing = [Node(HTML, node.end, node.end, "</details>")] if "</details>" in node.text else []
    return [head, *tail, *closing]


_CLOSE = frozenset(
    {
        "bullet_list_close",
        "ordered_list_close",
        "list_item_close",
        "blockquote_close",
        "table_close",
        "tr_close",
    }
)
