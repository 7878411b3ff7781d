"""Telegram subscriptions: who subscribed to what, and the store interface for them.

This module is the contract between the bot (``notifier.bot``: commands that change
subscriptions) and the pipeline (``notifier.subscriptions``: a matcher and a target source
that turn subscriptions into deliveries). Both sides see only these types.

- A *chat* is where matches go: a private chat with a user, a group or a channel the bot
  posts in. Its target name in the outbox is ``tg:<chat_id>``.
- A *subscription* is one keyword expression of a chat (the rules.yaml syntax: any-of
  words, quoted phrases, ``+required``, ``!excluded``). Its rule name in the engine is
  ``sub:<id>`` (the global id); users see its *number* in the chat, ``#1``, ``#2`` …, never
  reused within that chat.
- Every change is appended to a change log with a growing sequence number, so every
  process (bot, ingest) applies other processes' changes without a restart.
"""

from __future__ import annotations

import abc
import dataclasses

#: Target names of subscriber chats start with this.
TARGET_PREFIX = "tg:"
#: Engine rule names of subscriptions start with this.
RULE_PREFIX = "sub:"


def target_name(chat_id: int) -> str:
    """The outbox target of a chat: ``tg:<chat_id>``."""
    return f"{TARGET_PREFIX}{chat_id}"


def chat_of(target: str) -> int | None:
    """The chat id of a ``tg:`` target (``None`` for other targets)."""
    if not target.startswith(TARGET_PREFIX):
        return None
    rest = target[len(TARGET_PREFIX) :]
    return int(rest) if rest.lstrip("-").isdigit() else None


def rule_name(subscription_id: int) -> str:
    """The engine rule name of a subscription: ``sub:<id>``."""
    return f"{RULE_PREFIX}{subscription_id}"


@dataclasses.dataclass(frozen=True, slots=True)
class Chat:
    """A chat that receives matches, with its delivery settings."""

    chat_id: int
    #: ``private``, ``group``, ``supergroup`` or ``channel``.
    kind: str = "private"
    #: ``en`` or ``zh``: the bot's language in this chat.
    lang: str = "en"
    #: IANA time zone for digest times and quiet hours.
    timezone: str = "UTC"
    #: ``instant`` or ``digest``.
    mode: str = "instant"
    #: Digest times, ``HH:MM`` local to ``timezone``.
    digest_at: tuple[str, ...] = ("09:00",)
    #: Quiet hours ``("23:00", "07:00")`` local to ``timezone``, or ``None``.
    quiet: tuple[str, str] | None = None
    #: ``False`` once Telegram said the bot cannot post here (blocked, kicked, deleted).
    active: bool = True
    #: Everything paused by ``/pause`` (without an id).
    paused: bool = False
    title: str = ""
    created_at: float = 0.0


@dataclasses.dataclass(frozen=True, slots=True)
class Subscription:
    """One keyword expression of a chat."""

    id: int
    chat_id: int
    #: The expression as the user typed it (``OpenAI "Sam Altman" +芯片 !广告``).
    expr: str
    #: The Telegram user who created it (an admin, for a group or channel).
    owner: int | None = None
    paused: bool = False
    created_at: float = 0.0
    #: ``#number`` within the chat, as users see it (1, 2 …; never reused in the chat).
    number: int = 0

    @property
    def label(self) -> str:
        """How pushes name it: ``#2 OpenAI +芯片`` (just the words without a number)."""
        return f"#{self.number} {self.expr}" if self.number else self.expr


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change log: the subscription ``id`` (or a whole chat) changed."""

    seq: int
    #: ``add``, ``remove``, ``pause``, ``resume``, ``chat`` (settings, deactivation,
    #: migration: re-read the chat and its subscriptions). ``remove``, ``pause`` and
    #: ``resume`` without a ``subscription_id`` concern every subscription of the chat.
    op: str
    chat_id: int
    subscription_id: int | None = None


class SubscriptionStore(abc.ABC):
    """Chats and subscriptions, kept in the same database as the outbox.

    Every method is one transaction; every change appends to the change log.
    """

    @abc.abstractmethod
    async def chat(self, chat_id: int) -> Chat | None:
        """The chat, or ``None`` if it never subscribed."""

    async def chats(self, *, active_only: bool = False) -> list[Chat]:
        """Every chat (only the active ones: ``active_only``), by id."""
        raise NotImplementedError

    @abc.abstractmethod
    async def save_chat(self, chat: Chat) -> None:
        """Create or replace a chat's settings."""

    @abc.abstractmethod
    async def add(self, chat_id: int, expr: str, owner: int | None, now: float) -> Subscription:
        """Add a subscription to a chat (the chat must exist: ``KeyError`` otherwise); it
        takes the chat's next number, one more than any the chat ever had."""

    async def numbered(self, chat_id: int, number: int) -> Subscription | None:
        """The chat's subscription ``#number``, or ``None``."""
        found = [s for s in await self.subscriptions(chat_id) if s.number == number]
        return found[0] if found else None

    @abc.abstractmethod
    async def subscriptions(
        self, chat_id: int | None = None, *, live_only: bool = False
    ) -> list[Subscription]:
        """The subscriptions of a chat (all chats: ``None``), oldest first. ``live_only``:
        not paused, and of active, unpaused chats."""

    @abc.abstractmethod
    async def count(self) -> dict[str, int]:
        """``{"chats": n, "active_chats": n, "subscriptions": n}`` for status and metrics."""

    @abc.abstractmethod
    async def set_paused(self, chat_id: int, subscription_id: int | None, paused: bool) -> int:
        """Pause or resume one subscription (or the whole chat); return how many changed.

        The whole chat (``subscription_id=None``): pausing sets ``Chat.paused`` and returns
        how many subscriptions stopped (its unpaused ones; 0 if it was paused already);
        resuming clears it *and* resumes the subscriptions paused one by one, returning
        how many are live again."""

    @abc.abstractmethod
    async def remove(self, chat_id: int, subscription_id: int | None = None) -> int:
        """Delete one subscription of a chat (or all of them); return how many."""

    @abc.abstractmethod
    async def deactivate(self, chat_id: int, reason: str, now: float) -> int:
        """The bot can no longer post to the chat: mark it inactive and drop its queued
        deliveries (state ``dropped``); return how many deliveries were dropped. Saving the
        chat again with ``active=True`` (the user is back) makes it live again."""

    @abc.abstractmethod
    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: move the chat, its subscriptions and its queued
        deliveries to the new id (merged into the new chat if it exists already: the new
        chat's settings win, the moved subscriptions are numbered after its own; a story
        queued for both goes once)."""

    @abc.abstractmethod
    async def changes(self, after: int, limit: int = 10_000) -> list[Change]:
        """Changes with ``seq > after``, oldest first."""

    @abc.abstractmethod
    async def last_change(self) -> int:
        """The latest change's ``seq`` (0 if none)."""

    @abc.abstractmethod
    async def prune_changes(self, before: float) -> int:
        """Delete changes made before ``before`` (UNIX seconds), always keeping the newest;
        return how many. Running processes read the log every few seconds; a process that
        starts loads everything and follows from the newest change."""
