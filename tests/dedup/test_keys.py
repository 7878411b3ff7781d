"""story_keys: the exact keys the store holds for an item."""

from __future__ import annotations

from notifier.dedup import source_family, story_keys
from notifier.items import Item, item_id
from notifier.urls import canonical_url


def _item(title: str, url: str | None = None, source: str = "") -> Item:
    return Item(id=item_id(canonical_url(url), title, source), title=title, url=url, source=source)


def test_url_item_keys() -> None:
    """An item with a URL: its id and a URL key, no title key."""
    item = _item(
        "OpenAI 与亚马逊签署 380 亿美元算力采购协议", "https://www.ithome.com/0/894/614.htm"
    )
    keys = story_keys(item)
    assert keys[0] == item.id
    assert len(keys) == 2
    assert keys[1].startswith("u:")


def test_same_url_from_two_sources_collides() -> None:
    """The same link with tracking parameters, from two publishers: shared keys."""
    a = _item("标题甲", "https://36kr.com/p/3535560529451913?f=rss", "2025.11.04 全球AI新闻速递")
    b = _item(
        "Title B", "https://36kr.com/p/3535560529451913?utm_source=x", "AI洞察日报 2025/11/13"
    )
    assert set(story_keys(a)) == set(story_keys(b))


def test_recurring_title_with_new_urls_are_new_stories() -> None:
    """A weekly column title with two URLs shares no key."""
    a = _item("This week in AI: the biggest stories", "https://example.com/2025/12/01/week")
    b = _item("This week in AI: the biggest stories", "https://example.com/2025/12/08/week")
    assert not set(story_keys(a)) & set(story_keys(b))


def test_same_headline_without_url_from_two_sources() -> None:
    """A URL-less headline: one title key whatever the source, case, width or decoration."""
    a = _item(
        "智谱AI发布 GLM-4.7，新一代开源编码大模型性能跃升", source="AI大模型开源竞赛与基础设施布局"
    )
    b = _item(
        "【快讯】智谱ＡＩ发布GLM-4.7：新一代开源编码大模型性能跃升！", source="AI日报 2025/12/24"
    )
    assert a.id != b.id
    shared = set(story_keys(a)) & set(story_keys(b))
    assert len(shared) == 1
    assert next(iter(shared)).startswith("t:")


def test_short_title_key_is_per_publisher() -> None:
    """``nvm`` in two editions of one digest is one story; from another publisher it is not."""
    a = _item("nvm", source="AI洞察日报 2025/11/13")
    b = _item("nvm", source="AI洞察日报 2025/11/22")
    c = _item("nvm", source="2025.11.04 全球AI新闻速递")
    assert a.id != b.id
    assert set(story_keys(a)) & set(story_keys(b))
    assert not set(story_keys(a)) & set(story_keys(c))


def test_no_title_and_no_source() -> None:
    """Nothing to key on but the id."""
    assert story_keys(_item("")) == (item_id(None, "", ""),)
    assert story_keys(_item("nvm")) == (item_id(None, "nvm", ""),)
    assert story_keys(_item("", source="AI日报 2025/12/8")) == (
        item_id(None, "", "AI日报 2025/12/8"),
    )


def test_source_family() -> None:
    """Dates, numbers, months and weekdays are not part of the publisher."""
    assert source_family("AI洞察日报 2025/11/22") == source_family("AI洞察日报 2025/11/13")
    assert source_family("2025.11.04 全球AI新闻速递") == "全 球 ai 新 闻 速 递"
    assert source_family("AI Daily — Mon, March 5") == source_family("AI Daily - Tue, April 1")
    assert source_family("") == ""
