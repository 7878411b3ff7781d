"""`notifier parse`: the items read from digests, for people and for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notifier.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "digests"


def test_json_lines_one_per_item(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one object per item with every field of the item."""
    assert main(["parse", "--json", str(EXAMPLES)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 11
    first = records[0]
    assert set(first) >= {"id", "title", "url", "summary", "source", "section", "date"}
    assert {r["format"] for r in records} == {"72live", "rss", "json"}


def test_human_listing(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json: a header per digest, then rank, title and link per item."""
    assert main(["parse", str(EXAMPLES / "2025-12-01-tech-brief.md")]) == 0
    out = capsys.readouterr().out
    assert "(72live, 2025-12-01, 5 items)" in out
    assert "   1  OpenAI 与云厂商签署多年算力协议，GPT-5 训练集群扩容" in out
    assert "点评" not in out


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A digest that cannot be read: one line naming it on stderr, exit 2."""
    assert main(["parse", str(tmp_path / "missing.md")]) == 2
    err = capsys.readouterr().err
    assert "missing.md" in err
    assert len(err.strip().splitlines()) == 1


FIXTURES = Path(__file__).resolve().parents[1] / "corpus" / "fixtures"


def test_explain_shows_the_layout_and_each_block(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain (issue 11): the reader, the layout found, every block's fate and why."""
    assert main(["parse", "--explain", str(FIXTURES / "zh-category-h4.md")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "reader: structure"
    assert out[2] == "layout: stories are `####` headings (12); sections are `##` headings"
    body = "\n".join(out[3:])
    assert "  1  # 人工智能周报" in body
    assert "title (the source)" in body
    assert "## 一、模型与应用" in body
    assert "section  (holds 4 stories in its sub-sections)" in body
    assert "#### OpenAI 正式发布 GPT-5" in body
    assert "item 1  (a link line under the heading)" in body
    assert "## 产品自荐" in body
    assert "skipped  (not news" in body


def test_explain_of_an_html_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--explain", str(FIXTURES / "html-trendradar-report.html")]) == 0
    out = capsys.readouterr().out
    assert "reader: html" in out
    assert "div.news-item × 18" in out


def test_layout_option(capsys: pytest.CaptureFixture[str]) -> None:
    page = FIXTURES / "zh-category-h4.md"
    assert main(["parse", "--json", "--layout", "item=h2", str(page)]) == 0
    titles = [json.loads(line)["title"] for line in capsys.readouterr().out.splitlines()]
    assert titles[:2] == ["模型与应用", "产品与功能更新"]  # enumerations dropped


def test_a_bad_layout_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["parse", "--layout", "item=h3,colour=red", str(FIXTURES / "zh-category-h4.md")])
    assert "--layout: unknown setting 'colour'" in str(exc.value.code)


def test_an_edition_without_stories_warns_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shape 7 of issue 11: 0 items and a warning naming the file, never an error."""
    page = tmp_path / "2025-08-16.md"
    page.write_text("# AI 日报 2025-08-16\n\n今日无更新。\n", encoding="utf-8")
    assert main(["parse", str(page)]) == 0
    captured = capsys.readouterr()
    assert "(markdown, 2025-08-16, 0 items)" in captured.out
    assert captured.err == (
        f"warning: {page}:1: no stories in this edition (it says “今日无更新”)\n"
    )


def test_html_pages_in_a_folder_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shape 6: an .html report next to markdown digests is read, not skipped."""
    (tmp_path / "report.html").write_bytes((FIXTURES / "html-sections.html").read_bytes())
    (tmp_path / "a.md").write_text("# A\n\n1. [Story](https://ex.com/s)\n", encoding="utf-8")
    assert main(["parse", "--json", str(tmp_path)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["format"] for r in records} == {"html", "markdown"}
    assert len(records) == 19
