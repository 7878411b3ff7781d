"""Front matter: the small strict reader, PyYAML for the rest, warnings for broken parts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from notifier.parse import parse_text
from notifier.parse.frontmatter import _simple_yaml, _Undecided, split_front_matter
from notifier.parse.result import Context

ITEM = "\n1.  [A](https://ex.com/a)\n"


def fm(text: str) -> tuple[dict, list[str]]:
    ctx = Context("x.md")
    got = split_front_matter(text.split("\n"), ctx)
    assert got is not None
    return got.data, ctx.warnings


@pytest.mark.parametrize(
    "raw",
    [
        'title: "2025.11.04 全球AI新闻速递"\ndate: 2025-11-04T09:20:00+08:00',
        'categories: ["AI", "科技前沿"]\ntags: [AI, \'Nov.2025\']\ncats: [ AI daliy ]',
        "title: AI大模型开源竞赛\ndate: 2025-12-24\ncategory: AI 日报",
        'summary: "- a\\n- b"\nimage: https://picsum.photos/seed/20/1200/900',
        'description: "line one\nline two"\nfeatured: true',
        "title: 'It''s here'  # comment",
    ],
)
def test_small_reader_agrees_with_pyyaml(raw: str) -> None:
    mine = _simple_yaml(raw.split("\n"))
    theirs = yaml.safe_load(raw)
    for key, value in theirs.items():
        if isinstance(value, str | list):
            assert mine[key] == value


@pytest.mark.parametrize(
    "raw", ["tags:\n  - a\n  - b", "a: {b: 1}", "a: &x 1", "a: |\n  text", "key: value: x"]
)
def test_small_reader_defers_what_it_does_not_know(raw: str) -> None:
    with pytest.raises(_Undecided):
        _simple_yaml(raw.split("\n"))


def test_block_lists_go_to_pyyaml() -> None:
    data, warnings = fm("---\ntitle: T\ntags:\n  - a\n  - b\n---")
    assert data == {"title": "T", "tags": ["a", "b"]}
    assert warnings == []


def test_ascii_quote_inside_double_quoted_value() -> None:
    data, warnings = fm('---\ntitle: "AI日报"\ndescription: "面临"压力崩溃”的风险。"\n---')
    assert data == {}
    assert warnings == [
        "x.md:3: front matter is not valid YAML (did not find expected key); ignored"
    ]


def test_pyyaml_error_line_is_reported() -> None:
    _, warnings = fm("---\ntitle: T\ntags: [a, b\nother: 1\n---")
    assert len(warnings) == 1
    assert warnings[0].startswith("x.md:")
    assert "front matter is not valid YAML" in warnings[0]
    assert warnings[0].endswith("; ignored")


def test_not_a_mapping() -> None:
    data, warnings = fm("---\n- a\n- b\n---")
    assert data == {}
    assert warnings == ["x.md:2: front matter is not a mapping; ignored"]


def test_too_deep_for_libyaml_is_refused_not_crashed() -> None:
    data, warnings = fm("---\na: " + "[" * 100_000 + "\n---")
    assert data == {}
    assert warnings == ["x.md:2: front matter is nested too deeply; ignored"]


def test_an_alias_bomb_is_refused_not_expanded() -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 10)]
    data, warnings = fm("---\n" + "\n".join(lines) + "\ntitle: *l9\n---")
    assert data == {}
    assert warnings == [
        "x.md:7: front matter has more than 200,000 values once its aliases are expanded "
        "(an alias bomb?); ignored"
    ]


def test_toml_front_matter() -> None:
    data, _ = fm('+++\ntitle = "Hugo TOML"\ndate = 2025-01-02\n+++')
    assert data == {"title": "Hugo TOML", "date": "2025-01-02"}


def test_front_matter_never_closed() -> None:
    d = parse_text("---\ntitle: x\n" + ITEM, "y.md")
    assert d.warnings == ["y.md:1: front matter is never closed; read as text"]
    assert [i.title for i in d.items] == ["A"]


def test_front_matter_title_and_date_are_source_and_date() -> None:
    d = parse_text('---\ntitle: "Daily 7"\ndate: 2025-05-10T23:30:00-07:00\n---\n' + ITEM)
    assert d.source == "Daily 7"
    assert d.date == dt.date(2025, 5, 10)  # the date as written, not converted to UTC


def test_every_corpus_front_matter_is_read_without_pyyaml_when_valid(corpus: Path) -> None:
    for path in sorted(corpus.glob("*/*.md")):
        lines = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
        if lines[0] != "---":
            continue
        end = lines.index("---", 1)
        raw = lines[1:end]
        try:
            expected = yaml.load("\n".join(raw), Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
        mine = _simple_yaml(raw)
        assert mine["title"] == expected["title"], path
