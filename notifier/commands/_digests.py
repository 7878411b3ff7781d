"""Read the digests named on the command line, reporting problems on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from notifier.errors import DigestError
from notifier.parse import Layout, LayoutError, ParseResult, iter_digests
from notifier.parse.layout import parse_cli


def cli_layout(spec: str | None) -> Layout | None:
    """The ``--layout`` option, checked; a bad one is a usage error (exit 2)."""
    if not spec:
        return None
    try:
        return parse_cli(spec)
    except LayoutError as exc:
        raise SystemExit(f"notifier: --layout: {exc}") from None


class DigestReader:
    """Iterate parse results of several targets; count the ones that could not be read."""

    def __init__(
        self, targets: Sequence[str], err: TextIO | None = None, layout: Layout | None = None
    ) -> None:
        self.targets = targets
        self.err = err or sys.stderr
        self.layout = layout
        self.errors = 0

    def __iter__(self) -> Iterator[ParseResult]:
        for target in self.targets:
            for result in iter_digests(target, self.layout):
                if isinstance(result, DigestError):
                    self.errors += 1
                    print(f"notifier: {result}", file=self.err)
                    continue
                for warning in result.warnings:
                    print(f"warning: {warning}", file=self.err)
                yield result
