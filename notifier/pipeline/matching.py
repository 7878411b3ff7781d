"""Who wants an item: matchers turn an item into (target, rule, score) matches.

The config's rules are one matcher (:class:`RuleMatcher`); the Telegram bot's
subscriptions are another. The ingest step asks every matcher about every new story.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from notifier.engine import Engine, Result
from notifier.items import Item
from notifier.rules.model import Rule


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    """An item matched for a target."""

    target: str
    rule: str
    score: float
    tags: tuple[str, ...] = ()
    #: ``instant``/``digest`` overriding the target's mode (a rule's ``delivery:``).
    mode: str | None = None
    #: Other rules that matched the item for the same target (listed in the delivery).
    also: tuple[str, ...] = ()
    #: How messages name the rule, when not by ``rule`` (a subscription's own words).
    label: str | None = None


class Matcher(Protocol):
    """Something that decides which targets want an item.

    A matcher may also have ``async def refresh()``: the ingest step awaits it before
    each digest (the subscriptions follow their change log that way).
    """

    def match_digest(self, items: Sequence[Item]) -> list[list[Match]]:
        """Return the matches of each item of one digest (same order)."""


class RuleMatcher:
    """The rules of rules.yaml: one engine pass per item, routed by each rule's ``notify``.

    A rule's ``max_items`` (TrendRadar's ``@N``) keeps its N best items per digest.
    """

    def __init__(self, rules: Sequence[Rule], *, traditional: bool = False) -> None:
        self.engine = Engine(rules, traditional=traditional)

    def match_digest(self, items: Sequence[Item]) -> list[list[Match]]:
        found = [self.engine.match(item) for item in items]
        capped = _caps(found)
        out: list[list[Match]] = []
        for index, results in enumerate(found):
            matches = []
            for result in results:
                rule = result.rule
                if (index, rule.name) in capped:
                    continue
                matches += [
                    Match(target, rule.name, result.score, rule.tags, rule.delivery)
                    for target in rule.notify
                ]
            out.append(matches)
        return out


def _caps(found: list[list[Result]]) -> set[tuple[int, str]]:
    """(item index, rule name) pairs beyond their rule's ``max_items`` in this digest."""
    by_rule: dict[str, list[tuple[float, int]]] = {}
    limits: dict[str, int] = {}
    for index, results in enumerate(found):
        for result in results:
            if result.rule.max_items is not None:
                limits[result.rule.name] = result.rule.max_items
                by_rule.setdefault(result.rule.name, []).append((-result.score, index))
    dropped: set[tuple[int, str]] = set()
    for name, ranked in by_rule.items():
        for _, index in sorted(ranked)[limits[name] :]:
            dropped.add((index, name))
    return dropped
