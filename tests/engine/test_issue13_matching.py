"""Matching rules of issue 13: regexes folded like text, characters kept, ``\\b`` and
digits after a Latin keyword, first-group-only rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifier.engine import Engine, compile_regex
from notifier.engine.pattern import rewrite
from notifier.rules.model import Term

from .conftest import make_item, one, rule

Matches = Callable[..., list[str]]


def rx(pattern: str) -> Term:
    return Term(pattern, regex=True)


# -- regex literals are folded like text --------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "title"),
    [
        ("華為", "華為發布新手機"),
        ("華為", "华为发布新手机"),
        ("华为", "華為發布新手機"),
        ("華為(發布|推出)", "华为推出新品"),
        ("[華为]為", "华为"),
        ("輝達", "英偉達財報"),  # a regional phrase, as for literal terms
        ("輝達", "英伟达财报"),
        ("華+為", "华为"),
        ("ＧＰＴ-\\d", "gpt-5 来了"),
        ("（AI）", "人工智能(AI)发布"),
    ],
)
def test_regex_literals_fold_like_text(matches: Matches, pattern: str, title: str) -> None:
    assert matches(rule(any=(rx(pattern),)), title, traditional=True) == ["r"]


def test_regex_hit_is_reported_in_the_original(matches: Matches) -> None:
    engine = Engine([rule(any=(rx("華為"),))], traditional=True)
    (res,) = engine.match(make_item("新：華為發布"))
    (hit,) = res.hits
    assert (hit.start, hit.end, hit.text) == (2, 4, "華為")


def test_regex_without_traditional_folds_width_and_case_only(matches: Matches) -> None:
    assert matches(rule(any=(rx("華為"),)), "華為發布") == ["r"]
    assert matches(rule(any=(rx("華為"),)), "华为发布") == []
    assert matches(rule(any=(rx("ＡＩ芯片"),)), "ai芯片") == ["r"]


@pytest.mark.parametrize(
    ("pattern", "folded"),
    [
        ("華為", "华为"),
        ("華為\\d+", "华为\\d+"),
        ("[華為]", "[華為华为]"),
        ("[^華]", "[^華华]"),
        ("[一-龥]", "[一-龥]"),  # ranges stay
        ("\\u83ef", "\\u83ef"),  # escapes stay
        ("(?P<華>x)華", "(?P<華>x)华"),  # group names stay
        ("(?#華)華", "(?#華)华"),
        ("(?i:華)", "(?i:华)"),
        ("華{2,3}", "华{2,3}"),
        ("a{,2}", "a{,2}"),
        ("x{", "x\\{"),
        ("（", "\\("),
        ("[\\b]", "[\\b]"),  # a backspace in a class, not a boundary
        ("\\\\b", "\\\\b"),  # a backslash and a b
    ],
)
def test_rewrite(pattern: str, folded: str) -> None:
    assert rewrite(pattern, traditional=True) == folded


def test_rewrite_leaves_verbose_patterns_alone() -> None:
    assert rewrite("華 # 華", traditional=True, verbose=True) == "華 # 華"
    assert compile_regex("(?x) 華 \\b", traditional=True).regex.pattern == "(?x) 華 \\b"


def test_prefilter_literals_are_folded() -> None:
    assert compile_regex("華為\\d", traditional=True).literals == frozenset({"华为"})


# -- characters that are Simplified too are never folded ---------------------------------


@pytest.mark.parametrize(
    ("term", "title", "hit"),
    [
        ("昇腾", "升腾的火焰", False),
        ("昇腾", "華為昇騰910B", True),
        ("昇腾", "华为昇腾910B", True),
        ("升腾", "華為昇騰910B", False),
        ("乾坤", "扭转乾坤", True),
        ("干坤", "扭转乾坤", False),
        ("英伟达", "輝達新晶片", True),  # conversion otherwise unchanged
        ("软件", "軟體與伺服器", True),
    ],
)
def test_kept_characters(matches: Matches, term: str, title: str, hit: bool) -> None:
    assert matches(rule(any=(term,)), title, traditional=True) == (["r"] if hit else [])
    assert matches(rule(any=(rx(term),)), title, traditional=True) == (["r"] if hit else [])


# -- \b is a Latin-word boundary ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "title", "hit"),
    [
        ("\\bOpenAI\\b", "OpenAI发布新模型", True),
        ("\\bOpenAI\\b", "谷歌与OpenAI竞争", True),
        ("\\bOpenAI\\b", "OpenAI's model", True),
        ("\\bOpenAI\\b", "NotOpenAI", False),
        ("\\bOpenAI\\b", "OpenAIs", False),
        ("\\bAI\\b", "AI芯片", True),
        ("\\bAI\\b", "MAIL", False),
        ("\\bAI\\b", "said", False),
        ("\\bAI\\b", "ＡＩ芯片", True),
        ("\\bai\\b", "Ai-powered", True),
        ("AI\\B", "AIs are here", True),
        ("AI\\B", "AI芯片", False),
        ("\\b\\d+亿", "融资10亿", True),
        ("\\b\\d+亿", "A10亿", False),
    ],
)
def test_regex_word_boundary(matches: Matches, pattern: str, title: str, hit: bool) -> None:
    assert matches(rule(any=(rx(pattern),)), title) == (["r"] if hit else [])


# -- a Latin keyword may be followed by digits -------------------------------------------


@pytest.mark.parametrize(
    ("term", "title", "hit"),
    [
        ("iPhone", "iPhone16 发布", True),
        ("iPhone", "iPhone 16 发布", True),
        ("iPhone", "iPhoneX", False),
        ("iPhone", "iPhone_16", False),
        ("GPT", "GPT4 vs Claude", True),
        ("Qwen", "Qwen3 开源", True),
        ("GPT-5", "GPT-50", False),
        ("GPT-5", "GPT-5o", False),
        ("GPT-5", "GPT-5.1", True),
        ("AI", "said", False),
        ("AI", "AI2027", True),
        ("A100", "A1000", False),
        ("H100", "H100s", False),
        ("5G", "15G", False),  # the left side is unchanged: a digit before blocks
        ("16", "iPhone16", False),
    ],
)
def test_digits_after_a_letter(matches: Matches, term: str, title: str, hit: bool) -> None:
    assert matches(rule(any=(term,)), title) == (["r"] if hit else [])


def test_digit_hit_offsets() -> None:
    engine = Engine([rule(any=("iPhone",))])
    (res,) = engine.match(make_item("iPhoneX 与 iPhone16"))
    (hit,) = res.hits
    assert (hit.start, hit.end) == (10, 16)


# -- first group only --------------------------------------------------------------------


def groups(exclusive: str | None = "f.txt") -> list:  # type: ignore[type-arg]
    return [
        rule("ai", any=("AI",), exclusive=exclusive),
        rule("openai", any=("OpenAI",), exclusive=exclusive),
        rule("other", any=("OpenAI",)),
    ]


def test_first_group_only_in_match() -> None:
    engine = Engine(groups())
    names = [r.rule.name for r in engine.match(make_item("OpenAI 发布 AI 芯片"))]
    assert names == ["ai", "other"]
    names = [r.rule.name for r in engine.match(make_item("OpenAI 发布"))]
    assert names == ["openai", "other"]
    assert [r.rule.name for r in Engine(groups(None)).match(make_item("OpenAI 发布 AI"))] == [
        "ai",
        "openai",
        "other",
    ]


def test_first_group_only_in_evaluate() -> None:
    engine = Engine(groups())
    item = make_item("OpenAI 发布 AI 芯片")
    res = one(engine, item, "openai")  # the earlier group is decided even when not asked
    assert not res.matched
    assert res.reason == "matched, but the item goes to 'ai' (first_group_only)"
    assert [h.text for h in res.hits] == ["OpenAI"]
    assert [r.matched for r in engine.evaluate(item)] == [True, False, True]


def test_first_group_only_follows_rule_changes() -> None:
    engine = Engine(groups())
    engine.remove_rule("ai")
    assert [r.rule.name for r in engine.match(make_item("OpenAI 发布 AI"))] == [
        "openai",
        "other",
    ]
    engine.add_rule(rule("late", any=("AI",), exclusive="f.txt"))
    assert [r.rule.name for r in engine.match(make_item("AI 芯片"))] == ["late"]
    assert [r.rule.name for r in engine.match(make_item("OpenAI 发布 AI"))] == [
        "openai",
        "other",
    ]
