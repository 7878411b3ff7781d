"""deepgeek: Jekyll front matter, `#### **section**` + numbered lines, [原文链接] stories."""

from __future__ import annotations

import datetime as dt

from notifier.parse import parse_text

FM = """---
layout: post
title:  "AI日报 2025/12/1"
author: DeepGeekAI
categories: [ AI daliy ]
description: "OpenAI的Sora留存率低。
同时研究显示大模型面临"压力崩溃”的风险。"
featured: true
---

## AI日报 2025/12/1

### **今日摘要**

```
OpenAI的Sora留存率低且成本高昂。
1. 这不是条目。
```

### **今日AI资讯**

"""


def parse(body: str, origin: str = "_posts/2025-12-01-ai-daily-20251201.md"):
    return parse_text(FM + body, origin)


def test_invalid_front_matter_is_ignored_with_a_warning_naming_the_line() -> None:
    d = parse("#### **新闻快讯**\n\n1.  一条新闻。[原文链接](https://ex.com/1)\n")
    assert d.format == "deepgeek"
    assert d.warnings == [
        "_posts/2025-12-01-ai-daily-20251201.md:7: front matter is not valid YAML "
        "(did not find expected key); ignored"
    ]
    assert d.source == "AI日报 2025/12/1"  # the first heading, since front matter is ignored
    assert d.date == dt.date(2025, 12, 1)


def test_stories_run_to_their_link() -> None:
    d = parse(
        "#### **新闻快讯：行业动态**\n\n"
        "1.  来自多伦多的 **13岁少年** 创立了初创公司。[原文链接](https://ex.com/a) "
        "![图片描述](https://ex.com/a.png)\n"
        "2.  OpenAI 的 **Sora 2** 下载量达到 100万。留存率接近0%。\n"
        '3.  用户体验被批评为"像坐牢”。[原文链接](https://ex.com/b)\n'
        "4.  结尾没有链接的一条。\n"
        "5.  又一条没有链接的。\n\n"
        "#### **社交媒体**\n\n"
        "1.  **DeepSeek-V3.2** 正式版已发布. It beats GPT-5. 更多。[原文链接](https://ex.com/c)\n"
    )
    got = [(i.rank, i.title, i.url, i.section) for i in d.items]
    assert got == [
        (1, "来自多伦多的 13岁少年 创立了初创公司。", "https://ex.com/a", "新闻快讯：行业动态"),
        (2, "OpenAI 的 Sora 2 下载量达到 100万。", "https://ex.com/b", "新闻快讯：行业动态"),
        (3, "结尾没有链接的一条。", None, "新闻快讯：行业动态"),
        (4, "又一条没有链接的。", None, "新闻快讯：行业动态"),
        (5, "DeepSeek-V3.2 正式版已发布.", "https://ex.com/c", "社交媒体"),
    ]
    assert (
        d.items[1].summary
        == 'OpenAI 的 Sora 2 下载量达到 100万。留存率接近0%。\n用户体验被批评为"像坐牢”。'
    )
    assert "原文链接" not in d.items[0].summary
    assert "png" not in d.items[0].summary


def test_bold_title_with_indented_body() -> None:
    d = parse(
        "#### **新闻快讯**\n\n"
        "1.  **OpenAI Sora安卓版开发揭秘：85%代码由AI生成**\n"
        "    OpenAI官网分享了开发内幕。\n"
        "    [原文链接](https://www.aibase.com/zh/news/23667)\n"
        "    ![Sora App](https://pic.chinaz.com/a.jpg)\n\n"
        "2.  **Claude CLI工具误删用户主目录**\n"
        "    开发者清理代码时出事。\n"
        "    [原文链接](https://www.aibase.com/zh/news/23689)\n"
    )
    assert [(i.title, i.url, i.summary) for i in d.items] == [
        (
            "OpenAI Sora安卓版开发揭秘：85%代码由AI生成",
            "https://www.aibase.com/zh/news/23667",
            "OpenAI官网分享了开发内幕。",
        ),
        (
            "Claude CLI工具误删用户主目录",
            "https://www.aibase.com/zh/news/23689",
            "开发者清理代码时出事。",
        ),
    ]


def test_bold_paper_title_before_a_colon() -> None:
    d = parse(
        "#### **重要论文**\n\n"
        "1.  **Rethinking Sparse Autoencoders** (arXiv:2509.10809v2): 论文提出了 S&P。"
        "[原文链接](https://arxiv.org/abs/2509.10809)\n"
        "2.  **Claude Diary** 是一个开源项目，让 Claude 持续学习。[原文链接](https://ex.com/d)\n"
    )
    assert [i.title for i in d.items] == [
        "Rethinking Sparse Autoencoders",
        "Claude Diary 是一个开源项目，让 Claude 持续学习。",
    ]


def test_long_first_sentence_is_cut_at_120() -> None:
    long = "长" * 150
    d = parse(f"#### **新闻快讯**\n\n1.  {long}。[原文链接](https://ex.com/l)\n")
    assert d.items[0].title == "长" * 120 + "…"
    assert d.items[0].summary == long + "。"


def test_early_issue_without_links_one_story_per_line() -> None:
    d = parse_text(
        '---\nlayout: post\ntitle:  "AI日报 2025/11/9"\n---\n\n## AI日报 2025/11/9\n\n'
        "### **今日摘要**\n\n```\n摘要。\n```\n\n### **今日AI资讯**\n\n"
        "1.  **蚂蚁集团**进行了战略调整。\n2.  开源项目**strix**提供工具。\n3.Text 没有空格。\n",
        "_posts/2025-11-09-ai-daily-20251109.md",
    )
    assert [(i.title, i.url, i.section) for i in d.items] == [
        ("蚂蚁集团进行了战略调整。", None, "今日AI资讯"),
        ("开源项目strix提供工具。", None, "今日AI资讯"),
        ("Text 没有空格。", None, "今日AI资讯"),
    ]
    assert d.date == dt.date(2025, 11, 9)
    assert d.source == "AI日报 2025/11/9"
    assert d.warnings == []


def test_summary_list_under_today_summary_heading_is_not_items() -> None:
    d = parse_text(
        "---\nlayout: post\ntitle: x\n---\n\n### **今日摘要**\n\n1.  摘要一。\n\n"
        "### **今日AI资讯**\n\n1.  新闻一。\n"
    )
    assert [i.title for i in d.items] == ["新闻一。"]
