"""The bot's helpers: limits with clear reasons, /test explanations, the /sub preview."""

from __future__ import annotations

import pytest

from notifier.config import BotLimits
from notifier.rules.expr import ExprError
from notifier.store import NewStory, Store
from notifier.subscriptions.preview import ExprRefused, check_expr, explain, preview

NOW = 1_760_000_000.0


@pytest.mark.parametrize(
    ("expr", "code"),
    [
        ("", "empty"),
        ("   \u3000 ", "empty"),
        ("x" * 201, "too_long"),
        (" ".join(f"w{i}" for i in range(11)), "too_many_keywords"),
        ("!广告 !软文", "only_excluded"),
        ('"unclosed', "syntax"),
        ("/(/", "syntax"),
    ],
)
def test_refusals_say_why(expr: str, code: str) -> None:
    with pytest.raises(ExprRefused) as caught:
        check_expr(expr)
    assert caught.value.code == code
    assert expr.strip() == "" or expr not in str(caught.value)


def test_limits_are_the_configured_ones() -> None:
    limits = BotLimits(keywords=2, expr_chars=10)
    with pytest.raises(ExprRefused) as caught:
        check_expr("a b c", limits)
    assert (caught.value.count, caught.value.limit) == (3, 2)
    assert str(caught.value) == "3 keywords; at most 2 per subscription"
    with pytest.raises(ExprRefused, match="11 characters long; at most 10"):
        check_expr("abcdefghijk", limits)
    rule = check_expr('OpenAI "Sam Altman" +芯片 !广告')
    assert [t.text for t in rule.terms] == ["OpenAI", "Sam Altman", "芯片", "广告"]


def test_explain() -> None:
    found = explain('英伟达 "Sam Altman" +芯片 !广告', "輝達發布新一代 AI 芯片")
    assert found.matched
    assert found.hits == ("英伟达", "芯片")
    assert found.score == 6.0
    assert found.breakdown[-1] == ("score = keywords × heat", 6.0)
    miss = explain("英伟达 +芯片 !广告", "英伟达芯片广告")
    assert not miss.matched
    assert miss.excluded == ("广告",)
    assert miss.reason == "excluded by '广告' in title"
    assert explain("OpenAI +GPT-5", "OpenAI news").reason == "missing required 'GPT-5'"
    assert not explain("OpenAI", "AI news", traditional=False).matched
    with pytest.raises(ExprError):
        explain('"open', "x")


async def test_preview_shows_what_it_would_have_caught(sqlite_store: Store) -> None:
    titles = ["英伟达发布芯片", "OpenAI 发布 GPT-5", "英伟达财报", "英伟达芯片广告", "天气"]
    stories = [
        NewStory(f"s{i}", (f"k{i}",), t, None, "src", {"id": f"s{i}", "title": t})
        for i, t in enumerate(titles)
    ]
    await sqlite_store.commit_digest("h", "x", stories, [], [], NOW)
    caught = await preview(sqlite_store, "英伟达 芯片 !广告", NOW - 86400)
    assert [c.story["title"] for c in caught] == ["英伟达发布芯片", "英伟达财报"]
    assert caught[0].hits == ("英伟达", "芯片")
    assert caught[0].score > caught[1].score
    everything = await preview(sqlite_store, "英伟达", NOW - 86400)
    assert len(everything) == 3
    assert await preview(sqlite_store, "英伟达", NOW - 86400, limit=1) == everything[:1]
    assert await preview(sqlite_store, "英伟达", NOW + 1) == []  # nothing that recent
