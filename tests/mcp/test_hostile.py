"""Hostile calls to a real ``notifier mcp``: each gets a tool error with a clear one-line
message, and the server keeps serving the same session."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.mcp.live import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")

REDOS = [r"/(a+)+$/", r"/(a|aa)*b/", r"/(\w+\s?)*$/", r"/a.*b.*c.*d/", r"/x*x*x*y/"]


async def expect(live: Live, tool: str, words: tuple[str, ...], **arguments: Any) -> None:
    message = await live.error(tool, **arguments)
    assert message.startswith(tool) or "Unknown tool" in message, message
    assert len(message) <= 400, message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("x" * 100_000, ("at most 2000",)),
        ("", ("at least 1",)),
        ('"unterminated', ("quote",)),
        ("!广告", ("only excluded",)),
        *((r, ("regex",)) for r in REDOS),
    ],
)
async def test_bad_queries(live: Live, query: str, words: tuple[str, ...]) -> None:
    await expect(live, "search_stories", words, query=query)


@pytest.mark.parametrize("rule", REDOS)
async def test_redos_rules_are_refused_everywhere(live: Live, rule: str) -> None:
    await expect(live, "test_rule", ("regex",), rule=rule)
    await expect(live, "explain", ("regex",), story_id=1, rule=rule)
    yaml_rule = f"name: r\nregex: ['{rule.strip('/')}']"
    await expect(live, "test_rule", ("regex",), rule=yaml_rule)


async def test_a_yaml_bomb_is_refused(live: Live) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    await expect(live, "test_rule", (), rule=bomb + "name: boom\nany: [x]")


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"query": "OpenAI", "days": 0}, ("days", "greater than or equal to 1")),
        ({"query": "OpenAI", "days": 91}, ("days", "less than or equal to 90")),
        ({"query": "OpenAI", "limit": 0}, ("limit",)),
        ({"query": "OpenAI", "limit": 10**9}, ("limit",)),
        ({"query": 12345}, ("query",)),
        ({"query": "OpenAI", "source": "s" * 1000}, ("source",)),
        ({}, ("query", "required")),
    ],
)
async def test_out_of_bounds_arguments(
    live: Live, arguments: dict[str, Any], words: tuple[str, ...]
) -> None:
    await expect(live, "search_stories", words, **arguments)


@pytest.mark.parametrize(
    ("date", "words"),
    [
        ("1999-12-31", ("2000-01-01",)),
        ("9999-12-31", ("2000-01-01",)),
        ("2025-02-30", ("YYYY-MM-DD",)),
        ("yesterday", ("YYYY-MM-DD",)),
        ("2" * 1000, ("date",)),
    ],
)
async def test_dates_out_of_range(live: Live, date: str, words: tuple[str, ...]) -> None:
    await expect(live, "hot_topics", words, date=date)


@pytest.mark.parametrize("story_id", [10**6, 2**62, 2**80])
async def test_unknown_story_ids(live: Live, story_id: int) -> None:
    await expect(live, "explain", ("no story",), story_id=story_id, rule="openai")


@pytest.mark.parametrize("story_id", [0, -1])
async def test_story_ids_below_one(live: Live, story_id: int) -> None:
    await expect(live, "explain", ("story_id",), story_id=story_id, rule="openai")


async def test_delivery_ids_out_of_range(live: Live) -> None:
    await expect(live, "retry", ("ids.0",), ids=[2**70])
    await expect(live, "retry", ("ids.1",), ids=[1, 0])


async def test_unknown_state_and_tool(live: Live) -> None:
    await expect(live, "deliveries", ("state",), state="lost")
    await expect(live, "no_such_tool", ("Unknown tool",))


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("add_rule", {"rule": "name: x\nany: [y]"}),
        ("remove_rule", {"name": "openai"}),
        ("retry", {"ids": [1, 2]}),
    ],
)
async def test_write_tools_need_allow_write(
    live: Live, tool: str, arguments: dict[str, Any]
) -> None:
    await expect(live, tool, ("read-only", "--allow-write"), **arguments)


async def test_the_server_still_serves_after_all_that(live: Live) -> None:
    calls = [live.data("search_stories", query="OpenAI 芯片", days=2) for _ in range(20)]
    results = await asyncio.gather(*calls, live.data("status"), live.data("check_config"))
    assert all(r == results[0] for r in results[:20])
    assert results[0]["total"] > 0
