"""The subscription store on the PostgreSQL store's connection pool.

Every writing transaction first takes an advisory lock (per schema), so changes are
appended to the log one transaction at a time and commit in ``seq`` order: a process that
read the log up to ``seq`` N never misses a change numbered below N committed later.
Subscription changes come at the pace of people typing commands; the lock costs nothing
that matters.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

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

if TYPE_CHECKING:
    import psycopg


class _Transactions(Protocol):
    """What these subscriptions need of the PostgreSQL store (``PostgresStore``): a
    transaction on a pooled connection. A protocol, so that this package never imports the
    store's (which builds these subscriptions)."""

    def _tx(
        self, durable: bool = False
    ) -> contextlib.AbstractAsyncContextManager[psycopg.AsyncCursor[Any]]: ...


_LOCK = "SELECT pg_advisory_xact_lock(hashtext('notifier.subscriptions.' || current_schema()))"


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class _Tx:
    """A cursor that takes ``?`` placeholders and returns itself from ``execute``."""

    def __init__(self, cur: psycopg.AsyncCursor[Any]) -> None:
        self.cur = cur

    async def run(self, sql: str, args: Sequence[Any] = ()) -> psycopg.AsyncCursor[Any]:
        await self.cur.execute(_pg(sql), args)
        return self.cur

    async def one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return await (await self.run(sql, args)).fetchone()

    async def count(self, sql: str, args: Sequence[Any] = ()) -> int:
        return (await self.run(sql, args)).rowcount


class PostgresSubscriptions(SubscriptionStore):
    """:class:`SubscriptionStore` in the tables of ``002_subscriptions.sql``."""

    def __init__(self, store: _Transactions, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    @contextlib.asynccontextmanager
    async def _tx(self, write: bool = True) -> AsyncIterator[_Tx]:
        async with self._store._tx(durable=write) as cur:
            if write:
                await cur.execute(_LOCK)
            yield _Tx(cur)

    async def _log(self, tx: _Tx, op: str, chat_id: int, sub: int | None = None) -> None:
        await tx.run(_sql.LOG, (op, chat_id, sub, float(self._clock())))

    async def chat(self, chat_id: int) -> Chat | None:
        async with self._tx(write=False) as tx:
            row = await tx.one(_sql.CHAT, (chat_id,))
        return chat_from_row(row) if row else None

    async def chats(self, *, active_only: bool = False) -> list[Chat]:
        sql = _sql.CHATS + (" WHERE active" if active_only else "") + " ORDER BY chat_id"
        async with self._tx(write=False) as tx:
            rows = await (await tx.run(sql)).fetchall()
        return [chat_from_row(row) for row in rows]

    async def save_chat(self, chat: Chat) -> None:
        async with self._tx() as tx:
            await tx.run(_sql.SAVE_CHAT, chat_row(chat))
            if chat.active:
                await tx.run(_sql.CLEAR_INACTIVE, (chat.chat_id,))
                await tx.run(_sql.REVIVE_TARGET, (target_name(chat.chat_id),))
            await self._log(tx, "chat", chat.chat_id)

    async def add(self, chat_id: int, expr: str, owner: int | None, now: float) -> Subscription:
        async with self._tx() as tx:
            row = await tx.one(_sql.NEXT_NUMBER, (chat_id,))
            if row is None:
                raise KeyError(f"no chat {chat_id}")
            number = int(row[0])
            args = (chat_id, number, expr, owner, False, float(now))
            (sub_id,) = await tx.one(_sql.ADD, args)
            await self._log(tx, "add", chat_id, sub_id)
        return Subscription(int(sub_id), chat_id, expr, owner, False, float(now), number)

    async def subscriptions(
        self, chat_id: int | None = None, *, live_only: bool = False
    ) -> list[Subscription]:
        sql, args = _sql.subscriptions_sql(chat_id, live_only)
        async with self._tx(write=False) as tx:
            rows = await (await tx.run(sql, args)).fetchall()
        return [subscription_from_row(row) for row in rows]

    async def count(self) -> dict[str, int]:
        async with self._tx(write=False) as tx:
            row = await tx.one(_sql.COUNT)
        return {"chats": int(row[0]), "active_chats": int(row[1]), "subscriptions": int(row[2])}

    async def set_paused(self, chat_id: int, subscription_id: int | None, paused: bool) -> int:
        op = "pause" if paused else "resume"
        async with self._tx() as tx:
            if subscription_id is not None:
                n = await tx.count(_sql.PAUSE_ONE, (paused, subscription_id, chat_id, paused))
                if n:
                    await self._log(tx, op, chat_id, subscription_id)
                return n
            flag = await tx.count(_sql.PAUSE_CHAT, (paused, chat_id, paused))
            if paused:
                n = int((await tx.one(_sql.COUNT_UNPAUSED, (chat_id,)))[0]) if flag else 0
            else:
                n = await tx.count(_sql.RESUME_ALL, (False, chat_id))
                if flag:
                    n = int((await tx.one(_sql.COUNT_OF_CHAT, (chat_id,)))[0])
            if flag or n:
                await self._log(tx, op, chat_id)
            return n

    async def remove(self, chat_id: int, subscription_id: int | None = None) -> int:
        async with self._tx() as tx:
            if subscription_id is None:
                n = await tx.count(_sql.REMOVE_ALL, (chat_id,))
            else:
                n = await tx.count(_sql.REMOVE_ONE, (chat_id, subscription_id))
            if n:
                await self._log(tx, "remove", chat_id, subscription_id)
            return n

    async def deactivate(self, chat_id: int, reason: str, now: float) -> int:
        async with self._tx() as tx:
            await tx.run(_sql.DEACTIVATE, (False, reason, float(now), chat_id))
            n = await tx.count(_sql.DROP_QUEUED, (reason, target_name(chat_id)))
            await self._log(tx, "chat", chat_id)
            return n

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        old, new = target_name(old_chat_id), target_name(new_chat_id)
        async with self._tx() as tx:
            if await tx.one(_sql.CHAT_EXISTS, (new_chat_id,)) is None:
                await tx.run(_sql.COPY_CHAT, (new_chat_id, old_chat_id))
                await tx.run(_sql.MOVE_SUBSCRIPTIONS, (new_chat_id, old_chat_id))
            else:  # numbered after the chat's own
                ids = await (await tx.run(_sql.IDS_OF_CHAT, (old_chat_id,))).fetchall()
                for (sub_id,) in ids:
                    (number,) = await tx.one(_sql.NEXT_NUMBER, (new_chat_id,))
                    await tx.run(_sql.MOVE_ONE, (new_chat_id, number, sub_id))
            await tx.run(_sql.DELETE_CHAT, (old_chat_id,))
            await tx.run(_sql.MOVE_QUEUED, (new, old, new))
            await tx.run(_sql.DROP_QUEUED, (f"migrated to {new}", old))
            await self._log(tx, "chat", old_chat_id)
            await self._log(tx, "chat", new_chat_id)

    async def changes(self, after: int, limit: int = 10_000) -> list[Change]:
        async with self._tx(write=False) as tx:
            rows = await (await tx.run(_sql.CHANGES, (after, limit))).fetchall()
        return [change_from_row(row) for row in rows]

    async def last_change(self) -> int:
        async with self._tx(write=False) as tx:
            row = await tx.one(_sql.LAST_CHANGE)
        return int(row[0])

    async def prune_changes(self, before: float) -> int:
        async with self._tx() as tx:
            return await tx.count(_sql.PRUNE_CHANGES, (before,))
