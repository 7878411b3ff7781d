"""RSS 2.0 and Atom through feedparser: one item per entry."""

from __future__ import annotations

import datetime as dt

import pytest

from notifier.errors import DigestError
from notifier.parse import parse_bytes, parse_text

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Hacker News: Front Page</title>
    <link>https://news.ycombinator.com/</link>
    <item>
      <title>Hard drives on backorder (151 points)</title>
      <link>https://ex.com/hdd?utm_source=hnrss&amp;id=7</link>
      <description><![CDATA[<p>Article &amp; <b>more</b></p><p>Points: 151</p>]]></description>
      <pubDate>Thu, 13 Nov 2025 08:00:00 +0000</pubDate>
      <category>Hardware</category>
      <category>Storage</category>
    </item>
    <item>
      <title>Second &amp; last</title>
      <link>https://ex.com/second</link>
      <description>Plain text</description>
    </item>
    <item>
      <title></title>
      <link>https://ex.com/untitled</link>
    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>AI Weekly</title>
  <updated>2025-12-08T10:00:00Z</updated>
  <entry>
    <title type="html">GPT-6 &lt;em&gt;ships&lt;/em&gt;</title>
    <link href="https://ex.com/gpt6"/>
    <updated>2025-12-07T09:00:00Z</updated>
    <published>2025-12-06T09:00:00Z</published>
    <category term="Models"/>
    <content type="html">&lt;p&gt;Long &lt;a href="x"&gt;body&lt;/a&gt;.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Chips</title>
    <link href="https://ex.com/chips"/>
    <summary>Short summary</summary>
  </entry>
</feed>
"""


def test_rss() -> None:
    d = parse_text(RSS, "hn.xml")
    assert d.format == "rss"
    assert d.source == "Hacker News: Front Page"
    first, second = d.items
    assert (first.rank, first.title, first.url) == (
        1,
        "Hard drives on backorder",
        "https://ex.com/hdd?utm_source=hnrss&id=7",
    )
    assert first.hotness == 151
    assert first.summary == "Article & more\nPoints: 151"
    assert first.section == "Hardware"
    assert first.date == dt.date(2025, 11, 13)
    assert (second.rank, second.title, second.hotness) == (2, "Second & last", None)
    assert second.date == dt.date(2025, 11, 13)  # the feed's date when the entry has none
    assert d.warnings == ["hn.xml:1: feed entry 3 has no title; skipped"]


def test_atom() -> None:
    d = parse_text(ATOM)
    assert d.format == "atom"
    assert d.source == "AI Weekly"
    assert d.date == dt.date(2025, 12, 8)
    first, second = d.items
    assert (first.title, first.url, first.section) == (
        "GPT-6 ships",
        "https://ex.com/gpt6",
        "Models",
    )
    assert first.summary == "Long body."
    assert first.date == dt.date(2025, 12, 6)  # published first
    assert (second.title, second.summary) == ("Chips", "Short summary")


def test_feed_bytes_in_declared_encoding() -> None:
    data = RSS.replace("UTF-8", "GB18030").replace("Second &amp; last", "第二条").encode("gb18030")
    d = parse_bytes(data, "gbk.rss")
    assert [i.title for i in d.items] == ["Hard drives on backorder", "第二条"]


def test_feed_detected_by_extension_and_content_type() -> None:
    body = RSS.split("\n", 1)[1]  # no XML declaration
    assert parse_text(body, "feed.rss").format == "rss"
    assert parse_bytes(body.encode(), "u", content_type="application/rss+xml").format == "rss"


def test_broken_feed_keeps_what_it_read() -> None:
    d = parse_text(RSS.replace("</channel>\n</rss>\n", ""), "cut.xml")
    assert [i.title for i in d.items] == ["Hard drives on backorder", "Second & last"]
    assert any("feed is not well-formed" in w for w in d.warnings)


def test_not_a_feed_at_all() -> None:
    with pytest.raises(DigestError) as exc:
        parse_text("<?xml version='1.0'?><<<", "bad.xml")
    assert "not a valid RSS/Atom feed" in exc.value.reason


def test_empty_feed_has_no_items_and_a_warning() -> None:
    d = parse_text('<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "q.xml")
    assert d.items == []
    assert d.source == "Quiet"
    assert d.warnings == ["q.xml:1: no items found in this feed"]
