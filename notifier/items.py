"""The item: one story read from a digest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    """One story of a digest.

    ``id`` is stable across runs and publishers: derived from the canonical URL when the
    story has one, else from the normalized title and the source (see :func:`item_id`).
    ``rank`` is the 1-based position in its digest; ``hotness`` is the score the digest
    states for it (e.g. Hacker News points), when it states one.
    """

    id: str
    title: str
    url: str | None = None
    summary: str = ""
    source: str = ""
    section: str | None = None
    date: dt.date | None = None
    rank: int = 0
    hotness: int | None = None
    origin: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings)."""
        data = dataclasses.asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        """Rebuild an item written by :meth:`to_json`."""
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        if isinstance(values.get("date"), str):
            values["date"] = dt.date.fromisoformat(values["date"][:10])
        return cls(**values)


def item_id(canonical_url: str | None, title: str, source: str) -> str:
    """Return the stable id: a hash of the canonical URL, else of normalized title + source."""
    if canonical_url:
        key = "u\x1f" + canonical_url
    else:
        norm = " ".join(title.casefold().split())
        key = "t\x1f" + norm + "\x1f" + " ".join(source.casefold().split())
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
