"""The bot's membership and chat identity: blocked/kicked → deactivate, unblocked/added →
reactivate, a group upgraded to a supergroup → its subscriptions move to the new id."""

from __future__ import annotations

import dataclasses
import logging

from aiogram import Bot, F, Router
from aiogram.types import ChatMemberUpdated, Message

from notifier.bot.context import BotContext
from notifier.bot.i18n import t

log = logging.getLogger("notifier.bot")
GONE = ("kicked", "left")


async def membership(event: ChatMemberUpdated, bot: Bot, ctx: BotContext, lang: str) -> None:
    chat_id = event.chat.id
    status = str(event.new_chat_member.status)
    if status in GONE:
        dropped = await ctx.subs.deactivate(chat_id, f"bot {status}", ctx.clock())
        log.info("chat %s: bot %s; deactivated, %d deliveries dropped", chat_id, status, dropped)
        return
    row = await ctx.subs.chat(chat_id)
    if row is not None and not row.active:
        await ctx.subs.save_chat(dataclasses.replace(row, active=True))
        log.info("chat %s: bot is %s again; reactivated", chat_id, status)
    joined = str(event.old_chat_member.status) in GONE
    if joined and event.chat.type in ("group", "supergroup"):
        # Added to a group: say how it works, in the language of whoever added us.
        await bot.send_message(chat_id, t(lang, "welcome_group"))


async def migrated(message: Message, ctx: BotContext) -> None:
    await migrate(ctx, message.chat.id, int(message.migrate_to_chat_id or 0))


async def migrate(ctx: BotContext, old: int, new: int) -> None:
    """Move a chat's subscriptions to its new id (a later notice finds nothing to move)."""
    if old == new or await ctx.subs.chat(old) is None:
        return
    await ctx.subs.migrate(old, new)
    log.info("chat %s migrated to %s", old, new)


def make_router() -> Router:
    """A new router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name="members")
    router.my_chat_member()(membership)
    router.message(F.migrate_to_chat_id)(migrated)
    return router
