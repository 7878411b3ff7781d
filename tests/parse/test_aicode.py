"""aicode.cc: `## section` / `### item` without the 深度解读 part; link-bullet sections."""

from __future__ import annotations

import datetime as dt

from notifier.parse import parse_text

DIGEST = """---
title: AI大模型开源竞赛与基础设施布局
date: 2025-12-24
summary: "- 智谱AI发布GLM-4.7\\n- Alphabet斥资47.5亿美元"
---
# AI大模型开源竞赛与基础设施布局

## 大模型技术突破

### 智谱AI发布 GLM-4.7

12月22日，智谱正式开源 [GLM-4.7](https://ex.com/glm)。表现：
- 在SWE-bench Verified中获得73.8%
- τ²-Bench得分87.4分

**深度解读 & 洞察：**
- 国产大模型已具备全球竞争力 [参考](https://ex.com/insight)

### 百度文心5.0登顶榜首

![cover](https://ex.com/cover.png)
百度文心5.0在LMArena登顶。

## 空栏目

## 广告

### 某课程限时五折

快来报名。

## 更多动态

- [ChatGPT推出年终回顾功能](https://news.aibase.com/zh/news/23923)：OpenAI推出年度回顾
- [重金挖角半年即传不和](https://news.aibase.com/zh/news/23932)
- 蚂蚁集团发布千亿参数医疗模型安诊儿
- [估值暴涨：Lovable完成B轮融资](https://news.aibase.com/zh/news/23930): Google入局
"""


def test_aicode_items() -> None:
    d = parse_text(DIGEST, "seeds/003.md")
    assert d.format == "aicode"
    assert d.source == "AI大模型开源竞赛与基础设施布局"
    assert d.date == dt.date(2025, 12, 24)
    got = [(i.rank, i.title, i.url, i.section) for i in d.items]
    assert got == [
        (1, "智谱AI发布 GLM-4.7", "https://ex.com/glm", "大模型技术突破"),
        (2, "百度文心5.0登顶榜首", None, "大模型技术突破"),
        (3, "ChatGPT推出年终回顾功能", "https://news.aibase.com/zh/news/23923", "更多动态"),
        (4, "重金挖角半年即传不和", "https://news.aibase.com/zh/news/23932", "更多动态"),
        (5, "蚂蚁集团发布千亿参数医疗模型安诊儿", None, "更多动态"),
        (6, "估值暴涨：Lovable完成B轮融资", "https://news.aibase.com/zh/news/23930", "更多动态"),
    ]


def test_summary_stops_at_insight_and_drops_markup() -> None:
    d = parse_text(DIGEST)
    assert d.items[0].summary.split("\n") == [
        "12月22日，智谱正式开源 GLM-4.7。表现：",
        "在SWE-bench Verified中获得73.8%",
        "τ²-Bench得分87.4分",
    ]
    assert d.items[0].hotness is None
    assert d.items[1].summary == "百度文心5.0在LMArena登顶。"


def test_bullet_summary_is_text_after_the_link() -> None:
    d = parse_text(DIGEST)
    by_title = {i.title: i.summary for i in d.items}
    assert by_title["ChatGPT推出年终回顾功能"] == "OpenAI推出年度回顾"
    assert by_title["重金挖角半年即传不和"] == ""
    assert by_title["估值暴涨：Lovable完成B轮融资"] == "Google入局"


def test_front_matter_summary_is_not_items() -> None:
    d = parse_text(DIGEST)
    assert all("Alphabet" not in i.title for i in d.items)


def test_plain_bullet_lists_are_not_items() -> None:
    d = parse_text(
        "---\ntitle: T\ncoverImage: x.png\n---\n# T\n\n## 动态\n\n- 第一点\n- 第二点\n\n"
        "### 真新闻\n\n正文\n"
    )
    assert [i.title for i in d.items] == ["真新闻"]
