"""``notifier run``: the service in the foreground (``--once``: one pass, then exit)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys

from notifier.commands._config import EXIT_CONFIG, load, setup_logging, store_url


def run(args: argparse.Namespace) -> int:
    """Run the service until SIGTERM/SIGINT; 0 on a clean stop, 2 on a config error."""
    config = load(args.config)
    if config is None:
        return EXIT_CONFIG
    listen = None
    if args.listen:
        host, _, port = args.listen.rpartition(":")
        if not port.isdigit():
            print(f"--listen {args.listen}: expected HOST:PORT", file=sys.stderr)
            return EXIT_CONFIG
        listen = (host or "127.0.0.1", int(port))
    config = dataclasses.replace(config, store=store_url(args, config))
    setup_logging()

    from notifier.pipeline.service import Service

    service = Service(config, role=args.role, listen=listen)
    if args.once:
        reports = asyncio.run(service.run_once())
        items = sum(r.items for r in reports)
        queued = sum(r.deliveries for r in reports)
        print(
            f"{len(reports)} digests, {items} items, {queued} deliveries queued",
            file=sys.stderr,
        )
        return 0
    asyncio.run(service.run())
    return 0
