"""Versioned schema migrations, one folder per backend: ``NNN_name.sql``."""

from __future__ import annotations

from importlib import resources


def migrations(backend: str) -> list[tuple[int, str]]:
    """Return ``(version, sql)`` of every migration of ``backend``, in order."""
    folder = resources.files(__package__) / backend
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(found)
