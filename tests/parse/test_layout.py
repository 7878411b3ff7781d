"""Layouts a user states (issue 11): `layout:` of a source, `--layout` of the CLI."""

from __future__ import annotations

import pytest

from notifier.parse import Layout, LayoutError, parse_text
from notifier.parse.layout import layout_of, parse_cli

# A page the reader would misread: `###` stories with no link and no body, under `##`
# sections that have a stray linked bullet each.
PAGE = """\
# 周报

## 模型

- [本栏目说明](https://ex.com/about)

### GPT-5 发布
### Claude 4.1 发布

## 广告

### 买课程

## 产品

- [本栏目说明](https://ex.com/about2)

### Cursor CLI
"""


def test_a_stated_heading_level_makes_every_such_heading_a_story() -> None:
    d = parse_text(PAGE, "p.md", layout=parse_cli("item=h3,section=h2"))
    assert [(i.title, i.section) for i in d.items] == [
        ("GPT-5 发布", "模型"),
        ("Claude 4.1 发布", "模型"),
        ("Cursor CLI", "产品"),
    ]
    assert d.explanation is not None
    assert d.explanation.reader == "layout"
    assert d.explanation.layout == "stated: item=h3, section=h2"


def test_skip_words_leave_parts_out() -> None:
    d = parse_text(PAGE, "p.md", layout=parse_cli("item=h3,skip=模型"))
    assert [i.title for i in d.items] == ["Cursor CLI"]


@pytest.mark.parametrize(
    ("spec", "titles"),
    [
        ("item=list", ["本栏目说明", "本栏目说明"]),
        ("item=paragraph", ["Lead one.", "Lead two."]),
    ],
)
def test_lists_and_paragraphs(spec: str, titles: list[str]) -> None:
    text = PAGE if spec == "item=list" else "# T\n\nLead one. More.\n\nLead two. More.\n"
    assert [i.title for i in parse_text(text, "p.md", layout=parse_cli(spec)).items] == titles


def test_bold_lines_and_tables() -> None:
    page = "# T\n\n**First story**\n\nText [link](https://ex.com/1)\n\n**Second story**\n\nMore.\n"
    d = parse_text(page, "p.md", layout=parse_cli("item=bold"))
    assert [(i.title, i.url) for i in d.items] == [
        ("First story", "https://ex.com/1"),
        ("Second story", None),
    ]
    table = "# T\n\n| # | 标题 |\n|---|---|\n| 1 | [甲](https://ex.com/a) |\n| 2 | 乙 |\n"
    d = parse_text(table, "t.md", layout=parse_cli("item=table"))
    assert [(i.title, i.url) for i in d.items] == [("甲", "https://ex.com/a"), ("乙", None)]


HTML = """<!DOCTYPE html><html><head><title>Hot 2025-06-12</title></head><body>
<div class="group"><div class="name">AI</div>
  <div class="row"><span class="t">Short</span> <a class="go" href="/s/1">open</a></div>
  <div class="row"><span class="t">Also short</span> <a class="go" href="/s/2">open</a></div>
</div></body></html>"""


def test_css_selectors_pick_html_stories() -> None:
    layout = parse_cli("item=div.row,title=span.t,section=div.name")
    d = parse_text(HTML, "https://hot.example.com/today.html", layout=layout)
    assert [(i.title, i.url, i.section) for i in d.items] == [
        ("Short", "https://hot.example.com/s/1", "AI"),
        ("Also short", "https://hot.example.com/s/2", "AI"),
    ]
    assert d.date is not None


def test_a_layout_of_the_wrong_kind_warns_and_guesses() -> None:
    d = parse_text(
        "# T\n\n- [A story](https://ex.com/a)\n", "p.md", layout=parse_cli("item=div.x")
    )
    assert [i.title for i in d.items] == ["A story"]
    assert d.warnings == ["p.md:1: layout item=div.x is a CSS selector; this page is markdown"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "item: say what one story is"),
        ({"item": "h3", "colour": "red"}, "unknown setting 'colour'"),
        ({"item": "h3", "section": "h3"}, "section: h3 is not above item h3"),
        ({"item": "list", "section": "div.x"}, "section: a heading level h1-h6 (or none)"),
        ({"item": "list", "title": "a"}, "title: only for HTML pages"),
        ({"item": "div[["}, "is not a CSS selector"),
        ({"item": "h3", "skip": [1]}, "skip: a list of words"),
    ],
)
def test_bad_layouts_say_why(values: dict, message: str) -> None:
    with pytest.raises(LayoutError, match=message.replace("(", r"\(").replace(")", r"\)")):
        layout_of(values)


def test_cli_spec() -> None:
    assert parse_cli("item=h3, section=h2, skip=广告|招聘") == Layout(
        "h3", None, "h2", ("广告", "招聘")
    )
    with pytest.raises(LayoutError, match="is not key=value"):
        parse_cli("h3")
