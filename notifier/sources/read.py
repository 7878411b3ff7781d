"""Digests named on the command line (``notifier ingest``): files, folders, URLs, ``-``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from notifier.errors import DigestError
from notifier.parse.targets import digest_files, fetch, read_file, read_stdin
from notifier.sources.base import Digest


def read_digests(
    targets: Sequence[str], source: str = "cli"
) -> tuple[list[Digest], list[DigestError]]:
    """Read every digest ``targets`` name, unparsed; unreadable ones are returned as errors."""
    digests: list[Digest] = []
    errors: list[DigestError] = []
    for target in targets:
        if os.path.isdir(target):
            files = digest_files(target)
            if not files:
                errors.append(DigestError(target, "no digest files in this directory"))
            for path in files:
                _read(path, source, digests, errors)
        else:
            _read(target, source, digests, errors)
    return digests, errors


def _read(target: str, source: str, digests: list[Digest], errors: list[DigestError]) -> None:
    try:
        if target == "-":
            digests.append(Digest(read_stdin(), "<stdin>", source))
        elif target.lower().startswith(("http://", "https://")):
            data, name, content_type = fetch(target)
            digests.append(Digest(data, target, source, content_type, name))
        else:
            data = read_file(target)
            digests.append(Digest(data, target, source, filename=Path(target).name))
    except DigestError as exc:
        errors.append(exc)
