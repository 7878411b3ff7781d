"""/sub, /unsub, /list (with pause/resume/delete buttons), /pause, /resume.

Users name subscriptions by their number in the chat (``#2``); the buttons carry the global
id and the chat, and the store only changes a subscription of that chat.

A config admin may act on another chat the bot posts in: ``/sub @channel OpenAI``,
``/list @channel``, ``/unsub -100123 4``.
"""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, User
from aiogram.types import Chat as TgChat

from notifier.bot.common import (
    ensure_chat,
    fit,
    mode_name,
    require_admin,
    resolve_target,
    short,
    split_target,
    story_line,
    target_label,
)
from notifier.bot.context import BotContext
from notifier.bot.exprs import Refusal, canonical, join_terms, preview, validate
from notifier.bot.i18n import Html, t
from notifier.bot.story_dates import dated_within, days_back, zone
from notifier.subscriptions.model import Chat, Subscription

log = logging.getLogger("notifier.bot")

#: What the buttons of /list do.
ACTIONS = ("pause", "resume", "delete")
#: Stories shown under a new subscription.
PREVIEW_SHOWN = 5


class SubAction(CallbackData, prefix="s"):
    """An inline button of /list: ``action`` (pause, resume, delete) subscription ``id``
    (the global id, not the number shown) of ``chat`` (the chat the list is about; not
    always the one it is shown in)."""

    action: str
    id: int
    chat: int


async def _chat_for(
    bot: Bot, ctx: BotContext, message: Message, args: str, lang: str
) -> tuple[Chat, str, bool]:
    """The chat a command acts on, the rest of its arguments, and whether it is routed."""
    target, rest = split_target(ctx, message.from_user, args)
    if target is not None:
        return await resolve_target(bot, ctx, target, lang), rest, True
    await require_admin(bot, message.chat, message.from_user, message)
    return await ensure_chat(ctx, message.chat, lang), rest, False


async def sub(
    message: Message, command: CommandObject, bot: Bot, ctx: BotContext, lang: str
) -> None:
    args = command.args or ""
    if not args.strip():
        raise Refusal("sub_usage")
    target, rest = split_target(ctx, message.from_user, args)
    if target is None:
        await require_admin(bot, message.chat, message.from_user, message)
    rule = validate(rest, ctx.options.limits)  # refuse bad input before touching the store
    if target is not None:
        chat = await resolve_target(bot, ctx, target, lang)
    else:
        chat = await ensure_chat(ctx, message.chat, lang)
    routed, expr = target is not None, canonical(rest)
    existing = await ctx.subs.subscriptions(chat.chat_id)
    for old in existing:
        if canonical(old.expr) == expr:
            raise Refusal("sub_dup", id=old.number)
    cap = ctx.options.limits.subscriptions
    if len(existing) >= cap:
        raise Refusal("sub_cap", count=len(existing))
    owner = message.from_user.id if message.from_user else None
    added = await ctx.subs.add(chat.chat_id, expr, owner, ctx.clock())
    lines = [
        t(lang, key, terms=join_terms(terms))
        for key, terms in (
            ("terms_any", rule.any),
            ("terms_all", rule.all),
            ("terms_none", rule.none),
        )
        if terms
    ]
    values = {
        "id": added.number,
        "expr": expr,
        "terms": Html("\n".join(lines)),  # escaped by t()
    }
    if routed:
        text = t(lang, "sub_ok_target", target=target_label(chat), **values)
    else:
        text = t(lang, "sub_ok", **values)
    await message.answer(fit(text + await _preview(ctx, expr, lang, chat)))


async def _preview(ctx: BotContext, expr: str, lang: str, chat: Chat) -> str:
    """What the subscription would have caught in the last days, by the stories' own
    dates in the chat's time zone (empty without stories)."""
    if ctx.stories is None:
        return ""
    days = ctx.options.preview_days
    tz = zone(chat.timezone)
    first, since = days_back(ctx.clock(), tz, days)
    try:
        caught = await preview(
            ctx.stories, expr, since, traditional=ctx.traditional, field_weights=ctx.field_weights
        )
        caught = dated_within(caught, first, dt.date.max, tz, lambda c: c.story)
    except Exception:  # the subscription is saved: say so, without the preview
        log.warning("the /sub preview failed", exc_info=True)
        return ""
    if not caught:
        return "\n" + t(lang, "preview_none", days=days)
    shown = caught[:PREVIEW_SHOWN]
    lines = [story_line(c.story, i, lang) for i, c in enumerate(shown, 1)]
    if len(caught) > PREVIEW_SHOWN:
        lines.append(t(lang, "preview_more", count=len(caught) - PREVIEW_SHOWN))
    return "\n" + t(lang, "preview", days=days, stories=Html("\n".join(lines)))


# -- /list and its buttons ----------------------------------------------------------------------


async def render_list(
    ctx: BotContext, chat: Chat, lang: str, routed: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    subs = await ctx.subs.subscriptions(chat.chat_id)
    if not subs:
        return t(lang, "list_empty"), None
    mode = Html(mode_name(chat, lang))
    if routed:
        lines = [t(lang, "list_header_target", target=target_label(chat), mode=mode)]
    else:
        lines = [t(lang, "list_header", mode=mode)]
    if chat.paused:
        lines.append(t(lang, "chat_paused"))
    rows = []
    for s in subs:
        paused = Html(t(lang, "paused_mark")) if s.paused else ""
        lines.append(t(lang, "list_item", id=s.number, expr=short(s.expr), paused=paused))
        toggle = "resume" if s.paused else "pause"
        rows.append(
            [
                InlineKeyboardButton(
                    text=t(lang, f"btn_{toggle}", id=s.number),
                    callback_data=SubAction(action=toggle, id=s.id, chat=chat.chat_id).pack(),
                ),
                InlineKeyboardButton(
                    text=t(lang, "btn_delete", id=s.number),
                    callback_data=SubAction(action="delete", id=s.id, chat=chat.chat_id).pack(),
                ),
            ]
        )
    return fit("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


async def list_(
    message: Message, command: CommandObject, bot: Bot, ctx: BotContext, lang: str
) -> None:
    target, _ = split_target(ctx, message.from_user, command.args or "")
    if target is not None:
        chat = await resolve_target(bot, ctx, target, lang)
    else:
        chat = await ctx.subs.chat(message.chat.id) or Chat(message.chat.id, lang=lang)
    text, markup = await render_list(ctx, chat, lang, target is not None)
    await message.answer(text, reply_markup=markup)


async def button(
    query: CallbackQuery, callback_data: SubAction, bot: Bot, ctx: BotContext, lang: str
) -> None:
    if callback_data.action not in ACTIONS:
        await query.answer()
        return
    shown_in = query.message.chat if query.message is not None else None
    await _may_change(bot, ctx, query.from_user, shown_in, callback_data.chat)
    chat_id, sub_id = callback_data.chat, callback_data.id
    # Only a subscription of that chat (a forged id of another chat's finds nothing).
    sub = next((s for s in await ctx.subs.subscriptions(chat_id) if s.id == sub_id), None)
    if sub is None:
        await query.answer(t(lang, "cb_gone"))
    elif callback_data.action == "delete":
        done = await ctx.subs.remove(chat_id, sub.id)
        await query.answer(t(lang, "cb_deleted", id=sub.number) if done else t(lang, "cb_gone"))
    else:
        pausing = callback_data.action == "pause"
        await ctx.subs.set_paused(chat_id, sub.id, pausing)  # 0 if it was already
        await query.answer(t(lang, "cb_paused" if pausing else "cb_resumed", id=sub.number))
    chat = await ctx.subs.chat(chat_id)
    if chat is None or query.message is None or shown_in is None:
        return
    text, markup = await render_list(ctx, chat, lang, chat_id != shown_in.id)
    try:
        await bot.edit_message_text(
            text=text,
            chat_id=shown_in.id,
            message_id=query.message.message_id,
            reply_markup=markup,
        )
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def _may_change(
    bot: Bot, ctx: BotContext, user: User, shown_in: TgChat | None, chat_id: int
) -> None:
    if shown_in is not None and shown_in.id == chat_id:
        await require_admin(bot, shown_in, user, None)
    elif user.id not in ctx.options.admins:
        raise Refusal("route_refused")


# -- /unsub, /pause, /resume --------------------------------------------------------------------


def _number(rest: str, usage: str) -> int | None:
    """``""`` → None (all); ``"3"`` or ``"#3"`` → 3; anything else: :class:`Refusal`
    ``usage``."""
    rest = rest.strip().lstrip("#")
    if not rest:
        return None
    if not rest.isdecimal() or len(rest) > 9:  # ASCII or other decimal digits (３)
        raise Refusal(usage)
    return int(rest)


async def _numbered(ctx: BotContext, chat: Chat, number: int) -> Subscription:
    """The chat's subscription ``#number``; :class:`Refusal` if it has none."""
    sub = await ctx.subs.numbered(chat.chat_id, number)
    if sub is None:
        raise Refusal("not_found", id=number)
    return sub


async def unsub(
    message: Message, command: CommandObject, bot: Bot, ctx: BotContext, lang: str
) -> None:
    chat, rest, _ = await _chat_for(bot, ctx, message, command.args or "", lang)
    if rest.strip().lower() in ("all", "全部"):
        count = await ctx.subs.remove(chat.chat_id)
    else:
        number = _number(rest, "unsub_usage")  # /unsub abc: how to use it, /unsub all too
        if number is None:
            raise Refusal("unsub_usage")
        sub = await _numbered(ctx, chat, number)
        count = await ctx.subs.remove(chat.chat_id, sub.id)
        if not count:
            raise Refusal("not_found", id=number)
    await message.answer(t(lang, "unsub_done", count=count))


async def pause(
    message: Message, command: CommandObject, bot: Bot, ctx: BotContext, lang: str
) -> None:
    paused = command.command.lower() == "pause"
    chat, rest, _ = await _chat_for(bot, ctx, message, command.args or "", lang)
    number = _number(rest, "bad_id")
    if number is not None:
        sub = await _numbered(ctx, chat, number)
        await ctx.subs.set_paused(chat.chat_id, sub.id, paused)  # 0 if it was already
        await message.answer(t(lang, "pause_one" if paused else "resume_one", id=number))
        return
    # The whole chat; resuming it also resumes the subscriptions paused one by one.
    await ctx.subs.set_paused(chat.chat_id, None, paused)
    await message.answer(t(lang, "pause_all" if paused else "resume_all"))


def make_router() -> Router:
    """A new router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name="subscribe")
    router.message(Command("sub"))(sub)
    router.message(Command("list"))(list_)
    router.callback_query(SubAction.filter())(button)
    router.message(Command("unsub"))(unsub)
    router.message(Command("pause", "resume"))(pause)
    return router
