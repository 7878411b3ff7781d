"""/test <headline>: which subscriptions it matches and why; /top: today's hottest stories."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from notifier.bot.common import fit, short, story_line
from notifier.bot.context import BotContext
from notifier.bot.exprs import Refusal, explain, reason_text
from notifier.bot.i18n import t
from notifier.bot.story_dates import chat_zone, dated_within, days_back
from notifier.rules.expr import ExprError

TOP_SHOWN = 10
#: Recent stories /top looks through for today's (most sources first).
TOP_SCAN = 500


async def test(message: Message, command: CommandObject, ctx: BotContext, lang: str) -> None:
    text = (command.args or "").strip()
    if not text:
        raise Refusal("test_usage")
    subs = await ctx.subs.subscriptions(message.chat.id)
    if not subs:
        raise Refusal("test_no_subs")
    lines = []
    for s in subs:
        expr = short(s.expr)
        try:
            found = explain(
                s.expr, text, traditional=ctx.traditional, field_weights=ctx.field_weights
            )
        except ExprError as exc:
            lines.append(t(lang, "test_miss", id=s.number, expr=expr, reason=exc.reason))
            continue
        if found.matched:
            hits, score = ", ".join(found.hits), f"{found.score:g}"
            lines.append(t(lang, "test_match", id=s.number, expr=expr, hits=hits, score=score))
        else:
            reason = reason_text(found.reason, lang)
            lines.append(t(lang, "test_miss", id=s.number, expr=expr, reason=reason))
    await message.answer(fit("\n".join(lines)))


async def top(message: Message, ctx: BotContext, lang: str) -> None:
    stories = []
    if ctx.stories is not None:  # today by the stories' own dates, in the chat's zone
        tz = await chat_zone(ctx, message.chat.id)
        today, since = days_back(ctx.clock(), tz, 1)
        found = await ctx.stories.recent_stories(since, TOP_SCAN)
        stories = dated_within(found, today, today, tz)
    if not stories:
        raise Refusal("top_empty")
    lines = [story_line(s, i, lang) for i, s in enumerate(stories[:TOP_SHOWN], 1)]
    await message.answer(fit(t(lang, "top_header") + "\n" + "\n".join(lines)))


def make_router() -> Router:
    """A new router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name="lookup")
    router.message(Command("test"))(test)
    router.message(Command("top"))(top)
    return router
