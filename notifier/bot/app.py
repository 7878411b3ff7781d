"""Build and run the bot: aiogram Bot on the configured Bot API server, a Dispatcher with
one router per feature, long polling (default) or a webhook with a secret token.

    runner = BotRunner(options, subs=store.subscriptions, stories=store)
    await runner.run()        # until runner.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault

from notifier.bot import errors, fallback, lookup, members, settings, start, subscribe
from notifier.bot.context import BotContext
from notifier.bot.guard import Guard
from notifier.bot.i18n import COMMANDS
from notifier.bot.pacing import ReplyPacer
from notifier.config import BotSpec
from notifier.store import Store
from notifier.subscriptions.model import SubscriptionStore

log = logging.getLogger("notifier.bot")
#: The update types the bot handles (getUpdates/setWebhook ``allowed_updates``).
UPDATES = ["message", "callback_query", "my_chat_member"]


def build_bot(options: BotSpec) -> Bot:
    """A Bot on ``options.api_server``: HTML messages, link previews off."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(options.api_server))
    defaults = DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True)
    return Bot(options.token, session=session, default=defaults)


def build_dispatcher(ctx: BotContext) -> Dispatcher:
    """A Dispatcher with every router; ``ctx`` reaches the handlers as ``ctx``."""
    dp = Dispatcher(ctx=ctx)
    dp.update.outer_middleware(Guard())
    dp.include_routers(
        errors.make_router(),
        members.make_router(),
        start.make_router(),
        subscribe.make_router(),
        settings.make_router(),
        lookup.make_router(),
        fallback.make_router(),  # last: takes what no one else did
    )
    return dp


async def set_commands(bot: Bot) -> None:
    """Register the command menu: English by default, Chinese for ``zh`` clients."""
    scope = BotCommandScopeDefault()
    for lang, index in (("", 1), ("zh", 2)):
        commands = [BotCommand(command=c[0], description=c[index]) for c in COMMANDS]
        await bot.set_my_commands(commands, scope=scope, language_code=lang or None)


def scrub(text: str, token: str) -> str:
    """``text`` without the token or its secret half (for errors and logs)."""
    for secret in (token, token.partition(":")[2]):
        if secret:
            text = text.replace(secret, "***")
    return text


class BotRunner:
    """The bot of one process: long polling, or a webhook server when configured.

    Every request goes through ``pacer`` (default: a :class:`ReplyPacer` on ``stories``
    when it is the store, so replies take the chats' shared rate slots as pushes do).
    """

    def __init__(
        self,
        options: BotSpec,
        subs: SubscriptionStore,
        *,
        stories: Any = None,
        clock: Callable[[], float] = time.time,
        traditional: bool = True,
        field_weights: Mapping[str, float] | None = None,
        concurrent: bool = True,
        pacer: ReplyPacer | None = None,
    ) -> None:
        self.options = options
        #: Handle updates as concurrent tasks (False: one after another, as tests want).
        self.concurrent = concurrent
        self.ctx = BotContext(
            subs,
            options,
            stories=stories,
            clock=clock,
            traditional=traditional,
            field_weights=field_weights,
        )
        self.bot = build_bot(options)
        if pacer is None:
            pacer = ReplyPacer(stories if isinstance(stories, Store) else None)
        self.pacer = pacer
        self.bot.session.middleware(pacer)
        self.dp = build_dispatcher(self.ctx)
        self._stop = asyncio.Event()
        #: Set once the bot takes updates (tests wait for it).
        self.ready = asyncio.Event()
        #: The webhook server's (host, port) once it listens.
        self.listening: tuple[str, int] | None = None

    async def run(self) -> None:
        """Run until :meth:`stop`; the bot's HTTP session is closed at the end."""
        try:
            me = await self.bot.me()
            log.info(
                "bot @%s starting (%s)",
                me.username,
                "webhook" if self.options.webhook else "long polling",
            )
            await set_commands(self.bot)
            if self.options.webhook is not None:
                await self._run_webhook()
            else:
                await self._run_polling()
        finally:
            await self.bot.session.close()
            log.info("bot stopped")

    def stop(self) -> None:
        """Ask :meth:`run` to return (it finishes the update in hand first)."""
        self._stop.set()

    async def _run_polling(self) -> None:
        await self.bot.delete_webhook()
        self.dp.startup.register(self.ready.set)
        polling = asyncio.create_task(
            self.dp.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                handle_as_tasks=self.concurrent,
                polling_timeout=self.options.polling_timeout,
                allowed_updates=UPDATES,
            )
        )
        stopping = asyncio.create_task(self._stop.wait())
        await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not polling.done():
            if self.ready.is_set():
                await self.dp.stop_polling()
            else:
                polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling

    async def _run_webhook(self) -> None:
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
        from aiohttp import web

        hook = self.options.webhook
        assert hook is not None
        app = web.Application()
        handler = SimpleRequestHandler(
            self.dp,
            self.bot,
            secret_token=hook.secret or None,
            handle_in_background=self.concurrent,
        )
        handler.register(app, path=hook.path)
        setup_application(app, self.dp, bot=self.bot)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, hook.host, hook.port)
        await site.start()
        try:
            sockets = getattr(site._server, "sockets", None) or []
            port = sockets[0].getsockname()[1] if sockets else hook.port
            self.listening = (hook.host, port)
            await self.bot.set_webhook(
                hook.url, secret_token=hook.secret or None, allowed_updates=UPDATES
            )
            log.info("webhook listening on %s:%s", hook.host, port)
            self.ready.set()
            await self._stop.wait()
        finally:
            await runner.cleanup()
