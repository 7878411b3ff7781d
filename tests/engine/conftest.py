"""Helpers for the engine tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifier.engine import Engine, Result
from notifier.items import Item, item_id
from notifier.rules.model import Rule, Term


def make_item(
    title: str = "",
    summary: str = "",
    *,
    rank: int = 0,
    hotness: int | None = None,
    **kw: str | None,
) -> Item:
    return Item(
        id=item_id(None, title, "t"),
        title=title,
        summary=summary,
        rank=rank,
        hotness=hotness,
        **kw,  # type: ignore[arg-type]
    )


def rule(
    name: str = "r",
    any: tuple[str | Term, ...] = (),
    all: tuple[str | Term, ...] = (),
    none: tuple[str | Term, ...] = (),
    **kw: object,
) -> Rule:
    def terms(ts: tuple[str | Term, ...]) -> tuple[Term, ...]:
        return tuple(t if isinstance(t, Term) else Term(t) for t in ts)

    return Rule(name=name, any=terms(any), all=terms(all), none=terms(none), **kw)  # type: ignore[arg-type]


@pytest.fixture
def matches() -> Callable[..., list[str]]:
    """``matches(rules, title, summary="", traditional=False)`` → names of matched rules."""

    def run(
        rules: list[Rule] | Rule, title: str, summary: str = "", traditional: bool = False
    ) -> list[str]:
        rs = [rules] if isinstance(rules, Rule) else rules
        engine = Engine(rs, traditional=traditional)
        return [r.rule.name for r in engine.match(make_item(title, summary))]

    return run


def one(engine: Engine, item: Item, name: str) -> Result:
    (result,) = engine.evaluate(item, [name])
    return result
