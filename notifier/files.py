"""Files replaced whole: written beside the target, checked, then renamed over it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(
    path: Path, data: bytes, mode: int, check: Callable[[str], None] | None = None
) -> None:
    """Put ``data`` in place of ``path`` at once: readers see the old file or the new one,
    never a part. ``check(temporary path)`` runs before the rename; what it raises leaves
    ``path`` as it was. The temporary file is always gone afterwards."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if check is not None:
            check(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
