"""Subscription expressions as the bot handles them, on the pipeline's helpers
(``notifier.subscriptions.preview``: the same rule the matcher builds): validation with a
translatable refusal, /test explanations in the user's language, the /sub preview.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from notifier.bot.inputs import strip_bidi
from notifier.config import BotLimits
from notifier.rules.model import Rule, Term
from notifier.subscriptions import preview as helpers
from notifier.subscriptions.preview import Caught, Explanation, term_label

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_COLUMN = re.compile(r"^.*?column \d+: ")
#: ``ExprRefused.code`` → the i18n key of the answer.
_ANSWERS = {
    "empty": "sub_usage",
    "too_long": "expr_too_long",
    "too_many_keywords": "too_many_terms",
    "only_excluded": "only_excluded",
    "syntax": "expr_error",
}


class Refusal(Exception):
    """Input the bot declines: ``key`` names the i18n message, ``values`` fill it in."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def validate(expr: str, limits: BotLimits) -> Rule:
    """The rule of a /sub expression, or :class:`Refusal` saying what is wrong."""
    if _TAG.search(expr):  # <b>OpenAI</b> would never match anything: say so
        raise Refusal("html_refused")
    try:
        return helpers.check_expr(expr, limits)
    except helpers.ExprRefused as refused:
        reason = _COLUMN.sub("", str(refused))
        raise Refusal(
            _ANSWERS.get(refused.code, "expr_error"),
            count=refused.count,
            limit=refused.limit,
            column=refused.column,
            reason=reason,
        ) from None


def canonical(expr: str) -> str:
    """The expression as stored: bidi controls removed, runs of spaces collapsed (so
    duplicates are found)."""
    return " ".join(strip_bidi(expr).split())


def join_terms(terms: tuple[Term, ...]) -> str:
    return ", ".join(term_label(term) for term in terms)


def explain(
    expr: str,
    text: str,
    *,
    traditional: bool = True,
    field_weights: Mapping[str, float] | None = None,
) -> Explanation:
    """How the expression judges a headline (``ExprError`` if it cannot be read)."""
    return helpers.explain(expr, text, traditional=traditional, field_weights=field_weights)


async def preview(
    stories: Any,
    expr: str,
    since: float,
    *,
    traditional: bool = True,
    field_weights: Mapping[str, float] | None = None,
) -> list[Caught]:
    """Every recent story (of ``stories.recent_stories``) the expression catches, best first."""
    return await helpers.preview(
        stories,
        expr,
        since,
        limit=helpers.PREVIEW_SCAN,
        traditional=traditional,
        field_weights=field_weights,
    )


def reason_text(reason: str, lang: str) -> str:
    """The engine's reason for not matching, in the user's language."""
    if lang != "zh":
        return reason
    if reason == "no keyword":
        return "没有命中任何关键词"
    if m := re.fullmatch(r"missing required '(.*)'", reason):
        return f"缺少必须词「{m.group(1)}」"
    if m := re.fullmatch(r"excluded by '(.*)' in (\w+)", reason):
        return f"含排除词「{m.group(1)}」"
    if m := re.fullmatch(r"score (\S+) < min_score (\S+)", reason):
        return f"得分 {m.group(1)} 低于 {m.group(2)}"
    return reason
