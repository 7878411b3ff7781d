"""The subscription store on the SQLite store's file, connection and thread."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from notifier.subscriptions import _sql
from notifier.subscriptions._rows import (
    change_from_row,
    chat_from_row,
    chat_row,
    subscription_from_row,
)
from notifier.subscriptions.model import (
    Change,
    Chat,
    Subscription,
    SubscriptionStore,
    target_name,
)

T = TypeVar("T")


class _Transactions(Protocol):
    """What these subscriptions need of the SQLite store (``SQLiteStore``): a transaction
    on its connection's thread. A protocol, so that this package never imports the store's
    (which builds these subscriptions)."""

    async def _run(self, fn: Callable[[sqlite3.Connection], T], write: bool = True) -> T: ...


class SQLiteSubscriptions(SubscriptionStore):
    """:class:`SubscriptionStore` in the tables of ``002_subscriptions.sql``; every method
    is one transaction of the store's connection."""

    def __init__(self, store: _Transactions, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    async def _run(self, fn: Callable[[sqlite3.Connection], T], write: bool = True) -> T:
        return await self._store._run(fn, write)

    def _log(self, db: sqlite3.Connection, op: str, chat_id: int, sub: int | None = None) -> None:
        db.execute(_sql.LOG, (op, chat_id, sub, self._clock()))

    async def chat(self, chat_id: int) -> Chat | None:
        row = await self._run(lambda db: db.execute(_sql.CHAT, (chat_id,)).fetchone(), False)
        return chat_from_row(row) if row else None

    async def chats(self, *, active_only: bool = False) -> list[Chat]:
        sql = _sql.CHATS + (" WHERE active" if active_only else "") + " ORDER BY chat_id"
        rows = await self._run(lambda db: db.execute(sql).fetchall(), False)
        return [chat_from_row(row) for row in rows]

    async def save_chat(self, chat: Chat) -> None:
        def tx(db: sqlite3.Connection) -> None:
            db.execute(_sql.SAVE_CHAT, chat_row(chat))
            if chat.active:
                db.execute(_sql.CLEAR_INACTIVE, (chat.chat_id,))
                db.execute(_sql.REVIVE_TARGET, (target_name(chat.chat_id),))
            self._log(db, "chat", chat.chat_id)

        await self._run(tx)

    async def add(self, chat_id: int, expr: str, owner: int | None, now: float) -> Subscription:
        def tx(db: sqlite3.Connection) -> Subscription:
            row = db.execute(_sql.NEXT_NUMBER, (chat_id,)).fetchone()
            if row is None:
                raise KeyError(f"no chat {chat_id}")
            number = int(row[0])
            args = (chat_id, number, expr, owner, False, now)
            (sub_id,) = db.execute(_sql.ADD, args).fetchone()
            self._log(db, "add", chat_id, sub_id)
            return Subscription(sub_id, chat_id, expr, owner, False, float(now), number)

        return await self._run(tx)

    async def subscriptions(
        self, chat_id: int | None = None, *, live_only: bool = False
    ) -> list[Subscription]:
        sql, args = _sql.subscriptions_sql(chat_id, live_only)
        rows = await self._run(lambda db: db.execute(sql, args).fetchall(), False)
        return [subscription_from_row(row) for row in rows]

    async def count(self) -> dict[str, int]:
        row = await self._run(lambda db: db.execute(_sql.COUNT).fetchone(), False)
        return {"chats": row[0], "active_chats": row[1], "subscriptions": row[2]}

    async def set_paused(self, chat_id: int, subscription_id: int | None, paused: bool) -> int:
        op = "pause" if paused else "resume"

        def tx(db: sqlite3.Connection) -> int:
            one = (paused, subscription_id, chat_id, paused)
            if subscription_id is not None:
                n = db.execute(_sql.PAUSE_ONE, one).rowcount
                if n:
                    self._log(db, op, chat_id, subscription_id)
                return n
            flag = db.execute(_sql.PAUSE_CHAT, (paused, chat_id, paused)).rowcount
            n = _whole_chat(db.execute, chat_id, paused, flag)
            if flag or n:
                self._log(db, op, chat_id)
            return n

        return await self._run(tx)

    async def remove(self, chat_id: int, subscription_id: int | None = None) -> int:
        def tx(db: sqlite3.Connection) -> int:
            if subscription_id is None:
                n = db.execute(_sql.REMOVE_ALL, (chat_id,)).rowcount
            else:
                n = db.execute(_sql.REMOVE_ONE, (chat_id, subscription_id)).rowcount
            if n:
                self._log(db, "remove", chat_id, subscription_id)
            return n

        return await self._run(tx)

    async def deactivate(self, chat_id: int, reason: str, now: float) -> int:
        def tx(db: sqlite3.Connection) -> int:
            db.execute(_sql.DEACTIVATE, (False, reason, now, chat_id))
            n = db.execute(_sql.DROP_QUEUED, (reason, target_name(chat_id))).rowcount
            self._log(db, "chat", chat_id)
            return n

        return await self._run(tx)

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        old, new = target_name(old_chat_id), target_name(new_chat_id)

        def tx(db: sqlite3.Connection) -> None:
            if db.execute(_sql.CHAT_EXISTS, (new_chat_id,)).fetchone() is None:
                db.execute(_sql.COPY_CHAT, (new_chat_id, old_chat_id))
                db.execute(_sql.MOVE_SUBSCRIPTIONS, (new_chat_id, old_chat_id))
            else:  # numbered after the chat's own
                for (sub_id,) in db.execute(_sql.IDS_OF_CHAT, (old_chat_id,)).fetchall():
                    (number,) = db.execute(_sql.NEXT_NUMBER, (new_chat_id,)).fetchone()
                    db.execute(_sql.MOVE_ONE, (new_chat_id, number, sub_id))
            db.execute(_sql.DELETE_CHAT, (old_chat_id,))
            db.execute(_sql.MOVE_QUEUED, (new, old, new))
            db.execute(_sql.DROP_QUEUED, (f"migrated to {new}", old))
            self._log(db, "chat", old_chat_id)
            self._log(db, "chat", new_chat_id)

        await self._run(tx)

    async def changes(self, after: int, limit: int = 10_000) -> list[Change]:
        args = (after, limit)
        rows = await self._run(lambda db: db.execute(_sql.CHANGES, args).fetchall(), False)
        return [change_from_row(row) for row in rows]

    async def last_change(self) -> int:
        row = await self._run(lambda db: db.execute(_sql.LAST_CHANGE).fetchone(), False)
        return int(row[0])

    async def prune_changes(self, before: float) -> int:
        return await self._run(lambda db: db.execute(_sql.PRUNE_CHANGES, (before,)).rowcount)


def _whole_chat(execute: Callable[..., Any], chat_id: int, paused: bool, flag: int) -> int:
    """Pausing a whole chat: its unpaused subscriptions stop (if the chat was not paused
    yet). Resuming: every subscription is live again (those paused one by one too)."""
    if paused:
        return int(execute(_sql.COUNT_UNPAUSED, (chat_id,)).fetchone()[0]) if flag else 0
    resumed = execute(_sql.RESUME_ALL, (False, chat_id)).rowcount
    if flag:
        return int(execute(_sql.COUNT_OF_CHAT, (chat_id,)).fetchone()[0])
    return int(resumed)
