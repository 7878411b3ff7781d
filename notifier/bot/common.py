"""Helpers shared by the routers: chats in the store, permissions, targets, formatting."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat as TgChat
from aiogram.types import Message, User

from notifier.bot.context import BotContext
from notifier.bot.exprs import Refusal
from notifier.bot.i18n import t
from notifier.bot.inputs import strip_bidi
from notifier.subscriptions.model import Chat

log = logging.getLogger("notifier.bot")

#: Raw HTML per message; visible text is never longer, so Telegram's 4,096 always holds.
MAX_HTML = 4000
ADMINS = (ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR)
_TARGET = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-\d{1,16})$")


def fit(text: str) -> str:
    """Drop whole lines from the end until the message fits."""
    if len(text) <= MAX_HTML:
        return text
    lines = text.split("\n")
    while lines and len("\n".join(lines)) > MAX_HTML - 2:
        lines.pop()
    return "\n".join(lines) + "\n…"


def short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def ensure_chat(ctx: BotContext, chat: TgChat, lang: str) -> Chat:
    """The store's chat for a Telegram chat, created (in ``lang``) on first use."""
    row = await ctx.subs.chat(chat.id)
    if row is not None:
        return row
    title = strip_bidi(chat.title or chat.username or chat.full_name or "")
    row = Chat(chat.id, kind=str(chat.type), lang=lang, title=title, created_at=ctx.clock())
    await ctx.subs.save_chat(row)
    return row


async def require_admin(
    bot: Bot, chat: TgChat, user: User | None, message: Message | None
) -> None:
    """In a group, only its admins change it; raise :class:`Refusal` otherwise."""
    if chat.type in (ChatType.PRIVATE, ChatType.CHANNEL):
        return
    sender = message.sender_chat if message is not None else None
    if sender is not None and sender.id == chat.id:
        return  # an anonymous admin posting as the group
    if user is None:
        raise Refusal("not_admin")
    member = await bot.get_chat_member(chat.id, user.id)
    if member.status not in ADMINS:
        raise Refusal("not_admin")


def split_target(ctx: BotContext, user: User | None, args: str) -> tuple[str | None, str]:
    """``@channel rest`` or ``-100123 rest`` → (target, rest); only config admins route."""
    first, _, rest = args.strip().partition(" ")
    if not _TARGET.match(first):
        return None, args
    if user is None or user.id not in ctx.options.admins:
        raise Refusal("route_refused")
    return first, rest.strip()


async def resolve_target(bot: Bot, ctx: BotContext, target: str, lang: str) -> Chat:
    """The chat ``target`` names, after checking that the bot may post there."""
    try:
        info = await bot.get_chat(target if target.startswith("@") else int(target))
        member = await bot.get_chat_member(info.id, bot.id)
    except TelegramAPIError:
        raise Refusal("route_unknown", target=target) from None
    status = member.status
    if info.type == ChatType.CHANNEL:
        can_post = status == ChatMemberStatus.CREATOR or (
            status == ChatMemberStatus.ADMINISTRATOR
            and bool(getattr(member, "can_post_messages", False))
        )
    else:
        can_post = status in (*ADMINS, ChatMemberStatus.MEMBER) or (
            status == ChatMemberStatus.RESTRICTED
            and bool(getattr(member, "can_send_messages", False))
        )
    if not can_post:
        raise Refusal("route_cannot_post", target=target)
    row = await ctx.subs.chat(info.id)
    if row is None:
        title = strip_bidi(info.title or info.username or "")
        row = Chat(info.id, kind=str(info.type), lang=lang, title=title, created_at=ctx.clock())
        await ctx.subs.save_chat(row)
    return row


def target_label(chat: Chat) -> str:
    return chat.title or str(chat.chat_id)


def story_line(story: dict[str, Any], index: int, lang: str) -> str:
    """``1. <a href=url>title</a> · source`` (escaped)."""
    title = html.escape(short(story.get("title") or "", 100), quote=False)
    url = story.get("url")
    link = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else title
    parts = [p for p in (story.get("source"),) if p]
    sources = int(story.get("sources") or 1)
    if sources > 1:
        parts.append(t(lang, "story_sources", count=sources))
    tail = f" · <i>{html.escape(' · '.join(parts), quote=False)}</i>" if parts else ""
    return f"{index}. {link}{tail}"


def mode_name(chat: Chat, lang: str) -> str:
    if chat.mode == "digest":
        return t(lang, "mode_digest_name", times=", ".join(chat.digest_at), tz=chat.timezone)
    return t(lang, "mode_instant_name")
