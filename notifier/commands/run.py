"""``notifier run``: the service in the foreground (``--once``: one pass, then exit)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys

from notifier.commands._config import EXIT_CONFIG, resolve, retry_backoff, setup_logging
from notifier.plaintext import plural


def run(args: argparse.Namespace) -> int:
    """Run the service until SIGTERM/SIGINT; 0 on a clean stop, 2 on a config error."""
    from notifier.errors import ConfigError
    from notifier.pipeline.workers import lease_setting

    found = resolve(args, config="required")
    if found is None:
        return EXIT_CONFIG
    url, config = found
    assert config is not None
    listen = None
    if args.listen:
        host, _, port = args.listen.rpartition(":")
        if not port.isdigit():
            print(f"--listen {args.listen}: expected HOST:PORT", file=sys.stderr)
            return EXIT_CONFIG
        listen = (host or "127.0.0.1", int(port))
    try:
        retry = retry_backoff()
        lease = lease_setting()  # $NOTIFIER_LEASE
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    config = dataclasses.replace(config, store=url)
    setup_logging()

    from notifier.pipeline.service import Service
    from notifier.progress import Backfill

    service = Service(config, role=args.role, listen=listen, retry=retry, lease=lease)
    if args.once:
        progress = Backfill(enabled=False if getattr(args, "quiet", False) else None)
        try:
            reports = asyncio.run(service.run_once(progress=progress))
        finally:
            progress.close()
        items = sum(r.items for r in reports)
        queued = sum(r.deliveries for r in reports)
        print(
            f"{plural(len(reports), 'digest')}, {plural(items, 'item')}, "
            f"{plural(queued, 'delivery', 'deliveries')} queued",
            file=sys.stderr,
        )
        return 0
    asyncio.run(service.run())
    return 0
