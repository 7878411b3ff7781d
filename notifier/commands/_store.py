"""Opening the store for an operating command (status, deliveries, retry)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from notifier.commands._config import load, store_url
from notifier.config import Config
from notifier.store import Store, open_store

T = TypeVar("T")


def with_store(
    args: argparse.Namespace, work: Callable[[Store, Config | None], Awaitable[T]]
) -> T | None:
    """Run ``work(store, config)``; ``None`` when the config (needed without --store) is bad.

    With ``--store`` the config is optional: it only adds the names of targets and sources.
    """
    config = load(args.config) if not args.store or args.config else None
    if config is None and not args.store:
        return None

    async def main() -> T:
        async with open_store(store_url(args, config)) as store:
            return await work(store, config)

    return asyncio.run(main())
