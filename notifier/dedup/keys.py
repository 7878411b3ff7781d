"""Exact keys of a story: what the store's unique keys catch without any fingerprint."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from notifier.dedup.simhash import MAX_UNITS, MIN_UNITS, fold_units, title_units
from notifier.urls import canonical_url

if TYPE_CHECKING:
    from notifier.items import Item

__all__ = ["source_family", "story_keys"]

# Words that change from one edition of a digest to the next: months and weekdays.
_MONTHS = "january february march april may june july august september october november december"
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday"
_DATE_WORDS = frozenset(
    w for words in (_MONTHS, _WEEKDAYS, "sept") for full in words.split() for w in (full, full[:3])
)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def source_family(source: str) -> str:
    """The publisher behind a digest's title, without the edition: ``AI洞察日报 2025/11/22``
    and ``AI洞察日报 2025/11/13`` are both ``ai 洞 察 日 报`` (folded units, numbers and
    month/weekday names dropped)."""
    units = fold_units(source)
    return " ".join(u for u in units if not u[0].isdigit() and u not in _DATE_WORDS)


def story_keys(item: Item) -> tuple[str, ...]:
    """Return the keys the store should hold for ``item``; an item sharing any key with a
    stored story is that story.

    - ``item.id`` (canonical URL, else title + source);
    - ``u:`` + hash of the canonical URL, when the item has one (the same link from two
      sources);
    - for an item **without** a URL only, ``t:`` + hash of the folded title units (the
      same headline from any source, in any later edition), or, for a title of fewer than
      :data:`~notifier.dedup.MIN_UNITS` units (``nvm``, ``adk-go``), of the title units
      and the :func:`source_family` (the same short title in the next edition of the same
      publisher). Items with a URL get no title key: their URL identifies them, and
      recurring titles (``This week in AI``) with new URLs are new stories.
    """
    keys = [item.id]
    url = canonical_url(item.url)
    if url:
        keys.append("u:" + _digest(url))
    else:
        units = title_units(item.title)[:MAX_UNITS]
        if len(units) >= MIN_UNITS:
            keys.append("t:" + _digest(" ".join(units)))
        elif units:
            family = source_family(item.source)
            if family:
                keys.append("t:" + _digest(" ".join(units) + "\x1f" + family))
    return tuple(dict.fromkeys(keys))
