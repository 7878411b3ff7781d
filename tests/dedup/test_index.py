"""NearDuplicates: the in-memory index of recent fingerprints."""

from __future__ import annotations

import random

import pytest

from notifier.dedup import MAX_DISTANCE, NearDuplicates, hamming


def _flip(fp: int, bits: list[int]) -> int:
    for bit in bits:
        fp ^= 1 << bit
    return fp


def test_empty() -> None:
    """An empty index finds nothing."""
    index = NearDuplicates()
    assert len(index) == 0
    assert index.find(12345) is None
    assert index.nearest(12345) is None


def test_threshold_is_inclusive() -> None:
    """A story exactly ``max_distance`` bits away is found; one bit more is not."""
    index = NearDuplicates()
    index.add("a", 0, 1.0)
    assert index.max_distance == MAX_DISTANCE
    assert index.nearest(_flip(0, list(range(MAX_DISTANCE)))) == ("a", MAX_DISTANCE)
    assert index.find(_flip(0, list(range(MAX_DISTANCE + 1)))) is None


@pytest.mark.parametrize("bits", [[0], [15, 16], [31, 47, 63], [1, 17, 33, 49, 63, 62]])
def test_differences_spread_over_blocks(bits: list[int]) -> None:
    """Differing bits in any blocks (including the sign bit) are found."""
    index = NearDuplicates()
    fp = -0x0123456789ABCDEF
    index.add("a", fp, 1.0)
    assert index.nearest(_flip(fp, bits)) == ("a", len(bits))


def test_signed_and_unsigned_are_the_same_fingerprint() -> None:
    """The store's signed BIGINT and the unsigned value find each other."""
    index = NearDuplicates()
    index.add("a", -1, 1.0)
    assert index.find(2**64 - 1) == "a"


def test_closest_wins_then_first_seen_then_id() -> None:
    """The nearest story is returned; ties go to the earliest, then to the smaller id."""
    index = NearDuplicates()
    index.add("far", _flip(0, [1, 2, 3]), 1.0)
    index.add("near", _flip(0, [1]), 5.0)
    assert index.find(0) == "near"
    index.add("near-too-late", _flip(0, [2]), 6.0)
    index.add("near-early-b", _flip(0, [3]), 2.0)
    index.add("near-early-a", _flip(0, [4]), 2.0)
    assert index.nearest(0) == ("near-early-a", 1)


def test_add_again_replaces() -> None:
    """Adding an indexed story again replaces its fingerprint and time."""
    index = NearDuplicates()
    index.add("a", 0, 1.0)
    index.add("a", -1, 10.0)
    assert len(index) == 1
    assert index.find(0) is None
    assert index.find(-1) == "a"
    assert index.prune(5.0) == 0  # the stale first entry removes nothing
    assert index.find(-1) == "a"
    assert index.prune(11.0) == 1
    assert len(index) == 0


def test_prune_forgets_old_stories() -> None:
    """Stories seen before the cut are gone; later ones stay."""
    index = NearDuplicates()
    for i in range(10):
        index.add(f"s{i}", -1 ^ i, float(i))  # all far from 0
    assert index.prune(4.0) == 4
    assert len(index) == 6
    assert index.find(0) is None
    assert index.find(-1 ^ 4) == "s4"
    assert index.find(-1 ^ 3) == "s7"  # 1 bit away; s5 and s6 are 2, s4 is 3
    assert index.prune(4.0) == 0
    assert index.prune(100.0) == 6
    assert len(index) == 0
    assert all(bucket is None for bucket in index._buckets)


@pytest.mark.parametrize("max_distance", [0, 3, 4, 6, 7, 8, 11, 12])
def test_agrees_with_brute_force(max_distance: int) -> None:
    """On clustered random fingerprints, the answer is the exhaustive scan's answer."""
    rng = random.Random(max_distance)
    index = NearDuplicates(max_distance)
    stored: dict[str, tuple[int, float]] = {}
    centres = [rng.getrandbits(64) for _ in range(40)]
    for i in range(1500):
        centre = rng.choice(centres)
        fp = _flip(centre, rng.sample(range(64), rng.randint(0, 14)))
        story = f"s{i}"
        index.add(story, fp, float(rng.randint(0, 50)))
        stored[story] = (fp, index._stories[story][1])
    index.prune(10.0)
    stored = {k: v for k, v in stored.items() if v[1] >= 10.0}
    assert len(index) == len(stored)
    for _ in range(400):
        query = _flip(rng.choice(centres), rng.sample(range(64), rng.randint(0, 16)))
        candidates = [
            (hamming(query, fp), seen, story)
            for story, (fp, seen) in stored.items()
            if hamming(query, fp) <= max_distance
        ]
        expected = None if not candidates else (min(candidates)[2], min(candidates)[0])
        assert index.nearest(query) == expected


@pytest.mark.parametrize("bad", [-1, 64])
def test_max_distance_is_checked(bad: int) -> None:
    """A threshold outside 0..63 is refused."""
    with pytest.raises(ValueError, match="max_distance"):
        NearDuplicates(bad)


def test_discard() -> None:
    """A story whose digest was not committed can be taken out again."""
    index = NearDuplicates()
    index.add("a", 7, 1.0)
    index.add("b", 7, 2.0)
    assert index.discard("a") is True
    assert index.discard("a") is False
    assert index.find(7) == "b"
    assert len(index) == 1
    assert index.prune(10.0) == 1  # the discarded story's time entry is skipped
