"""``notifier retry ID...|--all-dead|--target NAME``: queue dead deliveries again."""

from __future__ import annotations

import argparse
import sys
import time

from notifier.commands._config import EXIT_CONFIG
from notifier.commands._store import with_store
from notifier.config import Config
from notifier.store import Store


def run(args: argparse.Namespace) -> int:
    """Re-queue; 0 when something was queued, 1 when nothing was, 2 on usage errors."""
    if not (args.ids or args.all_dead or args.target):
        print("notifier retry: give delivery IDs, --all-dead or --target NAME", file=sys.stderr)
        return EXIT_CONFIG

    async def work(store: Store, config: Config | None) -> int:
        return await store.requeue(
            args.ids, all_dead=args.all_dead, target=args.target, now=time.time()
        )

    count = with_store(args, work)
    if count is None:
        return EXIT_CONFIG
    what = f"target {args.target} re-enabled; " if args.target else ""
    print(f"{what}{count} deliveries queued again")
    return 0 if count or args.target else 1
