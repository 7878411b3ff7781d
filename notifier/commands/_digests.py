"""Read the digests named on the command line, reporting problems on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from notifier.errors import DigestError
from notifier.parse import ParseResult, iter_digests


class DigestReader:
    """Iterate parse results of several targets; count the ones that could not be read."""

    def __init__(self, targets: Sequence[str], err: TextIO | None = None) -> None:
        self.targets = targets
        self.err = err or sys.stderr
        self.errors = 0

    def __iter__(self) -> Iterator[ParseResult]:
        for target in self.targets:
            for result in iter_digests(target):
                if isinstance(result, DigestError):
                    self.errors += 1
                    print(f"notifier: {result}", file=self.err)
                    continue
                for warning in result.warnings:
                    print(f"warning: {warning}", file=self.err)
                yield result
