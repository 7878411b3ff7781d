"""The views API: stories by date on both backends, the playground's trial, the day page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import zoneinfo

import pytest

from notifier.config import Config
from notifier.engine import Engine
from notifier.items import Item
from notifier.rules.expr import parse_expr
from notifier.store import NewDelivery, NewStory, Store
from notifier.views.day import OTHER, MatchCache, day_page
from notifier.views.stories import stories_between, stories_on, story_by_id, story_item
from notifier.views.trial import MAX_TEXT, TrialError, try_rule

from .conftest import HOOK, SECRETS, SEED_DAY

UTC = dt.UTC
UTC_ZONE = zoneinfo.ZoneInfo("UTC")
SEED_NOW = dt.datetime(2025, 12, 24, 12, tzinfo=UTC).timestamp()
#: The keys of a `notifier test-rule --json` line.
TEST_RULE_KEYS = {"digest", "rule", "matched", "score", "reason", "hits", "breakdown", "item"}


def _story(n: int, published: float | None, title: str = "") -> NewStory:
    item = Item(id=f"s{n}", title=title or f"story {n} OpenAI", source="src", rank=n)
    return NewStory(
        id=f"s{n}",
        keys=(f"k{n}",),
        title=item.title,
        url=None,
        source="src",
        item=item.to_json(),
        published=published,
    )


async def test_stories_between_by_date_on_every_backend(store: Store) -> None:
    """published when known, else first_seen; [start, end); numbers for links."""
    day = dt.datetime(2025, 12, 1, tzinfo=UTC).timestamp()
    stories = [_story(1, day), _story(2, day + 86400), _story(3, None)]
    delivery = NewDelivery("s1", "team", ("r",), 2.0, day, {"title": "x"})
    await store.commit_digest("h1", "d.md", stories, [], [delivery], now=day + 3600)
    await store.commit_digest("h2", "e.md", [_story(4, None)], [], [], now=day + 2 * 86400)

    rows = await stories_between(store, day, day + 86400)
    assert sorted(r.key for r in rows) == ["s1", "s3"]  # s3: first seen that day
    assert {r.date for r in rows} == {"2025-12-01"}
    assert all(isinstance(r.id, int) and r.id >= 1 for r in rows)
    assert len(await stories_between(store, day, day + 3 * 86400, limit=2)) == 2
    assert await stories_between(store, day + 86400 * 9, day + 86400 * 10) == []

    again = await story_by_id(store, rows[0].id)
    assert again == rows[0]
    assert await story_by_id(store, 10**9) is None
    assert await story_by_id(store, -1) is None
    assert story_item(again).title == again.title

    states = await store.delivery_states(["s1", "s2", "nope"])
    assert [(t, s.value, a) for t, s, a in states["s1"]] == [("team", "queued", 0)]
    assert "s2" not in states


async def test_a_digest_date_is_its_day_in_every_zone(store: Store) -> None:
    """A story dated 2025-12-01 by its digest is on that day in Los Angeles too."""
    day = dt.datetime(2025, 12, 1, tzinfo=UTC).timestamp()
    await store.commit_digest("h", "d.md", [_story(1, day)], [], [], now=day)
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    found = await stories_on(store, dt.date(2025, 12, 1), dt.date(2025, 12, 1), la)
    assert [s.date for s in found] == ["2025-12-01"]
    assert await stories_on(store, dt.date(2025, 11, 30), dt.date(2025, 11, 30), la) == []


async def test_story_json_is_plain(seeded: Store) -> None:
    rows = await stories_between(seeded, 0, 4e9)
    assert len(rows) > 100
    json.dumps([r.to_json() for r in rows])


# -- the playground ---------------------------------------------------------------------------


async def test_an_expression_matches_as_test_rule_does(seeded: Store, web_config: Config) -> None:
    trial = await try_rule(seeded, web_config, "OpenAI !广告", days=30, now=SEED_NOW)
    assert trial.kind == "expr"
    assert trial.considered > 50
    assert trial.total == len(trial.matches) > 3
    scores = [m.score for m in trial.matches]
    assert scores == sorted(scores, reverse=True)
    engine = Engine([parse_expr("OpenAI !广告")], traditional=True)
    for m in trial.matches:
        entry = m.to_json()
        assert set(entry) >= TEST_RULE_KEYS | {"id", "date", "heat"}
        (expected,) = engine.evaluate(story_item(m.story))
        assert expected.matched
        assert entry["score"] == round(expected.score, 4)
        assert any(h["term"] == "OpenAI" for h in entry["hits"])
        assert any(line.startswith("heat") or "score" in line for line in m.explanation)
    json.dumps(trial.to_json(), ensure_ascii=False)


async def test_a_yaml_rule(seeded: Store, web_config: Config) -> None:
    text = "name: mine\nany: [智谱, GLM]\nnone: [广告]\nmin_score: 1\n"
    trial = await try_rule(seeded, web_config, text, days=30, now=SEED_NOW)
    assert (trial.kind, trial.rule) == ("yaml", "mine")
    assert trial.total >= 1
    listed = await try_rule(seeded, web_config, "- any: [智谱]\n", days=30, now=SEED_NOW)
    assert (listed.kind, listed.rule) == ("yaml", "yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "type a rule"),
        ("+", "must be followed"),
        ("/(a+)+$/", "exponential"),
        ("any: [ok]\nregex: ['(a|a)*b']\n", "line 2"),
        ("any: [x]\nfoo: 1\n", "line 2"),
        ("name: x\nany: [OpenAI]\nnotify: [nowhere]\n", None),
        ("x" * (MAX_TEXT + 1), "too long"),
        ("any: ['${WEB_TEST_FEISHU_HOOK}']\n", "not set"),
        ("- any: [a]\n- any: [b]\n", "one mapping"),
    ],
)
async def test_bad_rules_say_why_in_one_line(
    seeded: Store, web_config: Config, text: str, expected: str | None
) -> None:
    if expected is None:  # notify: does not change what a rule catches: ignored
        await try_rule(seeded, web_config, text, now=SEED_NOW)
        return
    with pytest.raises(TrialError) as caught:
        await try_rule(seeded, web_config, text, now=SEED_NOW)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert HOOK not in message


@pytest.mark.parametrize("days", [0, 91, -1, True])
async def test_days_are_bounded(seeded: Store, days: int) -> None:
    with pytest.raises(TrialError, match="1 to 90"):
        await try_rule(seeded, None, "OpenAI", days=days)


async def test_source_and_limit(seeded: Store) -> None:
    every = await try_rule(seeded, None, "OpenAI", days=90, now=SEED_NOW)
    one = every.matches[0].story.source
    only = await try_rule(seeded, None, "OpenAI", days=90, now=SEED_NOW, source=one)
    assert {m.story.source for m in only.matches} == {one}
    capped = await try_rule(seeded, None, "OpenAI", days=90, now=SEED_NOW, limit=2)
    assert len(capped.matches) == 2
    assert capped.total == every.total


# -- the day page -----------------------------------------------------------------------------


async def test_the_day_by_rule(seeded: Store, web_config: Config) -> None:
    day = dt.date.fromisoformat(SEED_DAY)
    page = await day_page(seeded, web_config, day, tz=zoneinfo.ZoneInfo("UTC"))
    assert page.stories > 50
    names = [g.rule for g in page.groups]
    assert set(names) <= {"openai", "chinese-llm", "chips"}
    totals = [g.total for g in page.groups]
    assert totals == sorted(totals, reverse=True)
    for group in page.groups:
        scores = [s.score for s in group.stories]
        assert scores == sorted(scores, reverse=True)
        for s in group.stories:
            assert group.rule in s.rules
            assert s.story.date == SEED_DAY
            assert s.title_spans or s.summary_spans
    assert page.other is not None
    assert page.other.rule == OTHER
    assert page.other.total + len({s.story.id for g in page.groups for s in g.stories}) <= (
        page.stories
    )
    openai = next(g for g in page.groups if g.rule == "openai")
    went = {d.target: d.state for s in openai.stories for d in s.deliveries}
    assert went == {"team-feishu": "queued", "console": "queued"}
    text = json.dumps(page.to_json(), ensure_ascii=False)
    assert not any(secret in text for secret in SECRETS)


async def test_filters(seeded: Store, web_config: Config) -> None:
    day = dt.date.fromisoformat(SEED_DAY)
    cache = MatchCache(web_config)
    everything = await day_page(seeded, web_config, day, cache=cache)
    only = await day_page(seeded, web_config, day, rule="chips", cache=cache)
    assert [g.rule for g in only.groups] == ["chips"]
    assert only.other is None
    china = await day_page(seeded, web_config, day, tag="china", cache=cache)
    assert [g.rule for g in china.groups] == ["chinese-llm"]
    source = everything.sources[0]
    by_source = await day_page(seeded, web_config, day, source=source, cache=cache)
    assert 0 < by_source.shown < everything.stories
    found = await day_page(seeded, web_config, day, query="glm", cache=cache)
    assert 0 < found.shown < everything.stories
    for g in found.groups:
        for s in g.stories:
            assert "glm" in (s.story.title + s.story.summary).casefold()
    nothing = await day_page(seeded, web_config, day, query="x" * 10_000, cache=cache)
    assert nothing.shown == 0
    small = await day_page(seeded, web_config, day, per_group=1, cache=cache)
    assert all(len(g.stories) <= 1 for g in small.groups)
    assert [g.total for g in small.groups] == [g.total for g in everything.groups]


async def test_default_day_is_today(seeded: Store) -> None:
    page = await day_page(seeded, None, now=SEED_NOW)
    assert page.day.isoformat() == SEED_DAY
    assert page.groups == ()
    assert page.other is not None
    assert page.other.total == page.stories > 0
    empty = await day_page(seeded, None, now=time.time() + 10 * 365 * 86400)
    assert empty.stories == 0


def test_story_rows_are_frozen() -> None:
    from notifier.views.stories import StoryRow

    row = StoryRow(1, "t", None, "", "s", 1, None, None, "2025-01-01", 0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.title = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "OpenAI +GPT !广告",
        "英伟达 芯片 GPU",
        "/gpt-?5(\\.\\d)?/ 大模型",
        "/(open|close)ai/",
        "輝達 ＯＰＥＮＡＩ",
        '"AI 芯片"',
        "+智谱 +GLM",
        "any: [Claude]\nall: [{pattern: 'sonnet|opus'}]\n",
    ],
)
async def test_the_shortcut_finds_what_the_engine_finds(
    seeded: Store, web_config: Config, text: str
) -> None:
    """Skipping stories that hold none of the words a rule needs changes nothing."""
    from notifier.views.cache import StoryCache
    from notifier.views.trial import read_rule

    cache = StoryCache(traditional=True)
    trial = await try_rule(seeded, web_config, text, days=90, now=SEED_NOW, cache=cache)
    again = await try_rule(seeded, web_config, text, days=90, now=SEED_NOW, cache=cache)
    assert [m.to_json() for m in again.matches] == [m.to_json() for m in trial.matches]
    rule, _ = read_rule(text, web_config)
    engine = Engine([rule], traditional=True)
    first = dt.date.fromisoformat(trial.first)
    every = await stories_on(seeded, first, dt.date.fromisoformat(trial.last), UTC_ZONE)
    expected = {s.id for s in every for r in engine.evaluate(story_item(s)) if r.matched}
    assert {m.story.id for m in trial.matches} == expected
    assert trial.considered == len(every)


async def test_a_new_story_shows_at_once(store: Store) -> None:
    """The cached day is read again when a story or a sighting arrives (on every backend)."""
    from notifier.store import SeenAgain

    day = dt.datetime(2025, 12, 1, tzinfo=UTC).timestamp()
    cache = MatchCache(None)
    await store.commit_digest("h1", "d.md", [_story(1, day)], [], [], now=day)
    first = await day_page(store, None, dt.date(2025, 12, 1), tz=UTC_ZONE, cache=cache)
    assert first.stories == 1
    await store.commit_digest("h2", "e.md", [_story(2, day)], [], [], now=day)
    second = await day_page(store, None, dt.date(2025, 12, 1), tz=UTC_ZONE, cache=cache)
    assert second.stories == 2
    await store.commit_digest("h3", "f.md", [], [SeenAgain("s1", "other")], [], now=day)
    third = await day_page(store, None, dt.date(2025, 12, 1), tz=UTC_ZONE, cache=cache)
    assert third.other is not None
    assert max(s.story.sources for s in third.other.stories) == 2
    assert await store.story_stamp(day, day + 86400) == (2, 2, 3)


def test_a_url_origin_is_masked() -> None:
    from notifier.views.stories import story_row

    data = Item(id="x", title="t", origin="https://u:pw@example.com/d.md?key=SECRET").to_json()
    data.update(num=1, story_id="x", sources=1, first_seen=0.0, published=None)
    row = story_row(data)
    assert "SECRET" not in row.origin
    assert "pw" not in row.origin
    assert row.origin.startswith("https://***@example.com/d.md")
