"""The subscribers' chats as targets: ``tg:<chat id>``, sent through the bot.

Every chat gets a :class:`~channels.telegram.TelegramChannel` on one shared aiogram
``Bot`` (one HTTP session for all chats, however many there are); the channels of the
chats served recently are kept (their per-chat rate windows with them), the others are
built again when needed. A chat's delivery policy comes from its settings (``/mode``,
``/tz``, quiet hours, ``/lang`` for the texts a push adds), read from the :class:`Directory`.

When Telegram says a chat is gone (the user blocked the bot, the bot was removed from the
group, the chat no longer exists), the chat is deactivated and its queued deliveries are
dropped (:meth:`gone`), rather than held as a configured target's are. When a group
became a supergroup, the chat, its subscriptions and its queue move to the new id
(:meth:`moved`).
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from notifier.delivery.policy import Mode, Policy
from notifier.delivery.texts import language
from notifier.subscriptions.directory import Directory
from notifier.subscriptions.model import Chat, chat_of

if TYPE_CHECKING:
    from channels.base import Channel

log = logging.getLogger("notifier.subscriptions")

#: Channels kept for the chats served most recently (their rate windows with them).
KEEP_CHANNELS = 10_000


class SubscriberTargets:
    """``TargetSource`` of the ``tg:`` targets."""

    #: :class:`~notifier.pipeline.targets.Targets` must not keep our channels: we do.
    caches_channels = True
    #: End users: pushes never show them ``notifier`` commands.
    operator_targets = False

    def __init__(
        self,
        directory: Directory,
        *,
        token: str,
        api_server: str = "https://api.telegram.org",
        clock: Callable[[], float] = time.time,
        bot: Any = None,
    ) -> None:
        self.directory = directory
        self._token = token
        self.api_server = api_server
        self.clock = clock
        self._bot = bot
        self._owns_bot = bot is None
        self._channels: collections.OrderedDict[str, Channel] = collections.OrderedDict()
        #: One policy per distinct setting (most chats share the defaults).
        self._policies: dict[tuple[object, ...], Policy] = {}

    def __repr__(self) -> str:  # never the token
        return f"<SubscriberTargets {self.api_server} chats={len(self.directory.chats)}>"

    # -- TargetSource ------------------------------------------------------------------------

    def knows(self, name: str) -> bool:
        return chat_of(name) is not None

    def channel(self, name: str, new_address: str | None = None) -> Channel:
        found = self._channels.get(name)
        if found is not None:
            self._channels.move_to_end(name)
            return found
        from channels.telegram.channel import TelegramChannel

        chat = chat_of(name)
        settings = {
            "token": self._token,
            "chat_id": new_address or str(chat),
            "api_server": self.api_server,
        }
        made = TelegramChannel(name, settings, bot=self._shared_bot())
        self._channels[name] = made
        while len(self._channels) > KEEP_CHANNELS:
            self._channels.popitem(last=False)  # no session of its own to close
        return made

    def policy(self, name: str) -> Policy:
        chat_id = chat_of(name)
        chat = self.directory.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            return Policy()
        key = (chat.mode, chat.digest_at, chat.timezone, chat.quiet, chat.lang)
        policy = self._policies.get(key)
        if policy is None:
            policy = self._policies[key] = chat_policy(chat)
        return policy

    # -- what the dispatcher reports ---------------------------------------------------------

    async def gone(self, name: str, error: str) -> bool:
        """Telegram will not take messages for this chat: deactivate it, drop its queue."""
        chat_id = chat_of(name)
        if chat_id is None:
            return False
        dropped = await self.directory.store.deactivate(chat_id, error, self.clock())
        log.warning(
            "chat %s deactivated (%s): %d queued deliveries dropped", chat_id, error, dropped
        )
        self._channels.pop(name, None)
        await self.directory.refresh()
        return True

    async def moved(self, name: str, new_address: str) -> bool:
        """The group became a supergroup: move the chat and its queue to the new id."""
        old = chat_of(name)
        if old is None or not new_address.lstrip("-").isdigit():
            return False
        await self.directory.store.migrate(old, int(new_address))
        log.info("chat %s migrated to %s", old, new_address)
        await self.directory.refresh()
        return True

    async def refresh(self) -> None:
        """Read the chats' changes (settings, deactivations) since the last look."""
        await self.directory.refresh()

    async def aclose(self) -> None:
        """Close the shared bot's HTTP session."""
        self._channels.clear()
        if self._bot is not None and self._owns_bot:
            await self._bot.session.close()
            self._bot = None

    def _shared_bot(self) -> Any:
        if self._bot is None:
            from aiogram import Bot
            from aiogram.client.telegram import TelegramAPIServer

            # The channel's session class: API errors carry Telegram's HTTP status.
            from channels.telegram.channel import _session_class

            api = TelegramAPIServer.from_base(self.api_server)
            self._bot = Bot(self._token, session=_session_class()(api=api, timeout=30.0))
        return self._bot


def chat_policy(chat: Chat) -> Policy:
    """A chat's delivery policy; settings that do not parse fall back to the defaults
    (the bot validates them; this only guards against rows written by hand)."""
    try:
        at = tuple(sorted({dt.time.fromisoformat(t) for t in chat.digest_at})) or (dt.time(9, 0),)
        quiet = None
        if chat.quiet:
            quiet = (dt.time.fromisoformat(chat.quiet[0]), dt.time.fromisoformat(chat.quiet[1]))
        policy = Policy(
            mode=Mode(chat.mode),
            at=at,
            timezone=None if chat.timezone in ("", "UTC") else chat.timezone,
            quiet=quiet,
            language=language(chat.lang),
        )
        if policy.timezone:
            from notifier.delivery.policy import zone

            zone(policy)
    except (ValueError, KeyError, LookupError) as exc:
        log.warning("chat %s: unusable delivery settings (%s): defaults used", chat.chat_id, exc)
        return Policy()
    return policy
