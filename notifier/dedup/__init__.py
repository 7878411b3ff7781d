"""Cross-source dedup: when two items are the same story (rule and thresholds:
``docs/dedup.md``).

- :func:`story_keys`: the exact keys of an item (item id, canonical URL, folded title);
- :func:`fingerprint`: a 64-bit SimHash of the title, for near-duplicate titles;
- :class:`NearDuplicates`: an in-memory index of recent fingerprints.
"""

from __future__ import annotations

from notifier.dedup.index import NearDuplicates
from notifier.dedup.keys import source_family, story_keys
from notifier.dedup.simhash import (
    MAX_DISTANCE,
    MIN_UNITS,
    fingerprint,
    fingerprint_text,
    hamming,
    title_units,
)

__all__ = [
    "MAX_DISTANCE",
    "MIN_UNITS",
    "WINDOW_SECONDS",
    "NearDuplicates",
    "fingerprint",
    "fingerprint_text",
    "hamming",
    "source_family",
    "story_keys",
    "title_units",
]

#: A near-duplicate must be of a story first seen this recently (7 days).
WINDOW_SECONDS = 7 * 86400.0
