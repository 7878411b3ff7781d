"""The shipped data files of the folding modules (``notifier/data``), and character classes."""

from __future__ import annotations

import json
import os
import re
from typing import Any

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def read_data(name: str) -> Any:
    """A JSON file of ``notifier/data``."""
    with open(os.path.join(DATA_DIR, name), "rb") as f:
        return json.load(f)


def ranges(cps: list[int]) -> list[list[int]]:
    """Sorted code points as ``[first, last]`` runs."""
    out: list[list[int]] = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def char_class(cps: list[int]) -> str:
    """A regex character class matching exactly ``cps`` (sorted)."""
    parts: list[str] = []
    for a, b in ranges(cps):
        x = chr(a) if a > 0x7F else re.escape(chr(a))  # only ASCII is special
        if a == b:
            parts.append(x)
        else:
            parts.append(f"{x}-{chr(b) if b > 0x7F else re.escape(chr(b))}")
    return "[" + "".join(parts) + "]" if parts else "(?!)"
