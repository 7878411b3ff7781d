"""The title fingerprint: folding, units, decorations, stability."""

from __future__ import annotations

import random

import pytest

import notifier.dedup
from notifier.dedup import MAX_DISTANCE, fingerprint, fingerprint_text, hamming, title_units
from notifier.dedup.simhash import MAX_UNITS, to_signed
from notifier.items import Item
from tests.dedup.pairs import CORPUS, corpus_items

OPENAI_AWS = "OpenAI 与亚马逊签署 380 亿美元算力采购协议，进一步减少对微软依赖"
NVIDIA_EN = "Nvidia CEO says AI will actually make everyone a lot busier"


def test_exports() -> None:
    """The package exports exactly its public API."""
    assert sorted(notifier.dedup.__all__) == [
        "MAX_DISTANCE",
        "MIN_UNITS",
        "NearDuplicates",
        "WINDOW_SECONDS",
        "fingerprint",
        "fingerprint_text",
        "hamming",
        "source_family",
        "story_keys",
        "title_units",
    ]


def test_values_are_pinned() -> None:
    """Fingerprints are stored: the same title must give the same value in every version."""
    assert fingerprint_text(OPENAI_AWS) == 2028089622162006298
    assert fingerprint_text(NVIDIA_EN) == fingerprint_text(NVIDIA_EN.upper())
    assert fingerprint_text(NVIDIA_EN) == 4279739356354361915


def test_signed_int64() -> None:
    """Every fingerprint fits a signed 64-bit column, negative ones included."""
    values = [fingerprint_text(f"新闻标题第{i}条 story number {i}") for i in range(200)]
    assert all(v is not None and -(2**63) <= v < 2**63 for v in values)
    assert any(v is not None and v < 0 for v in values)
    assert to_signed(2**64 - 1) == -1
    assert to_signed(5) == 5


def test_item_fingerprint_is_its_title() -> None:
    """The summary does not change the fingerprint."""
    a = Item(id="a", title=OPENAI_AWS, summary="一段摘要")
    b = Item(id="b", title=OPENAI_AWS, summary="另一段完全不同的摘要")
    assert fingerprint(a) == fingerprint(b) == fingerprint_text(OPENAI_AWS)


@pytest.mark.parametrize(
    "title",
    [
        "",
        "   ",
        "nvm",
        "adk-go",
        "cursor-free-vip",
        "OpenAI 发布",
        "GPT-5.1 发布",
        "！？…",
        "🚀🔥",
    ],
)
def test_short_titles_have_none(title: str) -> None:
    """Fewer than five units: no fingerprint."""
    assert fingerprint_text(title) is None
    assert fingerprint(Item(id="x", title=title, summary="a long summary " * 20)) is None


@pytest.mark.parametrize(
    "title", ["OpenAI 发布 GPT-5.1", "快手可灵发布", "Apple ships a new chip", "谷歌发布新模型"]
)
def test_five_units_are_enough(title: str) -> None:
    """Five units (words, numbers or CJK characters) get a fingerprint."""
    assert len(title_units(title)) >= 5
    assert fingerprint_text(title) is not None


def test_units_of_mixed_text() -> None:
    """Latin words and numbers are units; each CJK character is one; punctuation is not."""
    assert title_units("OpenAI 发布 GPT-5.1，更智能！") == [
        "openai", "发", "布", "gpt", "5.1", "更", "智", "能",
    ]  # fmt: skip
    assert title_units("AI芯片") == ["ai", "芯", "片"]
    assert title_units("Ｈｅｌｌｏ，ＷＯＲＬＤ") == ["hello", "world"]
    assert title_units("Straße Café") == ["strasse", "café"]


def test_traditional_and_simplified_are_one_title() -> None:
    """Traditional characters and Taiwan/Hong Kong words fold to the mainland title."""
    assert fingerprint_text("輝達發表新一代晶片，軟體同步更新") == fingerprint_text(
        "英伟达发表新一代芯片，软件同步更新"
    )


@pytest.mark.parametrize(
    "decorated",
    [
        "【IT之家】" + OPENAI_AWS,
        "[快讯] " + OPENAI_AWS,
        "RT dotey: " + OPENAI_AWS,
        OPENAI_AWS + " | IT之家",
        OPENAI_AWS + " - 36氪",
        "🔥 " + OPENAI_AWS + " 🚀",
    ],
)
def test_publisher_decorations_are_ignored(decorated: str) -> None:
    """Column tags, retweet prefixes, a trailing publisher and emoji do not count."""
    assert fingerprint_text(decorated) == fingerprint_text(OPENAI_AWS)


def test_english_publisher_suffix() -> None:
    """The Fortune headline carried with and without its ``| Fortune`` suffix."""
    assert fingerprint_text(NVIDIA_EN + " | Fortune") == fingerprint_text(NVIDIA_EN)


def test_content_after_a_dash_is_kept() -> None:
    """A tail longer than a publisher name is part of the title."""
    assert title_units("开源推荐：Every Code - 多模型协作CLI")[-1] == "cli"
    assert title_units("GPT-5 - the model that changes everything")[-1] == "everything"


def test_a_title_that_is_only_a_decoration_keeps_it() -> None:
    """When dropping the decoration would leave too little, nothing is dropped."""
    assert title_units("【IT之家评测室】 显卡") == ["it", "之", "家", "评", "测", "室", "显", "卡"]


def test_long_titles_truncated_past_the_cap_match() -> None:
    """Two cuts of one long text, both past MAX_UNITS units, fingerprint the same."""
    text = (
        "Andrej Karpathy 分享「回顾性 Hacker News 讨论自动评分」 Andrej Karpathy 做了一个有趣的"
        " AI 实验：使用 GPT-5.1 Thinking API 对 2015.12 Hacker News 首页上的 930 篇热门文章"
    )
    assert len(title_units(text[:95])) > MAX_UNITS
    assert fingerprint_text(text[:95] + "...") == fingerprint_text(text + "…")


def test_english_stories_sharing_words_are_apart() -> None:
    """Two different OpenAI launches are far beyond the threshold."""
    a = fingerprint_text("OpenAI launches GPT-5.1 for developers in the API")
    b = fingerprint_text("OpenAI launches Sora 2 for Android users in the US")
    assert a is not None
    assert b is not None
    assert hamming(a, b) > MAX_DISTANCE


def test_hamming() -> None:
    """Signed and unsigned forms of a value are 0 bits apart."""
    assert hamming(-1, 2**64 - 1) == 0
    assert hamming(0, -1) == 64
    assert hamming(0b1011, 0b0001) == 2


# ------------------------------------------------------------------- property-style

_PUNCT = "，,。.！!？?：:；;、“”\"'《》()（）…~·"


def _vary(title: str, rng: random.Random) -> str:
    """Change case, width and punctuation of ``title``, nothing else."""
    out = []
    for i, ch in enumerate(title):
        between_digits = (
            0 < i < len(title) - 1 and title[i - 1].isdigit() and title[i + 1].isdigit()
        )
        if ch in _PUNCT and not between_digits and rng.random() < 0.7:
            ch = rng.choice(_PUNCT)
        if ch.isascii() and ch.isalpha() and rng.random() < 0.5:
            ch = ch.swapcase()
        if "!" <= ch <= "~" and ch not in "|-" and rng.random() < 0.3:
            ch = chr(ord(ch) + 0xFEE0)  # full-width form
        elif ch == " " and rng.random() < 0.3:
            ch = "\u3000"
        out.append(ch)
    if rng.random() < 0.5:
        out.append(rng.choice(_PUNCT))
    return "".join(out)


def _titles() -> list[str]:
    if CORPUS.is_dir():
        titles = [item.title for item in corpus_items()]
    else:  # pragma: no cover - the corpus is next to the repository
        titles = [OPENAI_AWS, NVIDIA_EN]
    # a leading `RT name:` is a decoration only with its colon
    return [t for t in titles if fingerprint_text(t) is not None and not t.startswith("RT ")]


def test_case_width_punctuation_never_change_the_fingerprint() -> None:
    """Every corpus title, varied 5 times at random: the fingerprint is identical."""
    rng = random.Random(20251213)
    titles = _titles()
    assert len(titles) > 300 or not CORPUS.is_dir()
    for title in titles:
        expected = fingerprint_text(title)
        for _ in range(5):
            varied = _vary(title, rng)
            assert fingerprint_text(varied) == expected, (title, varied)
