"""72live: Hugo front matter, `N.  [Title](url)` + indented body, commentary not news."""

from __future__ import annotations

import datetime as dt

from notifier.parse import parse_text

FM = '---\ntitle: "2025.11.04 全球AI新闻速递"\ndate: 2025-11-04T09:20:00+08:00\n---\n\n'


def test_items_from_numbered_links() -> None:
    d = parse_text(
        FM + "今日导语，不是新闻。\n\n---\n\n"
        "1.  [OpenAI 签署 380 亿美元协议](https://www.ithome.com/0/894/614.htm)\n\n"
        "    OpenAI与AWS达成**380亿美元**协议。\n    第二行。\n\n\n"
        "2.  [**OpenAI以5000亿美元估值完成股票出售**](https://36kr.com/p/1?f=rss)\n\n"
        "    正文二。\n",
        "72live/20251104.md",
    )
    assert d.format == "72live"
    assert d.source == "2025.11.04 全球AI新闻速递"
    assert d.date == dt.date(2025, 11, 4)
    assert [(i.rank, i.title, i.url, i.section) for i in d.items] == [
        (1, "OpenAI 签署 380 亿美元协议", "https://www.ithome.com/0/894/614.htm", None),
        (2, "OpenAI以5000亿美元估值完成股票出售", "https://36kr.com/p/1?f=rss", None),
    ]
    assert d.items[0].summary == "OpenAI与AWS达成380亿美元协议。 第二行。"
    assert d.items[1].id != d.items[0].id


def test_link_text_with_parentheses_and_brackets() -> None:
    d = parse_text(
        FM + "1.  [Razr Ultra (2025) 评测](https://ex.com/razr)\n\n    体验。\n"
        "2.  [美国成立 AI 安全委员会 (NAISC)](https://ex.com/naisc)\n\n    正文。\n"
    )
    assert [(i.title, i.url) for i in d.items] == [
        ("Razr Ultra (2025) 评测", "https://ex.com/razr"),
        ("美国成立 AI 安全委员会 (NAISC)", "https://ex.com/naisc"),
    ]


def test_number_without_space_and_indented_body_starting_with_hash() -> None:
    d = parse_text(
        FM + "1.[标题一](https://ex.com/1)\n\n    # 不是标题\n\n2.[标题二](https://ex.com/2)\n"
    )
    assert [i.title for i in d.items] == ["标题一", "标题二"]
    assert d.items[0].summary == "# 不是标题"


def test_commentary_heading_and_bold_line_are_not_news() -> None:
    d = parse_text(
        FM + "1.  [新闻](https://ex.com/1)\n\n    正文。\n\n---\n\n### 点评\n\n"
        "1.  [被点评的旧闻](https://ex.com/old)\n\n今天的新闻很有意思。\n\n"
        "### 行业新闻\n\n2.  [回到新闻](https://ex.com/2)\n\n**点评：**\n\n"
        "3.  [点评里的列表](https://ex.com/3)\n"
    )
    assert [i.title for i in d.items] == ["新闻", "回到新闻"]
    assert d.items[1].section == "行业新闻"
    assert all("很有意思" not in i.summary for i in d.items)


def test_unheaded_commentary_after_rule_is_not_summary() -> None:
    d = parse_text(
        FM + "1.  [新闻](https://ex.com/1)\n\n    正文。\n\n---\n\n串起来看，很有意思。\n"
    )
    assert d.items[0].summary == "正文。"


def test_entity_in_url_is_decoded() -> None:
    d = parse_text(FM + "1.  [A &amp; B](https://ex.com/?a=1&#x26;b=2)\n")
    assert (d.items[0].title, d.items[0].url) == ("A & B", "https://ex.com/?a=1&b=2")


def test_placeholder_entries_are_skipped() -> None:
    d = parse_text(FM + "1.  待更新\n2.  -\n3.  [真的](https://ex.com/3)\n")
    assert [(i.rank, i.title) for i in d.items] == [(1, "真的")]
