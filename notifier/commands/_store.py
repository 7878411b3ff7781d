"""Opening the store for an operating command (status, deliveries, retry)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from notifier.commands._config import resolve
from notifier.config import Config
from notifier.store import Store, open_store

T = TypeVar("T")


def with_store(
    args: argparse.Namespace, work: Callable[[Store, Config | None], Awaitable[T]]
) -> T | None:
    """Run ``work(store, config)``; ``None`` when the config (needed without --store or
    $NOTIFIER_STORE) is bad, or the store given is not a store URL.

    With a store given the config is optional: it only adds the names of targets and sources.
    """
    found = resolve(args, config="if-no-store")
    if found is None:
        return None
    url, config = found

    async def main() -> T:
        async with open_store(url) as store:
            return await work(store, config)

    return asyncio.run(main())
