"""Every read tool of a real ``notifier mcp`` (stdio, the SDK's client) against what the CLI
says of the same store and digests: ``test-rule --json``, ``deliveries --json``, ``status
--json``, ``check``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.mcp.live import Live, text
from tests.mcp.workspace import CHAT, OLD_DAY, SECRET, WEBHOOK, Workspace

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOOLS = {
    "search_stories",
    "hot_topics",
    "test_rule",
    "explain",
    "deliveries",
    "status",
    "check_config",
    "add_rule",
    "remove_rule",
    "retry",
}


def cli_matches(
    space: Workspace, *args: str, old: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """``notifier test-rule --json ARGS`` on today's digests (``old``: the old one), by
    story title."""
    digests = space.digests[2:] if old else space.digests[:2]
    found: dict[str, list[dict[str, Any]]] = {}
    for record in space.json_lines("test-rule", "--json", *args, *map(str, digests)):
        found.setdefault(str(record["item"]["title"]), []).append(record)
    return found


def verdict(record: dict[str, Any]) -> dict[str, Any]:
    """What the engine said, whoever reports it."""
    return {k: record[k] for k in ("rule", "matched", "score", "reason", "hits", "breakdown")}


async def test_lists_every_tool_with_bounded_inputs(live: Live) -> None:
    assert live.session is not None
    tools = {t.name: t for t in (await live.session.list_tools()).tools}
    assert set(tools) == TOOLS
    search = tools["search_stories"].inputSchema["properties"]
    assert search["query"]["maxLength"] == 2000
    assert (search["limit"]["minimum"], search["limit"]["maximum"]) == (1, 200)
    assert (search["days"]["minimum"], search["days"]["maximum"]) == (1, 90)
    assert tools["status"].annotations is not None
    assert tools["status"].annotations.readOnlyHint is True
    assert tools["add_rule"].annotations is not None
    assert tools["add_rule"].annotations.readOnlyHint is False


async def test_test_rule_says_what_test_rule_json_says(live: Live, space: Workspace) -> None:
    expr = "英伟达 芯片 GPU OpenAI !广告"
    trial = await live.data("test_rule", rule=expr, days=7, limit=200)
    cli = cli_matches(space, "--expr", expr)
    assert trial["total"] == len(trial["matches"]) == len(cli) > 3
    assert trial["considered"] == 30
    scores = [m["score"] for m in trial["matches"]]
    assert scores == sorted(scores, reverse=True)
    for match in trial["matches"]:
        expected = cli[match["item"]["title"]][0]
        assert verdict(match) == verdict(expected)
        assert match["item"]["url"] == expected["item"]["url"]
        assert match["date"] == space.today.isoformat()
        assert match["heat"] >= 1
        assert match["explain"][-1].startswith("score = ")


async def test_test_rule_takes_a_yaml_rule(live: Live, space: Workspace) -> None:
    rule = "name: labs\nany: [OpenAI, Anthropic]\nnone: [广告]\nmin_score: 1"
    trial = await live.data("test_rule", rule=rule, days=7)
    assert trial["kind"] == "yaml"
    assert trial["rule"] == "labs"
    cli = cli_matches(space, "--expr", "OpenAI Anthropic !广告")
    assert {m["item"]["title"] for m in trial["matches"]} <= set(cli)
    assert trial["total"] > 0


async def test_search_stories_is_the_expression_on_the_stored_stories(
    live: Live, space: Workspace
) -> None:
    found = await live.data("search_stories", query="OpenAI", days=2, limit=3)
    cli = cli_matches(space, "--expr", "OpenAI")
    assert found["total"] == len(cli)
    assert len(found["stories"]) == 3
    best = sorted(cli.values(), key=lambda r: -r[0]["score"])[:3]
    assert [s["score"] for s in found["stories"]] == [r[0]["score"] for r in best]
    for story in found["stories"]:
        record = cli[story["title"]][0]
        assert story["url"] == record["item"]["url"]
        assert story["terms"] == ["OpenAI"]
        assert story["date"] == space.today.isoformat()
        assert story["heat"] >= 1
    one = await live.data("search_stories", query="OpenAI", days=2, source=story["source"])
    assert {s["source"] for s in one["stories"]} == {story["source"]}
    assert one["total"] < found["total"]


async def test_hot_topics_groups_the_day_by_rule(live: Live, space: Workspace) -> None:
    page = await live.data("hot_topics", date=space.today.isoformat(), limit=2)
    assert page["day"] == space.today.isoformat()
    assert page["stories"] == 30
    cli = cli_matches(space)
    for group in page["groups"]:
        titles = {t for t, rs in cli.items() if any(r["rule"] == group["rule"] for r in rs)}
        assert group["total"] == len(titles)
        assert len(group["stories"]) <= 2
        assert {s["title"] for s in group["stories"]} <= titles
        scores = [s["score"] for s in group["stories"]]
        assert scores == sorted(scores, reverse=True)
    assert {g["rule"] for g in page["groups"]} == {r["rule"] for rs in cli.values() for r in rs}
    delivered = [d for g in page["groups"] for s in g["stories"] for d in s["deliveries"]]
    assert {d["target"] for d in delivered} <= {"team-feishu", "console"}


async def test_hot_topics_of_another_day(live: Live, space: Workspace) -> None:
    page = await live.data("hot_topics", date=OLD_DAY)
    assert page["day"] == OLD_DAY
    cli = cli_matches(space, old=True)
    assert {g["rule"] for g in page["groups"]} == {r["rule"] for rs in cli.values() for r in rs}


async def test_explain_gives_the_hits_and_the_score(live: Live, space: Workspace) -> None:
    found = await live.data("search_stories", query="英伟达 芯片", days=2, limit=1)
    story = found["stories"][0]
    why = await live.data("explain", story_id=story["id"], rule="chips")
    expected = cli_matches(space, "chips")[story["title"]][0]
    assert verdict(why) == verdict(expected)
    assert why["story"]["id"] == story["id"]
    assert any(line.startswith("score = ") for line in why["explain"])
    adhoc = await live.data("explain", story_id=story["id"], rule="英伟达 芯片")
    assert adhoc["score"] == story["score"]
    miss = await live.data("explain", story_id=story["id"], rule="Anthropic")
    assert miss["matched"] is False
    assert miss["reason"] == "no keyword"


async def test_deliveries_are_deliveries_json(live: Live, space: Workspace) -> None:
    cli = space.json_lines("deliveries", "--json", "-n", "200")
    mine = (await live.data("deliveries", limit=200))["deliveries"]
    assert len(mine) == len(cli) > 20
    for got, want in zip(mine, cli, strict=True):
        if want["target"] == f"tg:{CHAT}":
            assert got["target"] == "subscriber"
            want = {**want, "target": "subscriber"}
        if want["last_error"]:
            assert WEBHOOK in want["last_error"]  # the CLI is for the operator
            assert got["last_error"] == want["last_error"].replace(WEBHOOK, "***")
            want = {**want, "last_error": got["last_error"]}
        assert got == want
    dead = (await live.data("deliveries", state="dead"))["deliveries"]
    assert [d["id"] for d in dead] == [
        d["id"] for d in space.json_lines("deliveries", "--json", "--dead")
    ]
    feishu = (await live.data("deliveries", target="team-feishu", limit=5))["deliveries"]
    assert len(feishu) == 5
    assert {d["target"] for d in feishu} == {"team-feishu"}


async def test_status_is_status_json_with_names_only(live: Live, space: Workspace) -> None:
    done = space.notifier("status", "--json")
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)
    mine = await live.data("status")
    assert mine["queue"] == cli["queue"]
    assert [t["name"] for t in mine["targets"]] == [t["name"] for t in cli["targets"]]
    feishu = next(t for t in mine["targets"] if t["name"] == "team-feishu")
    assert feishu["dead"] == 2
    assert feishu["last_error"] == "signature *** refused"


async def test_check_config_is_notifier_check(live: Live, space: Workspace) -> None:
    found = await live.data("check_config")
    assert found["ok"] is True
    assert found["problems"] == []
    assert found["rules"] == 3
    assert found["channels"] == ["console", "team-feishu"]
    assert space.notifier("check", str(space.config)).returncode == 0


async def test_no_secret_reaches_any_tool(live: Live) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("search_stories", {"query": "OpenAI", "days": 90}),
        ("hot_topics", {}),
        ("hot_topics", {"date": OLD_DAY, "limit": 200}),
        ("test_rule", {"rule": "OpenAI 芯片", "days": 90, "limit": 200}),
        ("explain", {"story_id": 1, "rule": "openai"}),
        ("deliveries", {"limit": 200}),
        ("deliveries", {"state": "dead"}),
        ("status", {}),
        ("check_config", {}),
        ("add_rule", {"rule": f"name: x\nany: [{SECRET}]"}),
        ("search_stories", {"query": f"/{WEBHOOK}/"}),
    ]
    secrets = (WEBHOOK, SECRET, WEBHOOK.rsplit("/", 1)[1], str(CHAT))
    for tool, arguments in calls:
        result = await live.call(tool, **arguments)
        shown = text(result) + json.dumps(result.structuredContent, ensure_ascii=False)
        for secret in secrets:
            if secret not in json.dumps(arguments, ensure_ascii=False):
                assert secret not in shown, (tool, secret)
