"""The subscriptions as a matcher: one engine holding every live subscription.

Each live subscription is a rule ``sub:<id>`` (its expression read by
``notifier.rules.expr.parse_expr``) in one :class:`~notifier.engine.Engine`, so an item is
scanned once whatever the number of subscribers. A match goes to the chat ``tg:<chat>``:
one per chat, with the best score, even when several of its subscriptions hit (their rule
names are listed in ``Match.also``). Messages name the subscription as the chat knows it:
its number and words (``#2 OpenAI +芯片``, ``Match.label``), never ``sub:<id>``.

The engine follows the change log through a :class:`Directory`: :meth:`refresh` (called
before each digest) applies what changed since the last digest, rule by rule.
``Engine.add_rule``/``remove_rule`` only touch the rule's postings; the automaton catches
up lazily (a small delta automaton for new keys, the main one rebuilt rarely), see
``notifier.engine.index`` and ``bench/subscribers.py`` for what a change costs at 100,000
subscriptions.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence

from notifier.engine import Engine, Result
from notifier.items import Item
from notifier.pipeline.matching import Match
from notifier.rules.expr import parse_expr
from notifier.rules.model import DEFAULT_FIELD_WEIGHTS, Rule, Term
from notifier.subscriptions.directory import Directory
from notifier.subscriptions.model import Subscription, rule_name, target_name

log = logging.getLogger("notifier.subscriptions")


def unreadable(subs: Sequence[Subscription]) -> list[tuple[Subscription, str]]:
    """The subscriptions the matcher skips, each with the reason (for ``notifier status``)."""
    seen: dict[str, str | None] = {}  # one parse per distinct expression
    out = []
    for sub in subs:
        if sub.expr not in seen:
            try:
                subscription_rule(sub)
                seen[sub.expr] = None
            except ValueError as exc:
                seen[sub.expr] = str(exc).removeprefix(f"{rule_name(sub.id)}: ")
        if (reason := seen[sub.expr]) is not None:
            out.append((sub, reason))
    return out


def subscription_rule(
    sub: Subscription,
    field_weights: dict[str, float] | None = None,
    terms: dict[Term, Term] | None = None,
) -> Rule:
    """The engine rule of a subscription (``ExprError`` if its expression is unreadable).

    Pass the same ``field_weights`` dict for every subscription (100,000 rules, one dict),
    and the same ``terms`` dict: equal terms of different subscriptions (``OpenAI`` in
    thousands of them) then share one object.
    """
    rule = parse_expr(sub.expr, name=rule_name(sub.id))
    weights = DEFAULT_FIELD_WEIGHTS if field_weights is None else field_weights
    if terms is None:
        return dataclasses.replace(rule, field_weights=weights)
    return dataclasses.replace(
        rule,
        any=tuple(terms.setdefault(t, t) for t in rule.any),
        all=tuple(terms.setdefault(t, t) for t in rule.all),
        none=tuple(terms.setdefault(t, t) for t in rule.none),
        field_weights=weights,
    )


class SubscriptionMatcher:
    """Matches items against every live subscription; implements ``Matcher``."""

    def __init__(
        self,
        directory: Directory,
        *,
        traditional: bool = False,
        field_weights: Mapping[str, float] | None = None,
    ) -> None:
        self.directory = directory
        self.engine = Engine(traditional=traditional)
        self._weights = dict(field_weights) if field_weights is not None else None
        self._route: dict[str, str] = {}  # rule name → target (tg:<chat>)
        self._words: dict[str, str] = {}  # rule name → "#2 OpenAI", as messages show it
        self._terms: dict[Term, Term] = {}  # one object per distinct term
        directory.listen(self._apply)

    def __len__(self) -> int:
        return len(self.engine)

    async def refresh(self) -> None:
        """Bring the engine up to date with the change log (cheap when nothing changed)."""
        await self.directory.refresh()

    def _apply(self, added: Sequence[Subscription], removed: Sequence[int]) -> None:
        for sub_id in removed:
            name = rule_name(sub_id)
            if self._route.pop(name, None) is not None:
                self.engine.remove_rule(name)
                del self._words[name]
        for sub in added:
            name = rule_name(sub.id)
            if self._route.pop(name, None) is not None:
                self.engine.remove_rule(name)
                del self._words[name]
            try:
                self.engine.add_rule(subscription_rule(sub, self._weights, self._terms))
            except ValueError as exc:  # ConfigError, RegexError: by an older bot, or by hand
                log.warning("subscription %d of chat %d skipped: %s", sub.id, sub.chat_id, exc)
                continue
            self._route[name] = target_name(sub.chat_id)
            self._words[name] = sub.label

    def match_digest(self, items: Sequence[Item]) -> list[list[Match]]:
        # The hot path: thousands of matched subscriptions per story at 100,000 of them.
        route = self._route
        words = self._words
        out: list[list[Match]] = []
        for item in items:
            best: dict[str, Result] = {}  # target → its best result
            also: dict[str, list[str]] = {}  # target → the other rules that hit
            put = best.setdefault
            for result in self.engine.match(item):
                target = route[result.rule.name]
                found = put(target, result)
                if found is not result:
                    if result.score > found.score:
                        best[target], found = result, found
                    else:
                        found = result
                    also.setdefault(target, []).append(found.rule.name)
            out.append(
                [
                    Match(
                        target,
                        r.rule.name,
                        r.score,
                        also=tuple(also.get(target, ())),
                        label=words[r.rule.name],
                    )
                    for target, r in best.items()
                ]
            )
        return out
