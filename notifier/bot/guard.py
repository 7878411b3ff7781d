"""The update middleware: language, command rate, message length, polite refusals.

Runs around every handler. It removes bidi controls from what users typed
(:mod:`notifier.bot.inputs`), puts ``lang`` (the chat's stored language, else the user's
Telegram language) into the handler data, answers over-long messages and users over the
command rate without calling a handler, and turns a :class:`Refusal` raised by a handler
into its message.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update

from notifier.bot.context import BotContext
from notifier.bot.exprs import Refusal
from notifier.bot.i18n import lang_of, t
from notifier.bot.inputs import clean_update

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Guard(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        event = clean_update(event)  # before any handler validates or stores the text
        ctx: BotContext = data["ctx"]
        inner = event.event
        user = getattr(inner, "from_user", None)
        chat = getattr(inner, "chat", None)
        if isinstance(inner, CallbackQuery) and inner.message is not None:
            chat = inner.message.chat
        lang = lang_of(getattr(user, "language_code", None), ctx.options.language)
        if chat is not None and (row := await ctx.subs.chat(chat.id)) is not None:
            lang = row.lang
            if not row.active and chat.type == "private" and _counted(inner):
                # They write to us: they unblocked the bot (a missed my_chat_member).
                await ctx.subs.save_chat(dataclasses.replace(row, active=True))
        data["lang"] = lang
        if _counted(inner) and user is not None and not user.is_bot:
            wait = ctx.rate.hit(user.id)
            if wait > 0:
                if ctx.rate.first_warning(user.id):
                    await _answer(inner, t(lang, "slow_down", seconds=math.ceil(wait)))
                return None
            text = inner.text if isinstance(inner, Message) else None
            limit = ctx.options.limits.message_chars
            if text is not None and len(text) > limit:
                await _answer(inner, t(lang, "too_long", count=len(text), limit=limit))
                return None
        try:
            return await handler(event, data)
        except Refusal as refusal:
            if isinstance(inner, Message | CallbackQuery):
                await _answer(inner, t(lang, refusal.key, **refusal.values))
            return None


def _counted(event: Any) -> bool:
    """Button presses, commands and private text count against the rate; group talk and
    service messages (a migration) do not."""
    if isinstance(event, CallbackQuery):
        return True
    if not isinstance(event, Message) or event.text is None:
        return False
    return event.chat.type == "private" or event.text.startswith("/")


async def _answer(event: Message | CallbackQuery, text: str) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer(text[:200], show_alert=True)
    else:
        await event.answer(text)
