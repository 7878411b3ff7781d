"""``notifier bot``: the Telegram subscription bot in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from notifier.commands._config import EXIT_CONFIG, resolve, setup_logging
from notifier.config import Config

EXIT_FAILED = 1
NO_BOT = """\
{path}: no bot: section with a token; add one, e.g.

  bot:
    token: ${{TELEGRAM_BOT_TOKEN}}     # from @BotFather

(README: "Telegram subscriptions")"""


def run(args: argparse.Namespace) -> int:
    """Run the bot; 0 after a clean stop, 1 if Telegram refused it, 2 on a config error."""
    from notifier.bot.options import from_config

    found = resolve(args, config="required")
    if found is None:
        return EXIT_CONFIG
    url, config = found
    assert config is not None
    options = from_config(config)
    if options is None:
        print(NO_BOT.format(path=config.path), file=sys.stderr)
        return EXIT_CONFIG
    setup_logging()
    return asyncio.run(serve(url, config))


async def serve(url: str, config: Config) -> int:
    """Open the store and run the bot until a signal; print why if it could not start."""
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from notifier.bot.app import BotRunner, scrub
    from notifier.bot.options import from_config
    from notifier.store import open_store

    options = from_config(config)
    assert options is not None
    async with open_store(url) as store:
        runner = BotRunner(
            options,
            store.subscriptions,
            stories=store,
            traditional=config.settings.fold_traditional,
            field_weights=config.settings.field_weights,
        )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, runner.stop)
        try:
            await runner.run()
        except TelegramUnauthorizedError:
            print(
                f"{config.path}: bot.token: the Bot API refused the token (401 Unauthorized)",
                file=sys.stderr,
            )
            return EXIT_FAILED
        except TelegramNetworkError as exc:
            reason = scrub(exc.message, options.token)
            print(f"cannot reach the Bot API server: {reason}", file=sys.stderr)
            return EXIT_FAILED
    return 0
