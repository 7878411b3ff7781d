"""Every real digest parses: right family, sensible counts, clean text, no non-news items.

The exact (title, url) of every item is checked by tests/corpus; this file checks the
properties that must hold for any digest.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from notifier.parse import iter_digests, parse_path

# family and item count of every corpus digest
EXPECTED = {
    "72live/20250510.md": ("72live", 19),
    "72live/20250706.md": ("72live", 6),
    "72live/20250905.md": ("72live", 5),
    "72live/20251003.md": ("72live", 10),
    "72live/20251108.md": ("72live", 5),
    "72live/20251204.md": ("72live", 12),
    "deepgeek/2025-11-09-ai-daily-20251109.md": ("deepgeek", 15),
    "deepgeek/2025-11-24-ai-daily-20251124.md": ("deepgeek", 9),
    "deepgeek/2025-12-05-ai-daily-20251205.md": ("deepgeek", 16),
    "deepgeek/2025-12-08-ai-daily-20251208.md": ("deepgeek", 30),
    "deepgeek/2025-12-15-ai-daily-20251215.md": ("deepgeek", 22),
    "insight-daily/2025-10-27.md": ("insight-daily", 6),
    "insight-daily/2025-11-22.md": ("insight-daily", 18),
    "insight-daily/2025-12-11.md": ("insight-daily", 18),
    "insight-daily/2026-01-20.md": ("insight-daily", 18),
    "insight-daily/2026-02-12.md": ("insight-daily", 18),
    "insight-daily/2026-03-05.md": ("insight-daily", 12),
    "seeds/000_76919eb06700c760.md": ("insight-daily", 18),
    "seeds/001_5123701500b1e2ac.md": ("72live", 12),
    "seeds/002_d85c08ec3657f8d1.md": ("72live", 10),
    "seeds/003_f6250e45bcf54e24.md": ("aicode", 57),
    "seeds/004_0043a568b69fdee7.md": ("deepgeek", 26),
}
# Text that belongs to commentary / the day's summary, never to an item.
NOT_NEWS = [
    "今天的几条新闻串起来看",  # 72live 点评
    "今日AI进展呈现",  # 72live **点评：**
    "今日全球AI领域风起云涌",  # 72live intro
    "国产大模型在专业编程领域已具备全球竞争力",  # aicode 深度解读
    "蚂蚁集团全面押注大健康AI赛道，谷歌Nano Banana 2生成速度",  # deepgeek 今日摘要
]
MARKUP = re.compile(r"\*\*|\]\(|!\[|\[图片:|&#x26;|&amp;|[\u200b-\u200d\u2060\ufeff\r]")


def _rel(path: Path, corpus: Path) -> str:
    return path.relative_to(corpus).as_posix()


def test_every_corpus_digest_is_listed(corpus: Path) -> None:
    assert {_rel(p, corpus) for p in corpus.glob("*/*.md")} - {"README.md"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_digest(corpus: Path, name: str) -> None:
    d = parse_path(corpus / name)
    family, count = EXPECTED[name]
    assert (d.format, len(d.items)) == (family, count)
    assert isinstance(d.date, dt.date)
    assert d.source
    assert [i.rank for i in d.items] == list(range(1, count + 1))
    if name.startswith("seeds/004"):
        assert len(d.warnings) == 1
        assert ":10: front matter is not valid YAML" in d.warnings[0]
    else:
        assert d.warnings == []
    for item in d.items:
        assert item.title.strip() == item.title
        assert item.title
        assert "\n" not in item.title
        assert not MARKUP.search(item.title), item.title
        assert not MARKUP.search(item.summary), item.summary[:80]
        assert item.url is None or item.url.startswith(("http://", "https://"))
        assert item.url is None or "&#" not in item.url
        assert item.date == d.date
        assert item.source == d.source
        for text in NOT_NEWS:
            assert text not in item.title
            assert text not in item.summary
    assert len({i.id for i in d.items}) == count


def test_hn_scores_become_hotness(corpus: Path) -> None:
    d = parse_path(corpus / "seeds/000_76919eb06700c760.md")
    assert (d.items[1].title, d.items[1].hotness) == (
        "由于人工智能数据中心引发硬盘短缺，硬盘已缺货两年",
        151,
    )
    hot = [
        (i.rank, i.hotness)
        for i in parse_path(corpus / "insight-daily/2025-11-22.md").items
        if i.hotness
    ]
    assert hot == [(7, 30), (9, 27), (10, 62), (11, 21), (12, 29)]


def test_whole_corpus_is_fast(corpus: Path) -> None:
    list(iter_digests(str(corpus)))  # warm up imports
    start = time.perf_counter()
    results = list(iter_digests(str(corpus)))
    elapsed = time.perf_counter() - start
    assert len(results) == len(EXPECTED)
    assert elapsed < 0.5, f"{elapsed * 1000:.0f} ms"
