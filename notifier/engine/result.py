"""What the engine returns: a :class:`Result` per rule, with its :class:`Hit` list.

``Result.hits``, ``scored`` and ``breakdown`` are computed on first access, so
``Engine.match`` stays cheap for callers that only need the verdict and the score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

from notifier.rules.model import Rule, Term

if TYPE_CHECKING:
    from notifier.engine.compile import CRule, CTerm
    from notifier.folding import Folded
    from notifier.items import Item

Role = Literal["any", "all", "none"]


class Hit(NamedTuple):
    """A term found in a field: its first occurrence, offsets in the ORIGINAL text."""

    term: Term
    role: Role
    field: str
    start: int
    end: int
    #: ``original_field_text[start:end]``
    text: str


class ScoredTerm(NamedTuple):
    """A positive term as counted in the score: once, at its best field."""

    term: Term
    field: str
    weight: float
    field_weight: float


#: (compiled term, fields it hit in)
TermHits = list[tuple["CTerm", tuple[str, ...]]]


class ItemView:
    """What a result needs from the item being matched (shared by its results)."""

    __slots__ = ("folded", "heat", "item", "keys", "regex")

    def __init__(self, item: Item, heat: float) -> None:
        self.item = item
        self.heat = heat
        self.folded: dict[str, Folded] = {}
        #: key → fields it was found in
        self.keys: dict[str, tuple[str, ...]] = {}
        #: (pattern, field) → folded span of the first match, or None
        self.regex: dict[tuple[str, str], tuple[int, int] | None] = {}


class Result:
    """The verdict of one rule on one item.

    ``reason`` is ``"matched"`` or the first failed condition, checked in this order:
    ``"no keyword"`` (no any-term hit, or the rule has no positive term at all),
    ``"missing required '芯片'"``, ``"excluded by '广告' in title"``,
    ``"score 1.5 < min_score 2"``.
    """

    __slots__ = ("_cr", "_found", "_hits", "_positive", "_verdict", "_view", "rule", "score")

    def __init__(
        self,
        cr: CRule,
        score: float,
        view: ItemView,
        found: TermHits | None = None,
        positive: TermHits | None = None,
        matched: bool = True,
        reason: str = "matched",
    ) -> None:
        # ``Engine.match`` makes one per matched rule: keep this cheap.
        self.rule: Rule = cr.rule
        self.score = score
        self._cr = cr
        self._view = view
        #: every (term, fields) that hit, none-terms included; None: a matched plain
        #: rule, whose hits are its positive ones, worked out on first use
        self._found = found
        self._positive = positive  # the any/all ones, in scoring order
        self._hits: tuple[Hit, ...] | None = None
        #: (matched, reason); None: matched
        self._verdict = None if matched and reason == "matched" else (matched, reason)

    @property
    def matched(self) -> bool:
        """Whether the rule matched the item."""
        return self._verdict is None or self._verdict[0]

    @property
    def reason(self) -> str:
        """``"matched"`` or why not (see the class docstring)."""
        return "matched" if self._verdict is None else self._verdict[1]

    def unmatched(self, reason: str) -> Result:
        """This result, not matched, for ``reason`` (same hits and score)."""
        found, positive = self._terms()
        return Result(self._cr, self.score, self._view, found, positive, False, reason)

    def _terms(self) -> tuple[TermHits, TermHits]:
        if self._found is None:
            from notifier.engine.hits import positive_hits

            self._found = self._positive = positive_hits(self._cr, self._view.keys)
        assert self._positive is not None
        return self._found, self._positive

    def __repr__(self) -> str:
        return (
            f"Result(rule={self.rule.name!r}, matched={self.matched}, "
            f"score={self.score:.4g}, reason={self.reason!r})"
        )

    @property
    def item(self) -> Item:
        """The item this result is about."""
        return self._view.item

    @property
    def hits(self) -> tuple[Hit, ...]:
        """One :class:`Hit` per (term, field) that hit, in rule order (any, all, none)."""
        if self._hits is None:
            from notifier.engine.hits import make_hit

            found = sorted(self._terms()[0], key=lambda th: th[0].order)
            self._hits = tuple(make_hit(t, f, self._view) for t, fs in found for f in fs)
        return self._hits

    @property
    def scored(self) -> tuple[ScoredTerm, ...]:
        """The terms that make up the keyword part of the score."""
        from notifier.engine.hits import score_terms

        return score_terms(self._cr.field_weight, self._terms()[1])

    @property
    def breakdown(self) -> list[tuple[str, float]]:
        """Lines ``(label, value)`` explaining the score, for ``--explain``."""
        from notifier.engine.scoring import heat_lines

        lines: list[tuple[str, float]] = []
        keywords = 0.0
        for s in self.scored:
            value = s.weight * s.field_weight
            keywords += value
            label = f"'{s.term.text}' in {s.field}: {s.weight:g} × {s.field_weight:g}"
            lines.append((label, value))
        lines.append(("keywords", keywords))
        lines.extend(heat_lines(self._view.item))
        lines.append(("score = keywords × heat", self.score))
        if self.rule.min_score:
            lines.append(("min_score", self.rule.min_score))
        return lines
