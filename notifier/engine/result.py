"""What the engine returns: a :class:`Result` per rule, with its :class:`Hit` list."""

from __future__ import annotations

import dataclasses
from typing import Literal

from notifier.items import Item
from notifier.rules.model import Rule, Term

Role = Literal["any", "all", "none"]


@dataclasses.dataclass(frozen=True, slots=True)
class Hit:
    """A term found in a field: the first occurrence, offsets in the ORIGINAL text."""

    term: Term
    role: Role
    field: str
    start: int
    end: int
    #: ``original_field_text[start:end]``
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class ScoredTerm:
    """A positive term that counts in the score, at its best field."""

    term: Term
    field: str
    weight: float
    field_weight: float


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    """The verdict of one rule on one item.

    ``reason`` is ``"matched"`` or the first failed condition, checked in this order:
    ``"no keyword"`` (no any-term hit, or the rule has no usable positive term),
    ``"missing required '芯片'"``, ``"excluded by '广告' in title"``,
    ``"score 1.5 < min_score 2"``.
    """

    rule: Rule
    matched: bool
    score: float
    hits: tuple[Hit, ...]
    reason: str
    scored: tuple[ScoredTerm, ...] = dataclasses.field(default=(), repr=False)
    item: Item | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def breakdown(self) -> list[tuple[str, float]]:
        """Lines ``(label, value)`` explaining the score, for ``--explain``."""
        from notifier.engine.scoring import heat_lines

        lines: list[tuple[str, float]] = []
        keywords = 0.0
        for s in self.scored:
            value = s.weight * s.field_weight
            keywords += value
            lines.append(
                (f"{s.term.text!r} in {s.field}: {s.weight:g} × {s.field_weight:g}", value)
            )
        lines.append(("keywords", keywords))
        if self.item is not None:
            lines.extend(heat_lines(self.item))
        lines.append(("score = keywords × heat", self.score))
        if self.rule.min_score:
            lines.append(("min_score", self.rule.min_score))
        return lines
