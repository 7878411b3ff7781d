"""canonical_url: the same story linked two ways gets the same item id."""

from __future__ import annotations

import pytest

from notifier.items import item_id
from notifier.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM:443/a/b?", "https://example.com/a/b"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x#frag", "http://example.com:8080/x"),
        ("https://ex.com/p?b=2&a=1", "https://ex.com/p?a=1&b=2"),
        ("https://ex.com/p?utm_source=x&utm_medium=y&id=7", "https://ex.com/p?id=7"),
        ("https://36kr.com/p/3535560529451913?f=rss", "https://36kr.com/p/3535560529451913"),
        ("https://ex.com/p?f=pdf", "https://ex.com/p?f=pdf"),
        ("https://ex.com/p?source=rss&x=1", "https://ex.com/p?x=1"),
        ("https://ex.com/p?source=home", "https://ex.com/p?source=home"),
        ("https://ex.com/p?spm=a.b.c&from=timeline&ref=hn", "https://ex.com/p"),
        ("https://ex.com/p?share_token=1&fbclid=2&gclid=3&mc_cid=4&mc_eid=5", "https://ex.com/p"),
        ("https://ex.com/p?a=1&#x26;utm_campaign=z", "https://ex.com/p?a=1"),
        ("//ex.com/p", "https://ex.com/p"),
        ("https://x.com/user/status/1?s=20&t=abc", "https://x.com/user/status/1"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_wechat_keeps_article_params_and_drops_tracking() -> None:
    url = (
        "http://mp.weixin.qq.com/s?__biz=MzI3MTA0MTk1MA==&amp;mid=2652650209&amp;idx=1"
        "&amp;sn=d90a169ab6722f6bd442a0867f378a8a&amp;chksm=f06aa58995c8&amp;scene=0"
        "&amp;xtrack=1#rd"
    )
    assert canonical_url(url) == (
        "http://mp.weixin.qq.com/s?__biz=MzI3MTA0MTk1MA==&idx=1&mid=2652650209"
        "&sn=d90a169ab6722f6bd442a0867f378a8a"
    )


def test_raw_encoding_of_kept_params_is_preserved() -> None:
    assert canonical_url("https://ex.com/s?q=a%20b&x=%E4%B8%AD") == (
        "https://ex.com/s?q=a%20b&x=%E4%B8%AD"
    )


@pytest.mark.parametrize(
    "url", ["", None, "mailto:a@b.c", "javascript:alert(1)", "ftp://ex.com/f", "http://", "x"]
)
def test_not_a_web_url(url: str | None) -> None:
    assert canonical_url(url) is None


def test_invalid_port_or_host_is_none() -> None:
    assert canonical_url("http://ex.com:99999/") is None
    assert canonical_url("http://[::1/") is None


def test_same_story_same_id() -> None:
    a = canonical_url("https://Ex.com/story?utm_source=feed&id=1#top")
    b = canonical_url("https://ex.com:443/story?id=1")
    assert a == b
    assert item_id(a, "t1", "s1") == item_id(b, "t2", "s2")
