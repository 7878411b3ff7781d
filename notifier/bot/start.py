"""/start, /help and /lang."""

from __future__ import annotations

import dataclasses
import html

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from notifier.bot.common import ensure_chat, require_admin
from notifier.bot.context import BotContext
from notifier.bot.exprs import Refusal
from notifier.bot.i18n import COMMANDS, Html, t
from notifier.delivery.texts import LANGUAGES


async def start(message: Message, ctx: BotContext, lang: str) -> None:
    if message.chat.type == "private":
        await ensure_chat(ctx, message.chat, lang)
    await message.answer(t(lang, "welcome"))


async def help_(message: Message, lang: str) -> None:
    index = 2 if lang == "zh" else 1
    lines = [f"/{c[0]} — {c[index]}" for c in COMMANDS]
    await message.answer(
        t(lang, "help", commands=Html(html.escape("\n".join(lines), quote=False)))
    )


async def set_lang(
    message: Message, command: CommandObject, bot: Bot, ctx: BotContext, lang: str
) -> None:
    wanted = (command.args or "").strip().lower()[:2]
    if not wanted:  # the current language, and how to change it, in that language
        await message.answer(t(lang, "lang_current"))
        return
    if wanted not in LANGUAGES:
        raise Refusal("lang_usage")
    await require_admin(bot, message.chat, message.from_user, message)
    chat = await ensure_chat(ctx, message.chat, wanted)
    await ctx.subs.save_chat(dataclasses.replace(chat, lang=wanted))
    await message.answer(t(wanted, "lang_set"))


def make_router() -> Router:
    """A new router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name="start")
    router.message(CommandStart())(start)
    router.message(Command("help"))(help_)
    router.message(Command("lang"))(set_lang)
    return router
