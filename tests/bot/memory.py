"""An in-memory SubscriptionStore: a fast double for bot tests (and a reading of the
contract in notifier/subscriptions/model.py)."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from notifier.subscriptions.model import Change, Chat, Subscription, SubscriptionStore


class MemorySubscriptions(SubscriptionStore):
    def __init__(self, stories: list[dict[str, Any]] | None = None) -> None:
        self.chats: dict[int, Chat] = {}
        self.subs: dict[int, Subscription] = {}
        self.log: list[Change] = []
        self.stories = stories or []
        self._ids = itertools.count(1)
        self._last_number: dict[int, int] = {}  # chat → highest number handed out

    def _change(self, op: str, chat_id: int, sub: int | None = None) -> None:
        self.log.append(Change(len(self.log) + 1, op, chat_id, sub))

    async def chat(self, chat_id: int) -> Chat | None:
        return self.chats.get(chat_id)

    async def save_chat(self, chat: Chat) -> None:
        self.chats[chat.chat_id] = chat
        self._change("chat", chat.chat_id)

    async def add(self, chat_id: int, expr: str, owner: int | None, now: float) -> Subscription:
        if chat_id not in self.chats:
            raise KeyError(chat_id)
        number = self._last_number[chat_id] = self._last_number.get(chat_id, 0) + 1
        sub = Subscription(next(self._ids), chat_id, expr, owner, created_at=now, number=number)
        self.subs[sub.id] = sub
        self._change("add", chat_id, sub.id)
        return sub

    async def subscriptions(
        self, chat_id: int | None = None, *, live_only: bool = False
    ) -> list[Subscription]:
        found = [s for s in self.subs.values() if chat_id is None or s.chat_id == chat_id]
        if live_only:
            live = {c.chat_id for c in self.chats.values() if c.active and not c.paused}
            found = [s for s in found if not s.paused and s.chat_id in live]
        return sorted(found, key=lambda s: s.id)

    async def count(self) -> dict[str, int]:
        active = sum(1 for c in self.chats.values() if c.active)
        return {"chats": len(self.chats), "active_chats": active, "subscriptions": len(self.subs)}

    async def set_paused(self, chat_id: int, subscription_id: int | None, paused: bool) -> int:
        if subscription_id is None:
            chat = self.chats.get(chat_id)
            if chat is None or (paused and chat.paused):
                return 0
            self.chats[chat_id] = dataclasses.replace(chat, paused=paused)
            mine = [s for s in self.subs.values() if s.chat_id == chat_id]
            if not paused:
                for s in mine:
                    self.subs[s.id] = dataclasses.replace(s, paused=False)
            self._change("pause" if paused else "resume", chat_id)
            return len(mine) if not paused else sum(1 for s in mine if not s.paused)
        sub = self.subs.get(subscription_id)
        if sub is None or sub.chat_id != chat_id or sub.paused == paused:
            return 0
        self.subs[sub.id] = dataclasses.replace(sub, paused=paused)
        self._change("pause" if paused else "resume", chat_id, sub.id)
        return 1

    async def remove(self, chat_id: int, subscription_id: int | None = None) -> int:
        gone = [
            s.id
            for s in self.subs.values()
            if s.chat_id == chat_id and subscription_id in (None, s.id)
        ]
        for sub_id in gone:
            del self.subs[sub_id]
        if gone:
            self._change("remove", chat_id, subscription_id)
        return len(gone)

    async def deactivate(self, chat_id: int, reason: str, now: float) -> int:
        chat = self.chats.get(chat_id)
        if chat is not None:
            self.chats[chat_id] = dataclasses.replace(chat, active=False)
            self._change("chat", chat_id)
        return 0

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        old = self.chats.pop(old_chat_id, None)
        if old is None:
            return
        known = new_chat_id in self.chats
        if not known:
            self.chats[new_chat_id] = dataclasses.replace(old, chat_id=new_chat_id)
            self._last_number[new_chat_id] = self._last_number.get(old_chat_id, 0)
        for s in sorted(self.subs.values(), key=lambda s: s.id):
            if s.chat_id == old_chat_id:
                number = s.number
                if known:  # numbered after the chat's own
                    number = self._last_number[new_chat_id] = (
                        self._last_number.get(new_chat_id, 0) + 1
                    )
                self.subs[s.id] = dataclasses.replace(s, chat_id=new_chat_id, number=number)
        self._change("chat", new_chat_id)

    async def changes(self, after: int, limit: int = 10_000) -> list[Change]:
        return [c for c in self.log if c.seq > after][:limit]

    async def last_change(self) -> int:
        return len(self.log)

    async def prune_changes(self, before: float) -> int:
        return 0  # the double keeps no times

    async def recent_stories(self, since: float, limit: int = 50) -> list[dict[str, Any]]:
        """The outbox store's method, for /top and the /sub preview."""
        found = [s for s in self.stories if s.get("first_seen", 0) >= since]
        return sorted(found, key=lambda s: (-s.get("sources", 1), -s["first_seen"]))[:limit]
