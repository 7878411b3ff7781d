"""An in-memory mirror of the chats and live subscriptions, kept current from the change
log: what the matcher and the target source of one process read.

    directory = Directory(store.subscriptions)
    await directory.load()        # everything, once
    await directory.refresh()     # apply the changes since (cheap when there are none)

A change names a chat (and maybe a subscription); the directory re-reads that chat and
its live subscriptions and tells its listeners which subscriptions became live and which
stopped. Re-reading makes every change idempotent: a change seen twice, or changes read
out of order with the data, leave the mirror right. Past :data:`RELOAD_AFTER` changes at
once, one full reload is cheaper than re-reading chat by chat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence

from notifier.errors import StoreError
from notifier.pipeline.outage import StoreOutage
from notifier.subscriptions.model import Chat, Subscription, SubscriptionStore

log = logging.getLogger("notifier.subscriptions")

#: More changes than this in one refresh: reload everything instead of chat by chat.
RELOAD_AFTER = 500
#: The change log keeps a day of changes (followers read it every few seconds).
CHANGES_KEPT = 86_400.0
#: How often a follower prunes the log.
PRUNE_EVERY = 3600.0

#: ``(added, removed)``: subscriptions that became live, ids of those that stopped.
Listener = Callable[[Sequence[Subscription], Sequence[int]], None]


class Directory:
    """Chats and live subscriptions (not paused, of active unpaused chats), by id."""

    def __init__(self, store: SubscriptionStore) -> None:
        self.store = store
        self.chats: dict[int, Chat] = {}
        self.live: dict[int, Subscription] = {}
        #: chat → ids of its live subscriptions (tuples: most chats have one or two)
        self._by_chat: dict[int, tuple[int, ...]] = {}
        self.seq = 0
        self.loaded = False
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()

    def listen(self, listener: Listener) -> None:
        """Call ``listener`` with every change of the live set (the current set first)."""
        self._listeners.append(listener)
        if self.live:
            listener(list(self.live.values()), ())

    async def load(self) -> None:
        """Read every chat and live subscription (again)."""
        async with self._lock:
            await self._load()

    async def refresh(self) -> int:
        """Apply the changes logged since the last look; return how many there were."""
        async with self._lock:
            if not self.loaded:
                await self._load()
                return 0
            total = 0
            while True:
                changes = await self.store.changes(self.seq)
                if not changes:
                    return total
                total += len(changes)
                if len(changes) > RELOAD_AFTER:
                    await self._load()
                    return total
                chats = dict.fromkeys(c.chat_id for c in changes)
                for chat_id in chats:
                    await self._reread(chat_id)
                self.seq = max(self.seq, changes[-1].seq)

    async def follow(self, interval: float = 2.0) -> None:
        """Refresh every ``interval`` seconds until cancelled (processes that do not
        ingest, e.g. a dispatch worker, still see settings change); prune the change log
        every hour."""
        pruned = 0.0
        outage = StoreOutage(log, "subscriptions")  # one line per store outage
        while True:
            try:
                await self.refresh()
                if time.time() - pruned >= PRUNE_EVERY:
                    pruned = time.time()
                    await self.store.prune_changes(pruned - CHANGES_KEPT)
            except asyncio.CancelledError:
                raise
            except StoreError as exc:
                outage.failed(exc)
            except Exception:
                log.exception("reading the subscription changes failed")
            else:
                outage.recovered()
            await asyncio.sleep(interval)

    async def _load(self) -> None:
        seq = await self.store.last_change()  # first: what changes after is applied again
        chats = {c.chat_id: c for c in await self.store.chats()}
        live = {s.id: s for s in await self.store.subscriptions(live_only=True)}
        added = [s for i, s in live.items() if self.live.get(i) != s]
        removed = [i for i, s in self.live.items() if live.get(i) != s]
        self.chats, self.live = chats, live
        by_chat: dict[int, list[int]] = {}
        for s in live.values():
            by_chat.setdefault(s.chat_id, []).append(s.id)
        self._by_chat = {chat: tuple(ids) for chat, ids in by_chat.items()}
        self.seq = max(self.seq, seq)
        self.loaded = True
        self._notify(added, removed)

    async def _reread(self, chat_id: int) -> None:
        chat = await self.store.chat(chat_id)
        if chat is None:
            self.chats.pop(chat_id, None)
        else:
            self.chats[chat_id] = chat
        subs = await self.store.subscriptions(chat_id, live_only=True) if chat else []
        self._replace(chat_id, subs)

    def _replace(self, chat_id: int, subs: Iterable[Subscription]) -> None:
        new = {s.id: s for s in subs}
        old = self._by_chat.pop(chat_id, ())
        removed = [i for i in old if i not in new or self.live[i] != new[i]]
        added = [s for i, s in new.items() if i not in old or self.live[i] != s]
        for i in removed:
            del self.live[i]
        self.live.update((s.id, s) for s in added)
        if new:
            self._by_chat[chat_id] = tuple(new)
        self._notify(added, removed)

    def _notify(self, added: Sequence[Subscription], removed: Sequence[int]) -> None:
        if added or removed:
            for listener in self._listeners:
                listener(added, removed)
