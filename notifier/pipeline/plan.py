"""Planning one target's claimed deliveries into messages: a catch-up message for a
backlog (its best entries, the rest summarised as a count), then the fresh entries, at most
the policy's ``max_items`` per message (a digest's first message titled with its size)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from notifier.delivery.policy import Mode, Policy, backlog_split
from notifier.store import Delivery

if TYPE_CHECKING:
    from channels.base import Entry, Message


def plan_messages(
    batch: Sequence[Delivery], policy: Policy, target: str
) -> tuple[list[tuple[Message, list[int]]], list[int]]:
    """Messages to send (with the ids of their entries, in order) and ids to summarise."""
    from channels.base import Message

    split = backlog_split(batch, policy)
    plan: list[tuple[Message, list[int]]] = []
    ranked = sorted(split.entries, key=lambda d: (-d.score, d.id))
    shown = [d for d in ranked if d.backlog]
    if shown or split.summary:
        total = len(shown) + len(split.summarised)
        title = f"Catching up: the best {len(shown)} of {total} earlier matches"
        text = ""
        if split.summary:
            first = dt.datetime.fromtimestamp(split.summary.first, dt.UTC)
            text = (
                f"{split.summary.count} more matches since {first:%Y-%m-%d %H:%M} UTC are not "
                f"shown (notifier deliveries --target {target} --state summarised)."
            )
        plan.append(
            (Message(tuple(entry_of(d) for d in shown), title, text), [d.id for d in shown])
        )
    fresh = [d for d in ranked if not d.backlog]
    size = max(1, policy.max_items)
    digest = policy.mode is Mode.DIGEST
    for start in range(0, len(fresh), size):
        group = fresh[start : start + size]
        title = f"Digest: {len(fresh)} stories" if digest and start == 0 else ""
        plan.append((Message(tuple(entry_of(d) for d in group), title), [d.id for d in group]))
    return plan, [d.id for d in split.summarised]


def entry_of(d: Delivery) -> Entry:
    from channels.base import Entry

    e = d.entry
    tags = tuple(e.get("tags") or ())
    if d.sources > 1:
        tags = (*tags, f"{d.sources} sources")
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
