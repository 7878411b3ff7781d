"""DingTalk/WeCom rendering: the fast text helpers and the linear packing decide as before."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from typing import Any

import pytest

from channels._robot import _RTL_BLOCKS, Sizes, _pack_each, clean, isolate, pack_entries
from channels.base import Entry, Message
from channels.dingtalk import DingTalkChannel
from channels.render import code_points, cut, utf8_len
from channels.wecom import WeComChannel

DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=test-token"
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test-key"


def test_rtl_blocks_hold_every_right_to_left_character() -> None:
    rtl = [chr(cp) for cp in range(0x110000) if unicodedata.bidirectional(chr(cp)) in ("R", "AL")]
    assert rtl
    assert all(_RTL_BLOCKS.fullmatch(ch) for ch in rtl)


@pytest.mark.parametrize(
    ("text", "wrapped"),
    [("שלום", True), ("مرحبا", True), ("a\u200fb", True), ("AI 芯片 😀", False), ("", False)],
)
def test_isolate(text: str, wrapped: bool) -> None:
    assert (isolate(text) == f"\u2068{text}\u2069") is wrapped


def test_clean_drops_control_characters_keeps_spaces() -> None:
    every = "".join(map(chr, range(0x2100)))
    kept = "".join(ch for ch in every if unicodedata.category(ch) != "Cc" or ch.isspace())
    assert clean(every) == " ".join(kept.split())
    assert clean("a\x00b\x1b[0m\tc\u0085d\ud800") == "ab[0m c d?"


@pytest.mark.parametrize("measure", [utf8_len, code_points])
def test_cut_fast_paths_agree_with_the_binary_search(measure: Any) -> None:
    rnd = random.Random(3)
    for _ in range(2000):
        text = "".join(rnd.choice("ab 长😀é") for _ in range(rnd.randint(0, 40)))
        limit = rnd.randint(0, 60)
        # A wrapper is not `measure` itself: cut falls back to its binary search.
        assert cut(text, limit, measure) == cut(text, limit, lambda t: measure(t))


# -- packing ----------------------------------------------------------------------------------


def _entries(sizes: Sequence[int]) -> list[Entry]:
    return [Entry("x" * n, url=f"https://e.com/{i}") for i, n in enumerate(sizes)]


def _oracle(limit: int, base: int) -> Any:
    def fits(entries: Sequence[Entry], start: int, first: bool) -> bool:
        extra = 50 if first else 0  # the free text of the first payload
        return base + extra + sum(len(e.title) + 2 for e in entries) <= limit

    return fits


@pytest.mark.parametrize("error", [0, -7, 7, -100, 100])
@pytest.mark.parametrize("max_count", [None, 3])
def test_pack_with_any_model_decides_as_the_oracle(error: int, max_count: int | None) -> None:
    """Exact, low or high, the model changes how often fits runs, never the parts."""
    rnd = random.Random(error)
    for _ in range(200):
        sizes_ = [rnd.randint(1, 120) for _ in range(rnd.randint(1, 40))]
        entries = _entries(sizes_)
        fits = _oracle(300, 20)
        model = Sizes(
            room=lambda start, first: 300 - 20 - (50 if first else 0) + error,
            entry=lambda e, index: len(e.title) + 2,
        )
        expected = _pack_each(entries, fits, max_count)
        assert pack_entries(entries, fits, max_count=max_count, sizes=model) == expected


def test_pack_checks_each_payload_a_few_times_not_each_entry() -> None:
    entries = _entries([10] * 300)
    calls = 0
    oracle = _oracle(1000, 0)

    def fits(es: Sequence[Entry], start: int, first: bool) -> bool:
        nonlocal calls
        calls += 1
        return bool(oracle(es, start, first))

    model = Sizes(
        room=lambda start, first: 1000 - (50 if first else 0),
        entry=lambda e, index: len(e.title) + 2,
    )
    parts = pack_entries(entries, fits, sizes=model)
    assert sum(len(es) for _, es in parts) == 300
    assert calls <= 3 * len(parts)


# -- whole messages -----------------------------------------------------------------------------


def _message(count: int, seed: int) -> Message:
    rnd = random.Random(seed)
    hostile = ["<b>&amp;</b> *x* _y_ [z](u) `c`", "שלום مرحبا", "😀🚀", "# 1. > -", "长" * 900]
    entries = []
    for i in range(count):
        title = f"{rnd.choice(hostile)} OpenAI 发布 #{i}"
        summary = rnd.choice(hostile) * rnd.randint(0, 3)
        url = None if rnd.random() < 0.1 else f"https://example.com/{i}?q=(x)"
        entries.append(Entry(title, url=url, summary=summary, source="36氪", rule="ai", score=2))
    return Message(tuple(entries), title="AI 早报", text="free text\nsecond line" * (seed % 2))


@pytest.mark.parametrize("fmt", ["markdown", "markdown_v2", "text"])
def test_wecom_parts_stay_under_the_byte_limit(fmt: str) -> None:
    channel = WeComChannel("w", {"webhook": WECOM_URL, "format": fmt})
    for seed in range(4):
        message = _message(150, seed)
        parts = channel.render(message)
        assert sum(p.entries for p in parts) == 150
        for part in parts:
            assert utf8_len(part.payload[fmt]["content"]) <= channel.limits[fmt]


@pytest.mark.parametrize("fmt", ["markdown", "actionCard"])
def test_dingtalk_parts_stay_under_the_body_limit(fmt: str) -> None:
    from channels._robot import encode

    channel = DingTalkChannel("d", {"webhook": DINGTALK_URL, "format": fmt})
    for seed in range(4):
        parts = channel.render(_message(150, seed))
        assert sum(p.entries for p in parts) == 150
        assert all(len(encode(p.payload)) <= channel.max_body for p in parts)
