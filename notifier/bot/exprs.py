"""Subscription expressions for the bot: validation against the limits, /test explanations
and the /sub preview over recent stories.

A minimal stand-in for ``notifier.subscriptions.preview`` (the pipeline side), built on the
same engine and parser, so a subscription matches here exactly as it will in ingest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from notifier.bot.options import Limits
from notifier.engine import Engine, Result
from notifier.items import Item
from notifier.rules.expr import ExprError, parse_expr, parse_terms
from notifier.rules.model import Rule, Term

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


class Refusal(Exception):
    """Input the bot declines: ``key`` names the i18n message, ``values`` fill it in."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def validate(expr: str, limits: Limits) -> Rule:
    """The rule of a /sub expression, or :class:`Refusal` saying what is wrong."""
    expr = expr.strip()
    if not expr:
        raise Refusal("sub_usage")
    if len(expr) > limits.expr_chars:
        raise Refusal("expr_too_long", count=len(expr), limit=limits.expr_chars)
    if _TAG.search(expr):
        raise Refusal("html_refused")
    try:
        terms = parse_terms(expr)
        rule = parse_expr(expr, name="sub")
    except ExprError as exc:
        raise Refusal("expr_error", reason=exc.reason, column=exc.column) from None
    count = len(terms.any) + len(terms.all) + len(terms.none)
    if count > limits.keywords:
        raise Refusal("too_many_terms", count=count, limit=limits.keywords)
    return rule


def canonical(expr: str) -> str:
    """The expression with runs of spaces collapsed (for duplicate detection)."""
    return " ".join(expr.split())


def term_label(term: Term) -> str:
    if term.regex:
        return f"/{term.text}/"
    return f'"{term.text}"' if " " in term.text else term.text


def explain(expr: str, text: str, *, traditional: bool = True) -> Result:
    """How the expression judges a headline ``text`` (matched or the reason it did not)."""
    rule = parse_expr(expr, name="sub")
    item = Item(id="test", title=text)
    return Engine([rule], traditional=traditional).evaluate(item)[0]


def reason_text(result: Result, lang: str) -> str:
    """The engine's reason in the user's language."""
    reason = result.reason
    if lang != "zh":
        return reason
    if reason == "no keyword":
        return "没有命中任何关键词"
    if m := re.fullmatch(r"missing required '(.*)'", reason):
        return f"缺少必须词「{m.group(1)}」"
    if m := re.fullmatch(r"excluded by '(.*)' in (\w+)", reason):
        return f"含排除词「{m.group(1)}」"
    return reason


def hit_labels(result: Result) -> list[str]:
    """The positive terms that hit, each once."""
    seen: dict[str, None] = {}
    for hit in result.hits:
        if hit.role != "none":
            seen.setdefault(term_label(hit.term))
    return list(seen)


def preview(
    rule: Rule, stories: Iterable[dict[str, Any]], *, traditional: bool = True
) -> list[dict[str, Any]]:
    """The stories (stored item JSON) the rule matches, best score first."""
    engine = Engine([rule], traditional=traditional)
    found: list[tuple[float, int, dict[str, Any]]] = []
    for index, story in enumerate(stories):
        try:
            item = Item.from_json(story)
        except (TypeError, ValueError, KeyError):
            continue
        results = engine.match(item)
        if results:
            found.append((-results[0].score, index, story))
    return [story for _, _, story in sorted(found, key=lambda f: (f[0], f[1]))]


def join_terms(terms: Sequence[Term]) -> str:
    return ", ".join(term_label(term) for term in terms)
