"""Long digests (issue 11, shape 8): numbering past 999 loses nothing, in every shape."""

from __future__ import annotations

import pytest

from notifier.parse import parse_text

N = 1_500


def _numbered_list() -> str:
    return "# Daily\n\n" + "\n".join(
        f"{i}. [Story {i}](https://ex.com/{i})" for i in range(1, N + 1)
    )


def _numbered_headings() -> str:
    parts = ["# Daily", ""]
    for i in range(1, N + 1):
        parts += [
            f"## {i}. Story {i}",
            "",
            f"**原文链接**: https://ex.com/{i}",
            "",
            f"正文 {i}。",
            "",
        ]
    return "\n".join(parts)


def _insight() -> str:
    body = "\n\n".join(f"【{i}】Story {i}\n正文 https://ex.com/{i}" for i in range(1, N + 1))
    return "## AI洞察日报 2025/11/13\n\n### 今日摘要\n\n" + body + "\n"


def _deepgeek() -> str:
    body = "\n".join(f"{i}.  **Story {i}**：第 {i} 条。" for i in range(1, N + 1))
    return "---\nlayout: post\n---\n\n#### **今日AI资讯**\n\n" + body + "\n"


def _no_space() -> str:
    return "# 日报\n\n" + "\n".join(
        f"{i}、[Story {i}](https://ex.com/{i})" for i in range(1, N + 1)
    )


def _table() -> str:
    rows = "\n".join(
        f"| {i} | [Story {i}](https://ex.com/{i}) | {i * 10} |" for i in range(1, N + 1)
    )
    return "# 热榜\n\n| 排名 | 标题 | 热度 |\n|---|---|---|\n" + rows + "\n"


def _html() -> str:
    rows = "".join(f'<li><a href="https://ex.com/{i}">Story {i}</a></li>' for i in range(1, N + 1))
    return f"<!DOCTYPE html><html><body><h1>Daily</h1><ul>{rows}</ul></body></html>"


SHAPES = {
    "numbered list": _numbered_list,
    "numbered headings": _numbered_headings,
    "insight-daily": _insight,
    "deepgeek": _deepgeek,
    "1、 numbering": _no_space,
    "table": _table,
    "html": _html,
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_story_of_a_long_digest_is_read(shape: str) -> None:
    d = parse_text(SHAPES[shape](), f"{shape}.md")
    assert len(d.items) == N
    assert d.items[-1].title == f"Story {N}"
    assert d.items[999].title == "Story 1000"
    assert len({item.id for item in d.items}) == N
    assert d.warnings == []
