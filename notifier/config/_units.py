"""Durations (``30s``, ``10m``, ``1h30m``), sizes (``5MB``) and times of day (``09:00``)."""

from __future__ import annotations

import datetime as dt
import math
import re

_DURATION_PART = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)", re.IGNORECASE)
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:([kmg])i?)?b?\s*", re.IGNORECASE)
_BYTES = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
#: PyYAML (YAML 1.1) reads an unquoted ``18:00`` as the base-60 number 1080.
_SEXAGESIMAL = re.compile(r"[0-9]+(?::[0-5]?[0-9])+")


def parse_duration(value: object) -> float | None:
    """Return seconds for ``30s``, ``10m``, ``1h``, ``1h30m``, ``500ms``, ``2d`` or a number.

    Returns ``None`` for anything else (negative, not finite, unknown unit).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _duration_text(value)
        if seconds is None:
            return None
    else:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _duration_text(text: str) -> float | None:
    text = text.strip()
    try:
        return float(text)  # "90" written as a string
    except ValueError:
        pass
    total, pos = 0.0, 0
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        if match is None:
            return None
        total += float(match.group(1)) * _SECONDS[match.group(2).lower()]
        pos = match.end()
    return total if text else None


def parse_size(value: object) -> int | None:
    """Return bytes for ``5MB``, ``512KB``, ``1GiB``, ``800B`` or a number (1 KB = 1024 B)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value >= 0 else None
    if not isinstance(value, str):
        return None
    match = _SIZE.fullmatch(value)
    if match is None:
        return None
    return int(float(match.group(1)) * _BYTES[(match.group(2) or "").lower()])


def parse_clock(value: object, raw: str | None = None) -> dt.time | None:
    """Return the time of day of ``"09:00"`` (or ``"9:00"``, ``"18:30:15"``), else ``None``.

    ``raw`` is the scalar as written: an unquoted ``18:00`` reaches us as the number 1080.
    """
    plain_int = isinstance(value, int) and not isinstance(value, bool)
    if plain_int and raw is not None and _SEXAGESIMAL.fullmatch(raw.strip()):
        value = raw.strip()
    if not isinstance(value, str):
        return None
    match = _CLOCK.fullmatch(value.strip())
    if match is None:
        return None
    hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def show_duration(seconds: float) -> str:
    """Write seconds back as ``10m``, ``1h30m``, ``45s`` (for messages)."""
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            whole = int(seconds // size)
            out += f"{whole}{unit}"
            seconds -= whole * size
    if seconds or not out:
        out += f"{seconds:g}s"
    return out
