"""Format detection: no flag, the content decides (file name and content type help)."""

from __future__ import annotations

import pytest

from notifier.parse import parse_text

CASES = {
    "insight-daily": "## AI洞察日报 2025/11/13\n\n### 今日摘要\n\n【1】标题\n正文\n",
    "72live": '---\ntitle: "x"\ndate: 2025-01-01\n---\n\n1.  [T](https://ex.com/t)\n\n    正文\n',
    "aicode": (
        "---\ntitle: x\n---\n# x\n\n## 栏目\n\n### 条目\n\n正文\n\n**深度解读 & 洞察：**\n- 观点\n"
    ),
    "deepgeek": "---\nlayout: post\ntitle: x\n---\n\n#### **快讯**\n\n1.  新闻。[原文链接](https://ex.com/1)\n",
    "markdown": "# Daily\n\n### Story\n\nBody text.\n",
    "rss": (
        '<rss version="2.0"><channel><title>T</title><item><title>A</title></item></channel></rss>'
    ),
    "atom": (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        "<entry><title>A</title></entry></feed>"
    ),
    "json": '[{"title": "A"}]',
    "jsonl": '{"title": "A"}\n{"title": "B"}\n',
}


@pytest.mark.parametrize("fmt", list(CASES))
def test_detected(fmt: str) -> None:
    result = parse_text(CASES[fmt])
    assert result.format == fmt
    assert result.items


def test_more_dates_in_headings_and_file_names() -> None:
    assert str(parse_text("# 日报 2025年3月7日\n\n### a\n\nb\n").date) == "2025-03-07"
    assert str(parse_text("# 日报\n\n### a\n\nb\n", "x/20251108.md").date) == "2025-11-08"
    assert parse_text("# 日报\n\n### a\n\nb\n").date is None
