"""Bot replies paced per chat like pushes: a request middleware on the bot's session.

Every message the bot posts into a chat (``send*``, forwards, copies) first waits for the
chat's rate windows, the ones its pushes keep (``channels.telegram.channel.windows_for``):
in this process (a sliding window per chat), then across processes by taking a slot in the
store's shared limits under the keys of a worker's push to that chat (``target:tg:<chat
id>`` and ``telegram-bot:<bot id>``), so replies and pushes together keep Telegram's pace.

Requests that post into or change a chat go one at a time per chat, in the order they
came. A 429 is waited out (Telegram's ``retry_after``) and the request sent again, however
often it comes; a 5xx answer or a network failure is tried again a few times. A chat that
is gone (403 blocked or kicked, 400 chat not found) ends the request: its error reaches the
error handler once, and the requests that were waiting for that chat end with
:class:`ChatGone`, which the error handler ignores.

    bot.session.middleware(ReplyPacer(store))
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from channels.ratelimit import RateLimiter
from channels.telegram.channel import GONE_400, windows_for
from notifier.delivery.shared_limits import SharedLimits, SharedPacer, keyed_limits
from notifier.store import Store
from notifier.subscriptions.model import TARGET_PREFIX

log = logging.getLogger("notifier.bot")

#: Per-chat state (lock, windows) is kept for the chats served most recently.
KEEP_CHATS = 10_000
#: A 5xx answer or a network failure: tries of one request, and the first wait between.
ATTEMPTS = 3
BACKOFF = 1.0
#: Method classes that post a message into a chat (paced)...
_POSTS = ("Send", "Forward", "Copy")
#: ... and, with those, the ones that change a chat's messages (one at a time per chat).
_IN_TURN = (*_POSTS, "Edit", "Delete")
_NOT_POSTS = ("SendChatAction",)


class ChatGone(Exception):
    """A request not sent: its chat went away while it waited (reported once already)."""

    def __init__(self, chat_id: int | str) -> None:
        super().__init__(f"chat {chat_id} is gone")
        self.chat_id = chat_id


def is_gone(exc: BaseException) -> bool:
    """Telegram says the chat is gone for good: 403 (blocked, kicked, deactivated), or a
    400 naming a missing chat in answer to a message for it (not to a lookup of a user)."""
    if isinstance(exc, TelegramForbiddenError):
        return True
    if not isinstance(exc, TelegramBadRequest):
        return False
    posts = type(exc.method).__name__.startswith(_POSTS)
    return posts and any(g in exc.message.lower() for g in GONE_400)


@dataclasses.dataclass
class _Chat:
    lock: asyncio.Lock
    pacer: Any  # RateLimiter, or SharedPacer (the same, plus the store's slots)
    gone: int = 0  # how often Telegram said the chat is gone


class ReplyPacer(BaseRequestMiddleware):
    """Paces, orders and retries the bot's requests per chat (see the module doc).

    Args:
        store: the store whose shared limits pushes take (``None``: this process only).
        clock: for the windows (default: monotonic here, wall clock for the store's).
        sleep: for every wait (tests pass a fake clock's).
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        clocked: dict[str, Any] = {"clock": clock} if clock is not None else {}
        self._clocked = clocked
        self._sleep = sleep or asyncio.sleep
        self.shared = SharedLimits(store, sleep=sleep, **clocked) if store is not None else None
        self._chats: collections.OrderedDict[int | str, _Chat] = collections.OrderedDict()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):  # the poller has its own backoff
            return await make_request(bot, method)
        name = type(method).__name__
        chat_id = _chat_id(getattr(method, "chat_id", None))
        if chat_id is None or not name.startswith(_IN_TURN):
            return await self._send(make_request, bot, method)
        chat = self._chat(chat_id, bot)
        seen = chat.gone
        async with chat.lock:
            if chat.gone != seen:
                raise ChatGone(chat_id)
            paced = name.startswith(_POSTS) and name not in _NOT_POSTS
            return await self._send(make_request, bot, method, chat, paced=paced)

    async def _send(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        chat: _Chat | None = None,
        *,
        paced: bool = False,
    ) -> Response[TelegramType]:
        failures = 0
        while True:
            if paced and chat is not None:
                await chat.pacer.acquire()
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                log.warning(
                    "flood control: %s%s waits %s s",
                    type(method).__name__,
                    _in_chat(method),
                    exc.retry_after,
                )
                await self._sleep(float(exc.retry_after))
            except (TelegramServerError, TelegramNetworkError) as exc:
                failures += 1
                if failures >= ATTEMPTS or isinstance(exc, TelegramEntityTooLarge):
                    raise
                await self._sleep(BACKOFF * 2 ** (failures - 1))
            except (TelegramForbiddenError, TelegramBadRequest) as exc:
                if chat is not None and is_gone(exc):
                    chat.gone += 1  # the requests waiting for this chat end
                raise

    def _chat(self, chat_id: int | str, bot: Bot) -> _Chat:
        found = self._chats.get(chat_id)
        if found is not None:
            self._chats.move_to_end(chat_id)
            return found
        windows = windows_for(chat_id)
        pacer: Any = RateLimiter(windows, sleep=self._sleep, **self._clocked)
        if self.shared is not None:
            shared = tuple((w.count, float(w.seconds)) for w in windows)
            limits = keyed_limits(f"{TARGET_PREFIX}{chat_id}", shared, telegram_bot=str(bot.id))
            pacer = SharedPacer(pacer, self.shared, limits)
        self._chats[chat_id] = made = _Chat(asyncio.Lock(), pacer)
        while len(self._chats) > KEEP_CHATS:
            oldest = next(iter(self._chats))
            if self._chats[oldest].lock.locked():
                break
            del self._chats[oldest]
        return made


def _chat_id(value: object) -> int | str | None:
    """A chat id as pushes key it (numeric strings as numbers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value:
        return int(value) if value.lstrip("-").isdigit() else value
    return None


def _in_chat(method: object) -> str:
    chat_id = getattr(method, "chat_id", None)
    return f" in chat {chat_id}" if chat_id is not None else ""
