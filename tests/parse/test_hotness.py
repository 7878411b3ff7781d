"""Hacker News scores inside titles (every spelling of docs/items.md) become hotness."""

from __future__ import annotations

import pytest

from notifier.parse import parse_text
from notifier.parse.hotness import body_hotness, split_hotness


@pytest.mark.parametrize(
    ("title", "clean", "points"),
    [
        ("硬盘已缺货两年（得分：19 小时内 151+）", "硬盘已缺货两年", 151),
        ("硬盘已缺货两年 (得分: 151)", "硬盘已缺货两年", 151),
        ("硬盘已缺货两年 评分: 151", "硬盘已缺货两年", 151),
        ("硬盘已缺货两年 得分：151", "硬盘已缺货两年", 151),
        ("硬盘已缺货两年（151 分）", "硬盘已缺货两年", 151),
        ("Hard drives on backorder 151 points", "Hard drives on backorder", 151),
        ("Hard drives on backorder (151 points)", "Hard drives on backorder", 151),
        ("Hard drives (151 points, 40 comments)", "Hard drives", 151),
        ("Show HN: x | 评分: 1,204", "Show HN: x", 1204),
        ("（得分：151，19 小时）结尾", "结尾", 151),
    ],
)
def test_title_spellings(title: str, clean: str, points: int) -> None:
    assert split_hotness(title) == (clean, points)


@pytest.mark.parametrize(
    "title",
    [
        "GPT-5 scores 20 points higher than GPT-4 on MMLU",  # not at the end
        "τ²-Bench得分87.4分",  # no colon
        "Kimi（2025）发布",  # a year in parentheses
        "会议持续（3 分钟）",  # minutes, not points
        "DeepSeek V3.2",
    ],
)
def test_titles_without_scores_are_untouched(title: str) -> None:
    assert split_hotness(title) == (title, None)


def test_hours_never_taken_for_points() -> None:
    assert split_hotness("x（得分：19 小时内）")[1] is None


def test_body_scores() -> None:
    assert body_hotness("原标题： 《Telnet》 评分: 22 | 作者: ericpauley") == 22
    assert body_hotness("<p>Points: 12</p>") == 12
    assert body_hotness("在 MMLU 上得分 90 分") is None


def test_insight_item_takes_title_score_then_body_score() -> None:
    digest = parse_text(
        "## AI洞察日报 2025/11/13\n\n### 今日摘要\n\n"
        "【1】由于 AI 数据中心引发硬盘短缺（得分：19 小时内 151+）\n"
        "由于 AI 数据中心引发硬盘短缺（得分：19 小时内 151+） https://readhacker.news/s/6Fms5\n\n"
        "【2】😏 Telnet 未死\n原标题： 《Telnet》 评分: 22 | 作者: ericpauley\n\n"
        "【3】普通新闻\n正文\n"
    )
    got = [(i.title, i.hotness) for i in digest.items]
    assert got == [
        ("由于 AI 数据中心引发硬盘短缺", 151),
        ("😏 Telnet 未死", 22),
        ("普通新闻", None),
    ]
    assert digest.items[0].url == "https://readhacker.news/s/6Fms5"
