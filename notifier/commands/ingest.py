"""``notifier ingest PATH|URL|-``: read digests once, queue their matches, deliver them."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys

from notifier.commands._config import EXIT_CONFIG, resolve, retry_backoff, setup_logging
from notifier.plaintext import plural

EXIT_OK = 0
EXIT_UNREADABLE = 1


def run(args: argparse.Namespace) -> int:
    """Ingest the digests; 0 when all were read, 1 when one could not be, 2 on config errors.

    On a terminal a progress bar shows the digests ingested, then the deliveries sent
    (not with ``--quiet`` or ``--json``).
    """
    from notifier.errors import ConfigError

    found = resolve(args, config="required")
    if found is None:
        return EXIT_CONFIG
    url, config = found
    assert config is not None
    try:
        retry = retry_backoff()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    config = dataclasses.replace(config, store=url)
    setup_logging()

    from notifier.pipeline.service import Service
    from notifier.progress import Backfill
    from notifier.sources.read import read_digests

    digests, errors = read_digests(args.digests, source="cli")
    for error in errors:
        print(f"notifier: {error}", file=sys.stderr)
    service = Service(config, role="all", retry=retry)
    quiet = args.json or getattr(args, "quiet", False)
    progress = Backfill(len(digests), enabled=False if quiet else None)
    try:
        reports = asyncio.run(service.run_once(digests, send=not args.no_send, progress=progress))
    finally:
        progress.close()
    for report in reports:
        if args.json:
            print(json.dumps(report.to_json(), ensure_ascii=False))
        else:
            state = (
                "already ingested"
                if report.skipped
                else (
                    f"{plural(report.items, 'item')}, "
                    f"{plural(report.stories, 'new story', 'new stories')}, "
                    f"{plural(report.duplicates, 'duplicate')}, "
                    f"{plural(report.deliveries, 'delivery', 'deliveries')} queued"
                )
            )
            print(f"{report.origin}: {state}", file=sys.stderr)
    return EXIT_UNREADABLE if errors else EXIT_OK  # an edition without stories is not an error
