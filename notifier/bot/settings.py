"""/mode instant | digest 09:00 [18:00], /tz Asia/Shanghai, /quiet 23:00-07:00 | off."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from notifier.bot.common import ensure_chat, require_admin
from notifier.bot.context import BotContext
from notifier.bot.exprs import Refusal
from notifier.bot.i18n import t
from notifier.subscriptions.model import Chat

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
#: Digest times per day.
MAX_DIGESTS = 4


def parse_time(value: str) -> str:
    """``9:00`` → ``09:00``; anything else is refused."""
    m = _TIME.match(value.strip())
    if not m:
        raise Refusal("bad_time", value=value[:20])
    return f"{int(m.group(1)):02d}:{m.group(2)}"


async def _editable(message: Message, bot: Bot, ctx: BotContext, lang: str) -> Chat:
    await require_admin(bot, message.chat, message.from_user, message)
    return await ensure_chat(ctx, message.chat, lang)


async def mode(
    message: Message, command: CommandObject, bot: Bot, ctx: BotContext, lang: str
) -> None:
    words = (command.args or "").split()
    if not words or words[0].lower() not in ("instant", "digest", "即时", "摘要"):
        raise Refusal("mode_usage")
    if words[0].lower() in ("instant", "即时"):
        if len(words) > 1:
            raise Refusal("mode_usage")
        chat = await _editable(message, bot, ctx, lang)
        await ctx.subs.save_chat(dataclasses.replace(chat, mode="instant"))
        await message.answer(t(lang, "mode_instant"))
        return
    if len(words) > 1 + MAX_DIGESTS:
        raise Refusal("mode_usage")
    times = tuple(sorted({parse_time(w) for w in words[1:]})) or ("09:00",)
    chat = await _editable(message, bot, ctx, lang)
    await ctx.subs.save_chat(dataclasses.replace(chat, mode="digest", digest_at=times))
    await message.answer(t(lang, "mode_digest", times=", ".join(times), tz=chat.timezone))


async def tz(
    message: Message, command: CommandObject, bot: Bot, ctx: BotContext, lang: str
) -> None:
    name = (command.args or "").strip()
    if not name:
        row = await ctx.subs.chat(message.chat.id)
        raise Refusal("tz_usage", tz=row.timezone if row else "UTC")
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise Refusal("tz_bad", value=name[:60]) from None
    chat = await _editable(message, bot, ctx, lang)
    await ctx.subs.save_chat(dataclasses.replace(chat, timezone=zone.key))
    local = dt.datetime.fromtimestamp(ctx.clock(), zone).strftime("%H:%M")
    await message.answer(t(lang, "tz_set", tz=zone.key, time=local))


async def quiet(
    message: Message, command: CommandObject, bot: Bot, ctx: BotContext, lang: str
) -> None:
    value = (command.args or "").strip()
    if value.lower() in ("off", "关闭", "关"):
        chat = await _editable(message, bot, ctx, lang)
        await ctx.subs.save_chat(dataclasses.replace(chat, quiet=None))
        await message.answer(t(lang, "quiet_off"))
        return
    parts = re.split(r"\s*[-–~—－]\s*|\s+", value)
    if len(parts) != 2 or not all(parts):
        raise Refusal("quiet_usage")
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if start == end:
        raise Refusal("quiet_usage")
    chat = await _editable(message, bot, ctx, lang)
    await ctx.subs.save_chat(dataclasses.replace(chat, quiet=(start, end)))
    await message.answer(t(lang, "quiet_set", start=start, end=end, tz=chat.timezone))


def make_router() -> Router:
    """A new router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name="settings")
    router.message(Command("mode"))(mode)
    router.message(Command("tz"))(tz)
    router.message(Command("quiet"))(quiet)
    return router
