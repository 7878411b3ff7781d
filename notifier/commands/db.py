"""``notifier db upgrade`` and ``notifier db copy FROM TO``: the store's schema and data."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifier.progress import Bar

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2


def upgrade(args: argparse.Namespace) -> int:
    """Apply the store's pending schema migrations; print the version before and after.

    Returns:
        0 when the schema is up to date, 1 when the store failed, 2 on a config problem.
    """
    from notifier.commands._config import resolve
    from notifier.store.failures import redact_url

    found = resolve(args, config="optional")
    if found is None:
        return EXIT_CONFIG
    url = found[0]
    shown = redact_url(url)
    try:
        before, after, latest = asyncio.run(_upgrade(url))
    except Exception as exc:
        return _failed(url, exc)
    if after > latest:
        print(f"{shown}: schema version {after}, newer than this notifier knows ({latest})")
    elif before == after:
        print(f"{shown}: schema version {after}, up to date")
    else:
        print(f"{shown}: schema version {before} -> {after}")
    return EXIT_OK


async def _upgrade(url: str) -> tuple[int, int, int]:
    from notifier.store import open_store
    from notifier.store.copy import latest_version, schema_version

    before = await schema_version(url)
    async with open_store(url):
        pass
    return before, await schema_version(url), latest_version(url)


def copy(args: argparse.Namespace) -> int:
    """Copy every story, delivery, target and source state from one store into another.

    The destination must be empty (``--force``, when the CLI offers it, empties it first).
    Progress goes to stderr when it is a terminal; the summary to stdout.

    Returns:
        0 when copied, 1 when refused or failed (the destination is then left unchanged).
    """
    from notifier.errors import StoreError
    from notifier.store.copy import CopyError, copy_store
    from notifier.store.failures import redact_url

    source, dest = str(args.source), str(args.dest)
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        report = asyncio.run(
            copy_store(
                source, dest, replace=bool(getattr(args, "force", False)), progress=progress
            )
        )
    except (CopyError, StoreError) as exc:
        if progress:
            progress.end()
        print(f"notifier db copy: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        if progress:
            progress.end()
        return _failed(source, exc, f"{redact_url(source)} -> {redact_url(dest)}")
    if progress:
        progress.end()
    tables = ", ".join(f"{table} {n:,}" for table, n in report.tables.items())
    print(
        f"copied {report.rows:,} rows from {redact_url(source)} to {redact_url(dest)} "
        f"(schema version {report.version}): {tables}"
    )
    return EXIT_OK


def _failed(url: str, exc: Exception, shown: str | None = None) -> int:
    """Report a failure of the store at ``url`` in one line: the store (``shown``, else its
    URL with the password masked), the cause and the fix. Other exceptions are raised."""
    from notifier.store.failures import store_error

    found = store_error(url, exc, opening=True)
    if found is None:
        raise exc
    if shown is not None:
        found.store = shown
    print(found, file=sys.stderr)
    return EXIT_FAILED


class _Progress:
    """``copying deliveries [####....] 12,000/100,000 rows``: a bar per table, in turn."""

    def __init__(self) -> None:
        self.bar: Bar | None = None

    def __call__(self, table: str, done: int, total: int) -> None:
        from notifier.progress import Bar

        label = f"copying {table}"
        if self.bar is None or self.bar.label != label:
            self.end()
            self.bar = Bar(label, "rows", total, enabled=True)
        self.bar.update(done, total)

    def end(self) -> None:
        """Finish the current line."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
