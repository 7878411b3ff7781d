"""The last word on any failure in a handler: log it, answer politely, never crash.

Telegram's own answers are acted on: a chat that is gone (403 blocked or kicked, 400 chat
not found) is deactivated and its queued deliveries dropped, logged once, with no apology
sent after it; a group upgraded to a supergroup moves its subscriptions. Flood control
(429) never gets here: the pacer (``notifier.bot.pacing``) waits it out and sends again.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramMigrateToChat
from aiogram.types import ErrorEvent

from notifier.bot.context import BotContext
from notifier.bot.i18n import t
from notifier.bot.members import migrate
from notifier.bot.pacing import ChatGone, is_gone

log = logging.getLogger("notifier.bot")


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
    if isinstance(exc, ChatGone):
        return True  # a reply that waited for a chat that went away: reported already
    if isinstance(exc, TelegramAPIError) and is_gone(exc):
        gone = getattr(exc.method, "chat_id", None)  # the chat the request was for
        gone = gone if isinstance(gone, int) else chat_id
        if gone is not None:
            dropped = await ctx.subs.deactivate(gone, exc.message[:200], ctx.clock())
            log.info("chat %s: %s; deactivated, %d deliveries dropped", gone, exc.message, dropped)
        return True
    if isinstance(exc, TelegramMigrateToChat):
        if chat_id is not None:
            await migrate(ctx, chat_id, exc.migrate_to_chat_id)
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
