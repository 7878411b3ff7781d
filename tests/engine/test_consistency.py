"""Many rules at once give the same results as each rule alone; match agrees with
evaluate; add_rule/remove_rule agree with a fresh engine."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from notifier.engine import Engine, Result
from notifier.items import Item
from notifier.rules.model import Rule, Term

from .conftest import make_item

WORDS = [
    *("AI", "GPT", "GPT-5", "OpenAI", "openai", "Claude", "R", "C++", "5G", "a", "i"),
    *("NVIDIA", "英伟达", "輝達", "芯片", "模型", "大模型", "发布", "融资", "开源", "机器人"),
    *("智能体", "广告", "谷歌", "苹果", "微软", "ＡＩ", "数据", "训练", "推理", "said"),
    *("Google", "Gemini"),
]
REGEXES = (r"gpt-?\d+", r"\d+亿", r"(?:open|close)ai", r"[a-z]+\d{2}", r"芯片|晶片")
FIELD_CHOICES = (None, ("title",), ("summary",), ("title", "summary"), ("source",))


def _term(rnd: random.Random) -> Term:
    if rnd.random() < 0.1:
        return Term(rnd.choice(REGEXES), regex=True, fields=rnd.choice(FIELD_CHOICES))
    return Term(
        rnd.choice(WORDS),
        weight=rnd.choice((1.0, 1.0, 2.0, 0.5)),
        fields=rnd.choice(FIELD_CHOICES) if rnd.random() < 0.2 else None,
    )


def random_rules(n: int, seed: int = 5) -> list[Rule]:
    rnd = random.Random(seed)
    rules = []
    for i in range(n):
        rules.append(
            Rule(
                name=f"r{i}",
                any=tuple(_term(rnd) for _ in range(rnd.choice((0, 1, 1, 2, 3, 5)))),
                all=tuple(_term(rnd) for _ in range(rnd.choice((0, 0, 0, 1, 2)))),
                none=tuple(_term(rnd) for _ in range(rnd.choice((0, 0, 1)))),
                fields=rnd.choice((("title", "summary"), ("title",), ("title", "source"))),
                field_weights={"title": rnd.choice((3.0, 2.0)), "summary": 1.0, "source": 0.5},
                min_score=rnd.choice((0, 0, 0, 2, 4)),
            )
        )
    return rules


def corpus_items() -> list[Item]:
    try:
        from notifier.parse import iter_digests
    except ImportError:
        return []
    items: list[Item] = []
    for result in iter_digests(Path(__file__).resolve().parents[3] / "shared" / "corpus"):
        items.extend(getattr(result, "items", []) or [])
    return items[::3]


def synthetic_items(n: int, seed: int = 9) -> list[Item]:
    rnd = random.Random(seed)
    filler = ["的", " ", "，", "said", "x", "1", "亿", "\u200b", "Ｇ", "-", "5"]
    pool = WORDS + filler
    return [
        make_item(
            "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 12))),
            "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 40))),
            rank=rnd.randint(0, 30),
            hotness=rnd.choice((None, 5, 151)),
            source=rnd.choice(("", "广告 weekly", "AI daily")),
        )
        for _ in range(n)
    ]


def key(r: Result) -> tuple[object, ...]:
    return (
        r.rule.name,
        r.matched,
        r.score,
        r.reason,
        tuple((h.term, h.role, h.field, h.start, h.end, h.text) for h in r.hits),
        tuple(r.scored),
    )


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return corpus_items() + synthetic_items(300)


@pytest.mark.parametrize("traditional", [False, True])
def test_many_rules_equal_each_alone(items: list[Item], traditional: bool) -> None:
    rules = random_rules(150)
    engine = Engine(rules, traditional=traditional)
    alone = [Engine([r], traditional=traditional) for r in rules]
    matched_any = 0
    for item in items:
        together = [key(r) for r in engine.match(item)]
        separate = [key(r) for e in alone for r in e.match(item)]
        assert together == separate, item.title
        full = engine.evaluate(item)
        assert [key(r) for r in full if r.matched] == together
        assert [key(r) for r in full] == [key(e.evaluate(item)[0]) for e in alone]
        matched_any += bool(together)
    assert matched_any > len(items) // 10  # the test exercises matches, not just misses


def test_add_and_remove_rules_incrementally(items: list[Item]) -> None:
    rules = random_rules(400, seed=11)
    engine = Engine(rules[:100])
    for r in rules[100:]:
        engine.add_rule(r)
        if int(r.name[1:]) % 7 == 0:
            engine.match(items[0])  # interleave: lazy rebuilds happen between additions
    removed = {f"r{i}" for i in range(0, 400, 3)}
    for name in sorted(removed):
        assert engine.remove_rule(name).name == name
    kept = [r for r in rules if r.name not in removed]
    fresh = Engine(kept)
    assert [r.name for r in engine.rules] == [r.name for r in kept]
    for item in items:
        assert [key(r) for r in engine.match(item)] == [key(r) for r in fresh.match(item)]
    with pytest.raises(KeyError):
        engine.remove_rule("r0")


def test_incremental_index_rebuilds_lazily() -> None:
    from notifier.engine.index import KeyIndex

    index = KeyIndex()
    for i in range(5000):
        index.add(f"k{i}词")
    index.rebuild()
    index.add("新词")
    assert index.scan("一个新词") == {"新词"}  # through the delta shard
    assert index._delta is not None
    assert index._main is not None
    index.discard("新词")
    assert index.scan("一个新词") == set()
    index.discard("k1词")
    assert "k1词" in index.scan("k1词")  # dead keys may still be reported …
    assert len(index) == 4999  # … but are no longer referenced


def test_add_rule_does_not_rebuild_the_main_automaton() -> None:
    rules = [Rule(name=f"r{i}", any=(Term(f"kw{i}"), Term(f"词{i}"))) for i in range(20_000)]
    engine = Engine(rules)
    main = engine._index._main
    engine.add_rule(Rule(name="new", any=(Term("全新关键词"),)))
    assert [r.rule.name for r in engine.match(make_item("一个全新关键词"))] == ["new"]
    assert engine._index._main is main  # only the small delta shard was built
    engine.remove_rule("r5")
    assert engine.match(make_item("kw5")) == []
    assert engine._index._main is main
