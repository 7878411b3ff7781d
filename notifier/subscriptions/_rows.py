"""Chats and subscriptions to and from database rows (the same on both backends)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from notifier.subscriptions.model import Change, Chat, Subscription

#: The ``chats`` columns, in the order of :func:`chat_row` and :func:`chat_from_row`.
CHAT_COLUMNS = (
    "chat_id, kind, lang, timezone, mode, digest_at, quiet, active, paused, title, created_at"
)
SUBSCRIPTION_COLUMNS = "id, chat_id, expr, owner, paused, created_at, number"
CHANGE_COLUMNS = "seq, op, chat_id, subscription_id"


def chat_row(chat: Chat) -> tuple[Any, ...]:
    """The column values of a chat (``digest_at`` comma-separated, ``quiet`` ``a-b``)."""
    return (
        chat.chat_id,
        chat.kind,
        chat.lang,
        chat.timezone,
        chat.mode,
        ",".join(chat.digest_at),
        "-".join(chat.quiet) if chat.quiet else None,
        bool(chat.active),
        bool(chat.paused),
        chat.title,
        float(chat.created_at),
    )


def chat_from_row(row: Sequence[Any]) -> Chat:
    (chat_id, kind, lang, timezone, mode, digest_at, quiet, active, paused, title, created) = row
    start, _, end = (quiet or "").partition("-")
    intern = sys.intern  # 100,000 chats, a handful of distinct values: one copy each
    return Chat(
        chat_id=int(chat_id),
        kind=intern(kind),
        lang=intern(lang),
        timezone=intern(timezone),
        mode=intern(mode),
        digest_at=_times(digest_at),
        quiet=(start, end) if quiet else None,
        active=bool(active),
        paused=bool(paused),
        title=title,
        created_at=float(created),
    )


_TIMES: dict[str, tuple[str, ...]] = {}


def _times(text: str) -> tuple[str, ...]:
    """``09:00,18:00`` as a tuple, one shared tuple per distinct value."""
    found = _TIMES.get(text)
    if found is None:
        found = tuple(sys.intern(t) for t in text.split(",") if t)
        if len(_TIMES) < 10_000:
            _TIMES[text] = found
    return found


def subscription_from_row(row: Sequence[Any]) -> Subscription:
    id_, chat_id, expr, owner, paused, created, number = row
    return Subscription(
        id=int(id_),
        chat_id=int(chat_id),
        expr=expr,
        owner=None if owner is None else int(owner),
        paused=bool(paused),
        created_at=float(created),
        number=int(number),
    )


def change_from_row(row: Sequence[Any]) -> Change:
    seq, op, chat_id, sub = row
    return Change(int(seq), op, int(chat_id), None if sub is None else int(sub))
