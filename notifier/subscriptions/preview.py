"""What the bot tells people about an expression before and after they subscribe.

- :func:`check_expr`: the expression against the limits, with a clear reason when it is
  refused (empty, too long, too many keywords, only excluded words, a syntax error);
- :func:`explain`: whether a headline matches, which terms hit, the score and why not;
- :func:`preview`: what the expression would have caught among the recent stories.

All three build the rule exactly as :class:`~notifier.subscriptions.matcher.SubscriptionMatcher`
does (``subscription_rule``), so what the bot shows is what ingest will do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from notifier.config import BotLimits
from notifier.engine import Engine, Result
from notifier.items import Item
from notifier.rules.expr import ExprError, parse_terms
from notifier.rules.model import DEFAULT_FIELD_WEIGHTS, Rule, Term
from notifier.subscriptions.matcher import subscription_rule
from notifier.subscriptions.model import Subscription

if TYPE_CHECKING:
    from notifier.store import Store

#: Recent stories the preview looks through (most sources first, then newest).
PREVIEW_SCAN = 2000


class ExprRefused(ValueError):
    """An expression the bot should not accept. ``code`` says why (for translations):
    ``empty``, ``too_long``, ``too_many_keywords``, ``only_excluded`` or ``syntax``;
    ``count``/``limit`` or ``column`` fill the message in. ``str()`` is an English
    sentence that never repeats the expression."""

    def __init__(
        self, code: str, message: str, *, count: int = 0, limit: int = 0, column: int = 0
    ) -> None:
        super().__init__(message)
        self.code = code
        self.count = count
        self.limit = limit
        self.column = column


def check_expr(expr: str, limits: BotLimits | None = None) -> Rule:
    """Return the rule of an expression within ``limits``, or raise :class:`ExprRefused`."""
    limits = limits or BotLimits()
    text = expr.strip()
    if not text:
        raise ExprRefused("empty", "the expression is empty: give at least one word")
    if len(text) > limits.expr_chars:
        raise ExprRefused(
            "too_long",
            f"the expression is {len(text)} characters long; at most {limits.expr_chars}",
            count=len(text),
            limit=limits.expr_chars,
        )
    try:
        terms = parse_terms(text)
    except ExprError as exc:
        raise ExprRefused("syntax", str(exc), column=exc.column) from None
    count = len(terms.any) + len(terms.all) + len(terms.none)
    if count > limits.keywords:
        raise ExprRefused(
            "too_many_keywords",
            f"{count} keywords; at most {limits.keywords} per subscription",
            count=count,
            limit=limits.keywords,
        )
    if not terms.any and not terms.all:
        if not terms.none:
            raise ExprRefused("empty", "the expression is empty: give at least one word")
        raise ExprRefused("only_excluded", "only excluded words (!word): add a word to look for")
    return _rule(text)


@dataclasses.dataclass(frozen=True, slots=True)
class Explanation:
    """How an expression judges one headline."""

    matched: bool
    score: float
    #: The positive terms that hit, as written (``英伟达``, ``"Sam Altman"``), each once.
    hits: tuple[str, ...]
    #: The excluded terms that hit.
    excluded: tuple[str, ...]
    #: ``matched``, ``no keyword``, ``missing required 'X'``, ``excluded by 'X' in title``.
    reason: str
    #: ``(label, value)`` lines of the score, as ``notifier test-rule --explain`` shows.
    breakdown: tuple[tuple[str, float], ...] = ()


def explain(
    expr: str,
    text: str,
    *,
    summary: str = "",
    traditional: bool = True,
    field_weights: Mapping[str, float] | None = None,
) -> Explanation:
    """Whether a headline (and ``summary``) matches ``expr``, which terms hit, the score.

    Raises:
        ExprError: the expression cannot be read.
    """
    rule = _rule(expr, field_weights)
    engine = Engine([rule], traditional=traditional)
    result = engine.evaluate(Item(id="test", title=text, summary=summary))[0]
    return _explanation(result)


@dataclasses.dataclass(frozen=True, slots=True)
class Caught:
    """A recent story the expression would have caught."""

    story: dict[str, Any]  # the stored item JSON, with story_id, sources, first_seen
    score: float
    hits: tuple[str, ...]


async def preview(
    store: Store,
    expr: str,
    since: float,
    limit: int = 5,
    *,
    traditional: bool = True,
    field_weights: Mapping[str, float] | None = None,
) -> list[Caught]:
    """The best ``limit`` stories first seen since ``since`` that ``expr`` matches, best
    score first (then most sources, newest).

    Raises:
        ExprError: the expression cannot be read.
    """
    rule = _rule(expr, field_weights)
    engine = Engine([rule], traditional=traditional)
    found: list[tuple[float, int, Caught]] = []
    for index, story in enumerate(await store.recent_stories(since, PREVIEW_SCAN)):
        try:
            item = Item.from_json(story)
        except (TypeError, ValueError, KeyError):
            continue
        for result in engine.match(item):
            hits = _explanation(result).hits
            found.append((-result.score, index, Caught(story, result.score, hits)))
    found.sort(key=lambda f: (f[0], f[1]))
    return [caught for _, _, caught in found[:limit]]


def term_label(term: Term) -> str:
    """A term as the user would type it: ``word``, ``"a phrase"``, ``/regex/``."""
    if term.regex:
        return f"/{term.text}/"
    return f'"{term.text}"' if any(c.isspace() for c in term.text) else term.text


def _rule(expr: str, field_weights: Mapping[str, float] | None = None) -> Rule:
    weights = dict(field_weights) if field_weights is not None else DEFAULT_FIELD_WEIGHTS
    return subscription_rule(Subscription(0, 0, expr), weights)


def _explanation(result: Result) -> Explanation:
    positive: dict[str, None] = {}
    excluded: dict[str, None] = {}
    for hit in result.hits:
        (excluded if hit.role == "none" else positive).setdefault(term_label(hit.term))
    return Explanation(
        matched=result.matched,
        score=result.score,
        hits=tuple(positive),
        excluded=tuple(excluded),
        reason=result.reason,
        breakdown=tuple(result.breakdown) if result.matched else (),
    )
