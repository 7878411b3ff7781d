"""The writing tools of a real ``notifier mcp --allow-write``: rules added and removed in
the config (comments kept, checked like ``notifier check``, seen by the other tools at
once), dead deliveries queued again as ``notifier retry`` does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.mcp.live import Live
from tests.mcp.workspace import RULES, Workspace

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def writer(space: Workspace) -> AsyncIterator[Live]:
    async with Live(space, "--allow-write") as server:
        yield server


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


async def test_add_rule_writes_the_config_and_the_tools_see_it(
    writer: Live, space: Workspace
) -> None:
    rule = "name: robots\nany: [机器人, 具身智能, 人形]\ntags: [hardware]\nnotify: [console]"
    added = await writer.data("add_rule", rule=rule)
    assert added == {"path": str(space.config), "added": "robots"}
    text = space.config.read_text(encoding="utf-8")
    assert comments(text) == comments(RULES)
    assert space.notifier("check", str(space.config)).returncode == 0
    page = await writer.data("hot_topics", date=space.today.isoformat())
    assert "robots" in page["rules"]
    assert (await writer.data("check_config"))["rules"] == 4


async def test_refused_edits_leave_the_config_alone(writer: Live, space: Workspace) -> None:
    before = space.config.read_bytes()
    for rule, words in [
        ("name: openai\nany: [x]", "already has a rule named 'openai'"),
        ("name: x\nany: [y]\nnotify: [nobody]", "not a declared channel"),
        ("name: x\nregex: ['(a+)+$']", "nested quantifier"),
        ("name: x\nany: ['${MCP_TEST_SECRET}']", "${VAR}"),
    ]:
        message = await writer.error("add_rule", rule=rule)
        assert words in message
    assert "no rule named 'nope'" in await writer.error("remove_rule", name="nope")
    assert space.config.read_bytes() == before


async def test_remove_rule_deletes_it_and_keeps_the_comments(
    writer: Live, space: Workspace
) -> None:
    removed = await writer.data("remove_rule", name="video")
    assert removed["removed"] == "video"
    text = space.config.read_text(encoding="utf-8")
    assert "name: video" not in text
    assert "# the end of the rules" in text
    assert comments(text) == [c for c in comments(RULES) if "text-to-video" not in c]
    assert space.notifier("check", str(space.config)).returncode == 0
    page = await writer.data("hot_topics", date=space.today.isoformat())
    assert "video" not in page["rules"]


async def test_retry_queues_dead_deliveries_like_notifier_retry(
    writer: Live, space: Workspace
) -> None:
    dead = [d["id"] for d in space.json_lines("deliveries", "--json", "--dead")]
    assert len(dead) == 2
    done = await writer.data("retry", ids=[*dead, dead[0], 10**9])
    assert done == {"ids": sorted({*dead, 10**9}), "queued": 2}
    assert space.json_lines("deliveries", "--json", "--dead") == []
    again = await writer.data("retry", ids=dead)
    assert again["queued"] == 0  # only dead ones are queued
    message = await writer.error("retry", ids=list(range(1, 102)))
    assert "ids" in message


async def test_a_config_broken_by_hand_is_reported_and_the_last_good_one_kept(
    writer: Live, space: Workspace
) -> None:
    text = space.config.read_text(encoding="utf-8")
    space.config.write_text(text.replace("any: [OpenAI,", "any: 5\n    x: [OpenAI,"))
    found = await writer.data("check_config")
    assert found["ok"] is False
    assert found["problems"][0].startswith(f"{space.config}:")
    page = await writer.data("hot_topics", date=space.today.isoformat())
    assert "openai" in page["rules"]
    message = await writer.error("add_rule", rule="name: x\nany: [y]")
    assert "would not check" in message
