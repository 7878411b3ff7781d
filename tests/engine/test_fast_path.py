"""``Engine.match`` (plain rules decided from postings) agrees with ``evaluate`` (every
rule evaluated one by one) on the benchmark workload: corpus items, generated rules."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from notifier.engine import Engine
from notifier.items import Item
from notifier.rules.model import Rule, Term

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _corpus import CORPUS, load_items, make_rules, vocabulary

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")


@pytest.fixture(scope="module")
def workload() -> tuple[list[Rule], list[Item]]:
    items = load_items()
    rules = make_rules(1_000, vocabulary(items[0::2]))
    # Some rules the fast path must leave to the slow one, or decide with other weights.
    odd: list[Rule] = []
    for i, r in enumerate(rules[:200]):
        if i % 4 == 0:
            r = dataclasses.replace(r, field_weights={"title": 0.3, "summary": 0.1})  # inexact
        elif i % 4 == 1:
            r = dataclasses.replace(r, any=(*r.any, Term(r"\d+", regex=True)))  # regex
        elif i % 4 == 2:
            r = dataclasses.replace(r, min_score=4.0, fields=("title",))
        else:
            r = dataclasses.replace(r, any=(*r.any, Term(r.any[0].text, weight=2.0)))  # twice
        odd.append(dataclasses.replace(r, name=f"odd{i}"))
    return rules + odd, items


def test_match_equals_evaluate(workload: tuple[list[Rule], list[Item]]) -> None:
    rules, items = workload
    engine = Engine(rules)
    assert sum(cr.plain for cr in engine._rules if cr) >= 1_000  # the fast path is used
    matched = 0
    for n, item in enumerate(items):
        fast = engine.match(item)
        slow = [r for r in engine.evaluate(item) if r.matched]
        assert [r.rule.name for r in fast] == [r.rule.name for r in slow], item.title
        for a, b in zip(fast, slow, strict=True):
            assert a.score == b.score  # bit for bit (compile._plain), so within 1e-9
            assert a.reason == b.reason == "matched"
            if n % 5 == 0:  # the lazy parts too (slower)
                assert a.hits == b.hits
                assert a.scored == b.scored
                assert a.breakdown == b.breakdown
        matched += len(fast)
    assert matched > len(items)  # several matches per item on average
