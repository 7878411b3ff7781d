"""insight-daily: `## AI洞察日报 YYYY/M/D`, `### section`, items `【N】title` + body."""

from __future__ import annotations

import datetime as dt

from notifier.parse import parse_text

HEAD = "## AI洞察日报 2025/11/13\r\n\r\n>  `AI 日报` \r\n\r\n### 今日摘要\r\n\r\n"


def parse(body: str, origin: str = "daily/2025-11-13.md"):
    return parse_text(HEAD + body, origin)


def test_structure_source_date_section() -> None:
    d = parse("【1】AFFiNE\r\n次世代知识库。\r\n\r\n【2】nvm\r\nNode版本管理器\r\n")
    assert d.format == "insight-daily"
    assert d.source == "AI洞察日报 2025/11/13"
    assert d.date == dt.date(2025, 11, 13)
    assert [(i.rank, i.title, i.section) for i in d.items] == [
        (1, "AFFiNE", "今日摘要"),
        (2, "nvm", "今日摘要"),
    ]
    assert d.items[0].summary == "次世代知识库。"
    assert d.warnings == []


def test_zero_width_space_at_title_start_and_crlf() -> None:
    d = parse("【14】\u200b博流量无下限:一男子被行拘\r\n正文\r\n")
    assert d.items[0].title == "博流量无下限:一男子被行拘"
    assert "\r" not in d.items[0].summary


def test_url_is_first_non_image_url_with_entities_decoded() -> None:
    d = parse(
        "【1】Cursor 模型排行\n"
        "正文 [图片: https://pbs.twimg.com/media/G5m?format=jpg&#x26;name=orig] "
        "![x](https://ex.com/a.png) https://ex.com/b.jpg https://ex.com/story?a=1&#x26;b=2 "
        "https://ex.com/second\n"
    )
    item = d.items[0]
    assert item.url == "https://ex.com/story?a=1&b=2"
    assert "图片" not in item.summary
    assert "pbs.twimg" not in item.summary


def test_url_in_title_line_wins() -> None:
    d = parse(
        "【9】何同学的钢琴 https://www.youtube.com/watch?v=esY3iS4l3Xs\n正文 https://ex.com/x\n"
    )
    assert d.items[0].url == "https://www.youtube.com/watch?v=esY3iS4l3Xs"


def test_auto_linked_words_are_skipped() -> None:
    d = parse("【5】文件系统\n对话是文件（http://MEMORY.md），兼容 http://ASP.NET。\n")
    assert d.items[0].url is None


def test_no_url_gives_none() -> None:
    assert parse("【1】TrendRadar\n告别信息过载\n").items[0].url is None


def test_body_starting_with_hash_is_body_not_a_heading() -> None:
    d = parse("【1】第一条\n# 重磅：正文以井号开头\n\n【2】第二条\n#OpenAI 话题\n")
    assert [i.title for i in d.items] == ["第一条", "第二条"]
    assert d.items[0].summary == "# 重磅：正文以井号开头"
    assert d.items[1].section == "今日摘要"
    assert d.items[1].summary == "#OpenAI 话题"


def test_item_with_empty_body() -> None:
    d = parse("【6】blender-mcp\n\n\n【7】next\nbody\n")
    assert [(i.title, i.summary) for i in d.items] == [("blender-mcp", ""), ("next", "body")]


def test_truncated_title_stays_truncated() -> None:
    d = parse("【13】Cursor 最受欢迎 AI 模型排行 Sonnet 4....\nCursor 全文\n")
    assert d.items[0].title == "Cursor 最受欢迎 AI 模型排行 Sonnet 4...."


def test_placeholders_and_non_news_sections_are_not_items() -> None:
    d = parse(
        "【1】待更新\n\n【2】...\n\n【3】真新闻\n正文\n\n【4】TBD\n\n"
        "### 广告\n\n【5】买课程\n限时优惠\n\n### 播客\n\n【6】本期节目\n\n"
        "### 行业动态\n\n【7】回到新闻\n正文\n"
    )
    assert [(i.rank, i.title, i.section) for i in d.items] == [
        (1, "真新闻", "今日摘要"),
        (2, "回到新闻", "行业动态"),
    ]


def test_placeholder_edition_has_no_items_and_a_warning() -> None:
    d = parse("【1】待更新\n\n【2】暂无\n")
    assert d.format == "insight-daily"
    assert d.items == []
    assert d.warnings
    assert "no stories in this edition" in d.warnings[0]


def test_section_with_no_items() -> None:
    d = parse("【1】a\nb\n\n### 空栏目\n\n### 另一栏\n\n【2】c\nd\n")
    assert [(i.title, i.section) for i in d.items] == [("a", "今日摘要"), ("c", "另一栏")]


def test_date_from_file_name_when_heading_has_none() -> None:
    d = parse_text("### 今日摘要\n\n【1】a\nb\n", "daily/2026-01-20.md")
    assert d.date == dt.date(2026, 1, 20)
    assert d.source == "2026-01-20.md"
