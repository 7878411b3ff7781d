"""The last word on any failure in a handler: log it, answer politely, never crash.

Telegram's own answers are acted on: a 403 (blocked, kicked) deactivates the chat and
drops its queued deliveries; a group upgraded to a supergroup moves its subscriptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import ErrorEvent

from notifier.bot.context import BotContext
from notifier.bot.i18n import t
from notifier.bot.members import migrate

log = logging.getLogger("notifier.bot")
#: A reply that hit flood control is sent again if Telegram asks to wait at most this long.
RETRY_REPLY = 3


def chat_of(update: Any) -> int | None:
    """The chat an update happened in."""
    inner = update.event
    chat = getattr(inner, "chat", None)
    message = getattr(inner, "message", None)
    if chat is None and message is not None:
        chat = message.chat
    return chat.id if chat is not None else None


async def on_error(event: ErrorEvent, bot: Bot, ctx: BotContext, **data: Any) -> bool:
    exc = event.exception
    chat_id = chat_of(event.update)
    if isinstance(exc, TelegramForbiddenError):
        if chat_id is not None:
            dropped = await ctx.subs.deactivate(chat_id, exc.message[:200], ctx.clock())
            log.info(
                "chat %s: %s; deactivated, %d deliveries dropped", chat_id, exc.message, dropped
            )
        return True
    if isinstance(exc, TelegramMigrateToChat):
        if chat_id is not None:
            await migrate(ctx, chat_id, exc.migrate_to_chat_id)
        return True
    if isinstance(exc, TelegramRetryAfter) and exc.retry_after <= RETRY_REPLY:
        await asyncio.sleep(exc.retry_after)  # a reply in a burst: wait as asked, send once
        with contextlib.suppress(TelegramAPIError):
            await bot(exc.method)
            return True
    if isinstance(exc, TelegramRetryAfter):
        log.warning(
            "flood control: a reply to chat %s dropped (retry after %s s)",
            chat_id,
            exc.retry_after,
        )
        return True
    if isinstance(exc, TelegramAPIError):
        log.warning("Bot API error in update %s: %s", event.update.update_id, exc.message)
    else:
        log.error("update %s failed", event.update.update_id, exc_info=exc)
    if chat_id is not None:
        lang = data.get("lang") or ctx.options.language
        with contextlib.suppress(Exception):
            await bot.send_message(chat_id, t(lang, "error"))
    return True


def make_router() -> Router:
    """A new router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name="errors")
    router.errors()(on_error)
    return router
