"""Regex terms: matching, prefilter, laziness, and the static safety check."""

from __future__ import annotations

import pytest

from notifier.engine import Engine, RegexError, compile_regex
from notifier.engine.regex import MAX_REGEX_INPUT
from notifier.errors import ConfigError
from notifier.rules.model import Location, Term

from .conftest import make_item, one, rule


def rx(pattern: str, **kw: object) -> Term:
    return Term(pattern, regex=True, **kw)  # type: ignore[arg-type]


def test_regex_any_term() -> None:
    engine = Engine([rule(any=(rx(r"gpt-?\d+(\.\d)?"),))])
    (res,) = engine.match(make_item("OpenAI 发布 ＧＰＴ－５．１"))
    (h,) = res.hits
    assert h.text == "ＧＰＴ－５．１"  # matched on folded text, reported in the original
    assert engine.match(make_item("GPT models")) == []


def test_regex_is_case_insensitive() -> None:
    engine = Engine([rule(any=(rx("Claude [0-9]"),))])
    assert len(engine.match(make_item("CLAUDE 4 is out"))) == 1


def test_regex_required_and_excluded() -> None:
    r = rule(any=("AI",), all=(rx(r"\d+亿"),), none=(rx("广告|推广"),))
    engine = Engine([r])
    assert len(engine.match(make_item("AI 公司融资 10亿"))) == 1
    assert engine.match(make_item("AI 公司融资")) == []
    assert engine.match(make_item("AI 公司融资 10亿 推广")) == []
    assert one(engine, make_item("AI 公司融资"), "r").reason == r"missing required '\d+亿'"
    assert one(engine, make_item("AI 10亿 推广"), "r").reason.startswith("excluded by")


def test_regex_only_rule_without_literal_runs_on_every_item() -> None:
    engine = Engine([rule(any=(rx(r"[a-z]+\d{2}"),))])
    assert len(engine.match(make_item("model xy42 released"))) == 1
    assert engine.match(make_item("nothing here")) == []


def test_prefilter_literals() -> None:
    assert compile_regex(r"gpt-?\d+").literals == frozenset({"gpt"})
    assert compile_regex(r"(?:open|close)ai").literals == frozenset({"openai", "closeai"})
    assert compile_regex(r"OpenAI|Anthropic").literals == frozenset({"openai", "anthropic"})
    assert compile_regex(r"\bllama\s*\d").literals == frozenset({"llama"})
    assert compile_regex(r"芯片\d+").literals == frozenset({"芯片"})
    assert compile_regex(r"[a-z]+\d").literals is None
    assert compile_regex(r"(foo)?bar").literals == frozenset({"bar"})


def test_regex_skipped_when_literals_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine([rule(any=("AI",), all=(rx(r"gpt-?\d+"),))])
    calls: list[str] = []
    import notifier.engine.regex as regex_mod

    orig = regex_mod.CompiledRegex.search

    def spy(self: regex_mod.CompiledRegex, text: str) -> tuple[int, int] | None:
        calls.append(text)
        return orig(self, text)

    monkeypatch.setattr(regex_mod.CompiledRegex, "search", spy)
    assert engine.match(make_item("no keyword here, gpt-4")) == []  # any-term fails first
    assert engine.match(make_item("AI without the literal")) == []  # prefilter says no
    assert calls == []
    assert len(engine.match(make_item("AI and gpt-4"))) == 1
    assert calls == ["ai and gpt-4"]


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(a+)+b", "nested quantifier"),
        (r"(\w+\s?)*x", "nested quantifier"),
        (r"(a|ab)*c", "alternation inside a repeated group"),
        (r"(a)\1", "backreferences"),
        (r"a.*b.*c", "two unbounded quantifiers"),
        (r"\d+\s*\d+x", "two unbounded quantifiers"),
        (r".{0,15}a.{0,15}b.{0,15}c.{0,15}d", "combinations"),
        (r"a*", "matches the empty string"),
        (r"(", "invalid regex"),
        ("", "empty regex"),
    ],
)
def test_unsafe_or_invalid_regex_rejected(pattern: str, why: str) -> None:
    with pytest.raises(RegexError, match=why):
        compile_regex(pattern)


@pytest.mark.parametrize(
    "pattern",
    [r"\d+\.\d+", r"gpt.*发布", r"\d{4}年\d{1,2}月", r"a.*+b.*c", r"(?:open|close)ai", r"\bai\b"],
)
def test_safe_regex_accepted(pattern: str) -> None:
    compile_regex(pattern)


def test_bad_regex_is_a_config_error_with_location() -> None:
    r = rule(any=(rx(r"(a+)+"),), location=Location("rules.yaml", 12))
    with pytest.raises(ConfigError, match=r"rules.yaml:12: rule 'r': .*nested quantifier"):
        Engine([r])


def test_regex_input_is_capped() -> None:
    engine = Engine([rule(any=(rx(r"needle\d"),))])
    far = "x " * MAX_REGEX_INPUT + "needle1"
    assert engine.match(make_item("t", far)) == []
    assert len(engine.match(make_item("t", "needle1 " + far))) == 1


def test_accepted_patterns_finish_on_adversarial_input() -> None:
    # Worst cases for what the check lets through, on long inputs (no timing assertion).
    text = "y" + ("1" * 999 + ".") * 1000  # every prefilter literal present, no match
    engine = Engine(
        [
            rule("a", any=(rx(r"\d+\.\d+x"),)),
            rule("b", any=(rx(r"1.*x"),)),
            rule("c", any=(rx(r"\d{1,5}\d{1,5}y"),)),
        ]
    )
    assert engine.match(make_item(text, text)) == []
