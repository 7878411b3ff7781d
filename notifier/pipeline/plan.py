"""Planning one target's claimed deliveries into messages: a catch-up for a backlog (its
best entries, the rest summarised as a count), then the fresh entries; at most the policy's
``max_items`` entries per message, the first of each group titled (a catch-up, a digest).
Every text a message adds is in the target's language (``notifier.delivery.texts``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from notifier.delivery.policy import Mode, Policy, backlog_split
from notifier.delivery.texts import catch_up, language, say
from notifier.store import Delivery

if TYPE_CHECKING:
    from channels.base import Entry, Message

Plan = list[tuple["Message", list[int]]]


def plan_messages(
    batch: Sequence[Delivery], policy: Policy, target: str, *, operator: bool = True
) -> tuple[Plan, list[int]]:
    """Messages to send (with the ids of their entries, in order) and ids to summarise.

    ``operator``: the target is the operator's (a configured channel), so a catch-up may
    say which command lists what it summarised; a subscriber's chat never sees commands.
    """
    lang = language(policy.language)
    split = backlog_split(batch, policy)
    ranked = sorted(split.entries, key=lambda d: (-d.score, d.id))
    shown = [d for d in ranked if d.backlog]
    fresh = [d for d in ranked if not d.backlog]
    plan: Plan = []
    if shown or split.summary:
        total = len(shown) + len(split.summarised)
        dates = _dates(split.summarised)
        title, text = catch_up(lang, len(shown), total, dates, target if operator else None)
        plan += _messages(shown, policy, lang, title, text)
    title = say(lang, "digest", count=len(fresh)) if policy.mode is Mode.DIGEST else ""
    plan += _messages(fresh, policy, lang, title)
    return plan, [d.id for d in split.summarised]


def _messages(
    group: Sequence[Delivery], policy: Policy, lang: str, title: str, text: str = ""
) -> Plan:
    """``group`` in messages of at most ``max_items`` entries, the first with the title
    and text (alone when ``group`` is empty but there is text)."""
    from channels.base import Message

    size = max(1, policy.max_items)
    chunks = [group[i : i + size] for i in range(0, len(group), size)] or ([[]] if text else [])
    return [
        (
            Message(
                tuple(entry_of(d, lang) for d in chunk),
                title if i == 0 else "",
                text if i == 0 else "",
            ),
            [d.id for d in chunk],
        )
        for i, chunk in enumerate(chunks)
    ]


def _dates(deliveries: Sequence[Delivery]) -> tuple[dt.date, dt.date] | None:
    """The first and last of the stories' own dates (else the day they were queued)."""
    days = [_story_date(d) for d in deliveries]
    return (min(days), max(days)) if days else None


def _story_date(d: Delivery) -> dt.date:
    date = d.entry.get("date")
    if date:
        try:
            return dt.date.fromisoformat(date)
        except (TypeError, ValueError):
            pass
    return dt.datetime.fromtimestamp(d.created_at, dt.UTC).date()


def entry_of(d: Delivery, lang: str = "en") -> Entry:
    from channels.base import Entry

    e = d.entry
    tags = tuple(e.get("tags") or ())
    if d.sources > 1:
        tags = (*tags, say(lang, "sources", count=d.sources))
    date = e.get("date")
    return Entry(
        title=e.get("title") or "",
        url=e.get("url"),
        summary=e.get("summary") or "",
        source=e.get("source") or "",
        section=e.get("section"),
        date=dt.date.fromisoformat(date) if date else None,
        score=float(e.get("score") or d.score),
        rule=e.get("rule") or (d.rules[0] if d.rules else ""),
        tags=tags,
    )
