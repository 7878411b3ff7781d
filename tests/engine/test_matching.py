"""Matching semantics: boundaries, folding, any/all/none, fields, weights, min_score."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifier.engine import Engine
from notifier.rules.model import Rule, Term

from .conftest import make_item, one, rule

Matches = Callable[..., list[str]]


@pytest.mark.parametrize(
    ("term", "title", "hit"),
    [
        ("AI", "He said hello", False),
        ("AI", "SAID", False),
        ("AI", "AI芯片发布", True),
        ("AI", "新一代AI", True),
        ("AI", "OpenAI releases", False),
        ("AI", "ai, finally", True),
        ("AI", "A.I. is here", False),
        ("GPT-5", "GPT-50 announced", False),
        ("GPT-5", "GPT-5.1 announced", True),
        ("GPT-5", "GPT-5", True),
        ("GPT-5", "xGPT-5", False),
        ("GPT-5", "发布GPT-5了", True),
        ("芯片", "AI芯片来了", True),
        ("芯片", "芯片", True),
        ("英伟达", "据英伟达称", True),
        ("C++", "C++20 is out", True),
        ("C++", "ObjC++ is old", False),
        ("AI芯片", "新AI芯片", True),
        ("AI芯片", "OpenAI芯片", False),
        ("a", "a b", True),
        ("a", "banana", False),
        ("R", "R语言", True),
        ("5G", "15G", False),
        ("5G", "5G手机", True),
    ],
)
def test_boundaries(matches: Matches, term: str, title: str, hit: bool) -> None:
    assert matches(rule(any=(term,)), title) == (["r"] if hit else [])


@pytest.mark.parametrize(
    ("term", "title"),
    [
        ("OpenAI", "ＯｐｅｎＡＩ发布新模型"),
        ("GPT-5", "ＧＰＴ－５来了"),
        ("ＧＰＴ－５", "GPT-5 is here"),
        ("openai", "OPENAI"),
        ("straße", "STRASSE"),
        ("AI", "\u200bAI\u200b芯片"),
    ],
)
def test_folding_matches(matches: Matches, term: str, title: str) -> None:
    assert matches(rule(any=(term,)), title) == ["r"]


@pytest.mark.parametrize("title", ["輝達發佈新晶片", "英偉達發佈新晶片", "英伟达发布新芯片"])
def test_traditional_folding(matches: Matches, title: str) -> None:
    r = rule(any=("英伟达",), all=("芯片",))
    assert matches(r, title, traditional=True) == ["r"]


def test_traditional_off_by_default(matches: Matches) -> None:
    assert matches(rule(any=("英伟达",)), "輝達發佈") == []
    assert matches(rule(any=("英伟达",)), "英偉達發佈") == []


def test_traditional_terms_fold_too(matches: Matches) -> None:
    assert matches(rule(any=("輝達",)), "英伟达发布", traditional=True) == ["r"]


def test_any_all_none() -> None:
    r = rule(any=("AI", "GPT"), all=("芯片",), none=("广告",))
    engine = Engine([r])
    cases = {
        "AI芯片": "matched",
        "GPT芯片": "matched",
        "芯片": "no keyword",
        "AI": "missing required '芯片'",
        "AI芯片广告": "excluded by '广告' in title",
    }
    for title, reason in cases.items():
        res = one(engine, make_item(title), "r")
        assert res.reason == reason, title
        assert res.matched is (reason == "matched")
        assert [x.rule.name for x in engine.match(make_item(title))] == (
            ["r"] if reason == "matched" else []
        )


def test_all_only_rule(matches: Matches) -> None:
    r = rule(all=("AI", "芯片"))
    assert matches(r, "AI芯片") == ["r"]
    assert matches(r, "AI") == []


def test_rule_without_positive_terms_never_matches() -> None:
    engine = Engine([rule(none=("广告",))])
    assert engine.match(make_item("anything")) == []
    assert one(engine, make_item("anything"), "r").reason == "no keyword"


def test_excluded_in_summary(matches: Matches) -> None:
    r = rule(any=("AI",), none=("广告",))
    assert matches(r, "AI news", "这是广告") == []


def test_rule_fields() -> None:
    r = rule(any=("AI",), fields=("title",))
    engine = Engine([r])
    assert engine.match(make_item("nothing", "AI in summary")) == []
    assert len(engine.match(make_item("AI in title", ""))) == 1


def test_term_fields_override_rule_fields() -> None:
    r = rule(
        any=(Term("AI", fields=("summary",)), "GPT"), none=(Term("广告", fields=("source",)),)
    )
    engine = Engine([r])
    assert engine.match(make_item("AI title", "")) == []
    assert len(engine.match(make_item("", "AI summary"))) == 1
    assert len(engine.match(make_item("GPT", "", source="广告 weekly"))) == 0
    assert len(engine.match(make_item("GPT 广告", ""))) == 1  # 广告 only counts in source


def test_section_field() -> None:
    r = rule(any=("融资",), fields=("section",))
    engine = Engine([r])
    assert len(engine.match(make_item("x", section="投资融资"))) == 1
    assert engine.match(make_item("融资", section=None)) == []


def test_unknown_field_is_a_config_error() -> None:
    from notifier.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown field 'body'"):
        Engine([rule(any=(Term("AI", fields=("body",)),))])


def test_score_weights_and_fields() -> None:
    r = rule(any=(Term("OpenAI"), Term("芯片", weight=2.0)))
    engine = Engine([r])
    item = make_item("OpenAI 发布", "OpenAI 的芯片", rank=2, hotness=151)
    (res,) = engine.match(item)
    # keywords = 1×3 (OpenAI, title beats summary) + 2×1 (芯片, summary)
    heat = 1 + 0.02 * 9 + 0.1 * __import__("math").log10(152)
    assert res.score == pytest.approx(5 * heat)
    assert [(s.term.text, s.field) for s in res.scored] == [
        ("OpenAI", "title"),
        ("芯片", "summary"),
    ]
    labels = [label for label, _ in res.breakdown]
    assert labels[0] == "'OpenAI' in title: 1 × 3"
    assert "keywords" in labels
    assert labels[-1] == "score = keywords × heat"
    assert dict(res.breakdown)["keywords"] == pytest.approx(5)


def test_repeated_hits_count_once() -> None:
    engine = Engine([rule(any=("AI",))])
    (a,) = engine.match(make_item("AI"))
    (b,) = engine.match(make_item("AI AI AI, AI and AI"))
    assert a.score == b.score == 3.0


def test_rule_field_weights() -> None:
    r = rule(any=("AI",), field_weights={"title": 10.0, "summary": 1.0})
    (res,) = Engine([r]).match(make_item("AI"))
    assert res.score == 10.0


def test_min_score() -> None:
    r = rule(any=("AI", "GPT"), min_score=4)
    engine = Engine([r])
    assert engine.match(make_item("AI")) == []  # 3 < 4
    assert len(engine.match(make_item("AI GPT"))) == 1  # 6
    assert len(engine.match(make_item("x", "AI GPT"))) == 0  # 2
    res = one(engine, make_item("AI"), "r")
    assert res.reason == "score 3 < min_score 4"


def test_heat_can_lift_over_min_score() -> None:
    r = rule(any=("AI",), min_score=3.5)
    engine = Engine([r])
    assert engine.match(make_item("AI", rank=20)) == []
    assert len(engine.match(make_item("AI", rank=1))) == 1  # 3 × 1.2


def test_hits_offsets_in_original_title() -> None:
    title = "\u200b\u200bＯｐｅｎＡＩ发布ＧＰＴ－５，AI芯片"
    r = rule(any=("OpenAI", "GPT-5"), all=("芯片",))
    (res,) = Engine([r]).match(make_item(title, "summary about openai"))
    got = [(h.term.text, h.role, h.field, h.text) for h in res.hits]
    assert got == [
        ("OpenAI", "any", "title", "ＯｐｅｎＡＩ"),
        ("OpenAI", "any", "summary", "openai"),
        ("GPT-5", "any", "title", "ＧＰＴ－５"),
        ("芯片", "all", "title", "芯片"),
    ]
    for h in res.hits:
        text = title if h.field == "title" else "summary about openai"
        assert text[h.start : h.end] == h.text


def test_hit_offsets_skip_false_occurrences() -> None:
    title = "SAID: AI is here"
    (res,) = Engine([rule(any=("AI",))]).match(make_item(title))
    (h,) = res.hits
    assert (h.start, h.end) == (6, 8)


def test_evaluate_all_and_named() -> None:
    rules = [rule("a", any=("AI",)), rule("b", any=("GPT",)), rule("c", any=("芯片",))]
    engine = Engine(rules)
    item = make_item("AI 芯片")
    assert [(r.rule.name, r.matched) for r in engine.evaluate(item)] == [
        ("a", True),
        ("b", False),
        ("c", True),
    ]
    assert [r.rule.name for r in engine.evaluate(item, ["c", "b"])] == ["c", "b"]
    with pytest.raises(KeyError):
        engine.evaluate(item, ["nope"])


def test_match_returns_rule_order() -> None:
    rules = [rule(f"r{i}", any=("AI",)) for i in range(5)]
    assert [r.rule.name for r in Engine(rules).match(make_item("AI"))] == [
        f"r{i}" for i in range(5)
    ]


def test_duplicate_names_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        Engine([rule("x", any=("a",)), rule("x", any=("b",))])


def test_duplicate_term_counts_once(matches: Matches) -> None:
    r = Rule(name="r", any=(Term("AI"), Term("ai", weight=2.0)))
    (res,) = Engine([r]).match(make_item("AI"))
    assert res.score == 6.0  # the heavier of the two, once
