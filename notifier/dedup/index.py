"""An in-memory index of recent fingerprints: which stored story is a near-duplicate?

Multi-index hashing (Norouzi et al., 2012): the 64 bits are cut into 4 blocks of 16. Two
fingerprints within ``d`` bits agree to within ``d // 4`` bits on at least one block
(pigeonhole: 4 blocks each ``d // 4 + 1`` apart would be more than ``d`` apart), so a
lookup probes, per block, the block's value and its neighbours within ``d // 4`` bits,
and checks the full distance of the few stories found there. For ``d`` up to 7 that is
4 × 17 = 68 dictionary probes, whatever the number of stories; the result is exact (no
near-duplicate within ``d`` is ever missed).
"""

from __future__ import annotations

import heapq
import itertools

from notifier.dedup.simhash import MAX_DISTANCE

__all__ = ["NearDuplicates"]

_BLOCKS = 4
_BLOCK_BITS = 16
_BLOCK_MASK = (1 << _BLOCK_BITS) - 1
_MASK64 = (1 << 64) - 1


def _flips(radius: int) -> list[int]:
    """Every 16-bit mask with at most ``radius`` bits set."""
    return [
        sum(1 << b for b in bits)
        for r in range(radius + 1)
        for bits in itertools.combinations(range(_BLOCK_BITS), r)
    ]


def _block_keys(fp: int) -> list[int]:
    # One dict serves the four blocks: the block number sits above its 16 bits.
    return [(b << _BLOCK_BITS) | ((fp >> (b * _BLOCK_BITS)) & _BLOCK_MASK) for b in range(_BLOCKS)]


class NearDuplicates:
    """Recent stories by fingerprint; :meth:`find` returns the closest within the threshold.

    Args:
        max_distance: the largest Hamming distance (bits of 64) that still means "the same
            story"; :data:`notifier.dedup.MAX_DISTANCE` by default.
    """

    def __init__(self, max_distance: int = MAX_DISTANCE) -> None:
        if not 0 <= max_distance < 64:
            msg = f"max_distance must be between 0 and 63, not {max_distance}"
            raise ValueError(msg)
        self.max_distance = max_distance
        self._flips = _flips(max_distance // _BLOCKS)
        #: story id -> (unsigned fingerprint, seen_at)
        self._stories: dict[str, tuple[int, float]] = {}
        #: block key (block number, then the block's 16 bits) -> [(fingerprint, story id)]
        self._buckets: list[list[tuple[int, str]] | None] = [None] * (_BLOCKS << _BLOCK_BITS)
        #: (seen_at, story id), oldest first; entries of re-added stories go stale
        self._by_time: list[tuple[float, str]] = []

    def __len__(self) -> int:
        return len(self._stories)

    def add(self, story_id: str, fp: int, seen_at: float) -> None:
        """Index story ``story_id`` (first seen at ``seen_at``, UNIX seconds) under the
        64-bit fingerprint ``fp`` (signed or unsigned). Adding an indexed story again
        replaces its fingerprint and time."""
        if story_id in self._stories:
            self._remove(story_id)
        value = fp & _MASK64
        self._stories[story_id] = (value, seen_at)
        entry = (value, story_id)
        buckets = self._buckets
        for key in _block_keys(value):
            bucket = buckets[key]
            if bucket is None:
                buckets[key] = [entry]
            else:
                bucket.append(entry)
        heapq.heappush(self._by_time, (seen_at, story_id))

    def nearest(self, fp: int) -> tuple[str, int] | None:
        """Return ``(story_id, distance)`` of the closest indexed story within
        ``max_distance`` bits of ``fp`` (ties: the one seen first, then the smallest id),
        or ``None``."""
        value = fp & _MASK64
        limit = self.max_distance
        flips = self._flips
        probe = self._buckets.__getitem__
        found: list[tuple[int, str]] = []
        for key in _block_keys(value):
            for bucket in map(probe, [key ^ flip for flip in flips]):
                if bucket:
                    for other, story_id in bucket:
                        d = (value ^ other).bit_count()
                        if d <= limit:
                            found.append((d, story_id))
        if not found:
            return None
        stories = self._stories
        best = min((d, stories[story_id][1], story_id) for d, story_id in found)
        return best[2], best[0]

    def find(self, fp: int) -> str | None:
        """Return the id of the closest indexed story within ``max_distance`` bits of
        ``fp``, or ``None``."""
        hit = self.nearest(fp)
        return None if hit is None else hit[0]

    def discard(self, story_id: str) -> bool:
        """Forget one story (e.g. its digest was not committed); return whether it was
        indexed."""
        if story_id not in self._stories:
            return False
        self._remove(story_id)
        return True

    def prune(self, before: float) -> int:
        """Forget the stories seen before ``before``; return how many were removed."""
        removed = 0
        heap = self._by_time
        while heap and heap[0][0] < before:
            seen_at, story_id = heapq.heappop(heap)
            current = self._stories.get(story_id)
            if current is not None and current[1] == seen_at:
                self._remove(story_id)
                removed += 1
        return removed

    def _remove(self, story_id: str) -> None:
        value, _ = self._stories.pop(story_id)
        entry = (value, story_id)
        for key in _block_keys(value):
            bucket = self._buckets[key]
            if bucket is not None:
                bucket.remove(entry)
                if not bucket:
                    self._buckets[key] = None
