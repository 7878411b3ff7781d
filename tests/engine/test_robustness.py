"""Inputs that must not crash or hang (no timing assertions: they just have to finish)."""

from __future__ import annotations

import random

import pytest

from notifier.engine import Engine
from notifier.rules.model import Rule, Term

from .conftest import make_item, one, rule


def test_item_without_text() -> None:
    engine = Engine([rule(any=("AI",)), rule("b", all=("芯片",), none=("广告",))])
    item = make_item("", "")
    assert engine.match(item) == []
    assert [r.reason for r in engine.evaluate(item)] == ["no keyword", "missing required '芯片'"]


def test_engine_without_rules() -> None:
    engine = Engine([])
    assert engine.match(make_item("AI")) == []
    assert engine.evaluate(make_item("AI")) == []


def test_megabyte_fields() -> None:
    rnd = random.Random(1)
    words = ["AI", "a", "芯片", "said", "GPT-5", "GPT-50", "ＡＩ", "\u200b", "ß", "輝達", "x"]
    big = " ".join(rnd.choice(words) for _ in range(250_000))[:1_000_000]
    rules = [
        rule("a", any=("a",)),
        rule("ai", any=("AI",), none=("nothing-like-this",)),
        rule("gpt", any=("GPT-5",)),
        rule("rx", any=(Term(r"gpt-\d+", regex=True),)),
        rule("chip", all=("芯片", "ss")),
    ]
    for traditional in (False, True):
        engine = Engine(rules, traditional=traditional)
        item = make_item(big, big)
        names = [r.rule.name for r in engine.match(item)]
        assert names == ["a", "ai", "gpt", "rx", "chip"]
        for r in engine.match(item):
            for h in r.hits:
                assert big[h.start : h.end] == h.text


def test_rule_with_thousands_of_terms() -> None:
    words = [f"w{i}" for i in range(5000)]
    big = Rule(
        name="big",
        any=tuple(Term(w) for w in words),
        none=tuple(Term(f"bad{i}") for i in range(2000)),
    )
    engine = Engine([big, rule("small", any=("w7",))])
    (r,) = engine.match(make_item("w1 w2 w4999 w1"))
    assert [h.text for h in r.hits] == ["w1", "w2", "w4999"]
    assert r.score == 9.0
    assert engine.match(make_item("w1 bad1999")) == []
    assert one(engine, make_item("w1 bad1999"), "big").reason == "excluded by 'bad1999' in title"
    assert [x.rule.name for x in engine.match(make_item("w7"))] == ["big", "small"]


def test_hundred_thousand_rules() -> None:
    rnd = random.Random(2)
    vocab = [f"kw{i}" for i in range(30_000)] + [f"词{i}" for i in range(30_000)]
    rules = [
        Rule(name=f"r{i}", any=tuple(Term(w) for w in rnd.sample(vocab, rnd.randint(1, 3))))
        for i in range(100_000)
    ]
    engine = Engine(rules)
    assert len(engine) == 100_000
    hit = rules[12_345].any[0].text
    names = {r.rule.name for r in engine.match(make_item(f"news about {hit} today"))}
    assert "r12345" in names
    expected = {r.name for r in rules if any(t.text == hit for t in r.any)}
    assert names == expected


def test_single_letter_and_digit_terms() -> None:
    engine = Engine([rule("r", any=("R",)), rule("d", any=("5",))])
    assert [r.rule.name for r in engine.match(make_item("R 语言 5 周年"))] == ["r", "d"]
    assert engine.match(make_item("Rust 50")) == []


@pytest.mark.parametrize("text", ["\u200b", "   ", "\ufeff\u200d", "\u00ad"])
def test_terms_empty_after_folding(text: str) -> None:
    engine = Engine(
        [
            rule("any", any=(text, "AI")),
            rule("all", any=("AI",), all=(text,)),
            rule("none", any=("AI",), none=(text,)),
            rule("only", any=(text,)),
        ]
    )
    names = [r.rule.name for r in engine.match(make_item("AI"))]
    assert names == ["any", "none"]
    assert any("empty after folding" in w for w in engine.warnings)
    assert one(engine, make_item("AI"), "all").reason == f"missing required '{text}'"


def test_pathological_regex_rejected_not_run() -> None:
    from notifier.errors import ConfigError

    with pytest.raises(ConfigError, match="nested quantifier"):
        Engine([rule(any=(Term(r"^(a+)+$", regex=True),))])


def test_odd_characters() -> None:
    from notifier.items import Item

    engine = Engine([rule(any=("\x00AI",)), rule("b", any=("芯\x00片",))])
    item = Item(id="x", title="AI\x00芯片 \udcff 😀")
    assert [r.rule.name for r in engine.match(item)] == ["r", "b"]  # NULs are dropped from terms
