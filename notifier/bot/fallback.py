"""Everything no other router took: unknown commands, plain text in a private chat."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, Message

from notifier.bot.i18n import t


async def unknown(message: Message, bot: Bot, lang: str) -> None:
    command = (message.text or "").split(maxsplit=1)[0]
    _, at, mention = command.partition("@")
    if message.chat.type != "private":
        me = await bot.me()
        if not at or mention.lower() != (me.username or "").lower():
            return  # in a group, a command without our name may be for another bot
    await message.answer(t(lang, "unknown"))


async def other(message: Message, lang: str) -> None:
    await message.answer(t(lang, "text_hint"))


async def stale_button(query: CallbackQuery) -> None:
    """A button no handler knows (an old or forged one): stop the client's spinner."""
    await query.answer()


def make_router() -> Router:
    """A new router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name="fallback")
    router.message(F.text.startswith("/"))(unknown)
    router.message(F.chat.type == "private")(other)
    router.callback_query()(stale_button)
    return router
