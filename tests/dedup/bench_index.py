"""Throughput of :class:`notifier.dedup.NearDuplicates` at 100,000+ stories (not a test).

Run: ``.venv/bin/python -m tests.dedup.bench_index [--stories N]``. Fingerprints are
random 64-bit values (the worst case for nothing: real SimHashes of related titles share
more block values, so buckets are a little fuller); lookups are half fresh fingerprints
(misses) and half stored ones with 0-6 bits flipped (hits).
"""

from __future__ import annotations

import argparse
import random
import time

from notifier.dedup import MAX_DISTANCE, NearDuplicates


def main() -> None:
    """Print adds/s, finds/s (misses and hits) and prunes/s for one index size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(4)
    fps = [rng.getrandbits(64) - (1 << 63) for _ in range(args.stories)]
    index = NearDuplicates()

    t0 = time.perf_counter()
    for i, fp in enumerate(fps):
        index.add(f"s{i}", fp, float(i))
    add_s = time.perf_counter() - t0

    misses = [rng.getrandbits(64) for _ in range(args.lookups)]
    hits = []
    for _ in range(args.lookups):
        fp = rng.choice(fps)
        for bit in rng.sample(range(64), rng.randint(0, MAX_DISTANCE)):
            fp ^= 1 << bit
        hits.append(fp)

    t0 = time.perf_counter()
    found_misses = sum(index.find(fp) is not None for fp in misses)
    miss_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    found_hits = sum(index.find(fp) is not None for fp in hits)
    hit_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    pruned = index.prune(args.stories / 2)
    prune_s = time.perf_counter() - t0

    n, k = args.stories, args.lookups
    print(f"stories: {n:,}, max distance {MAX_DISTANCE}")
    print(f"add:          {n / add_s:12,.0f} /s")
    print(f"find (miss):  {k / miss_s:12,.0f} /s  ({found_misses} false hits)")
    print(f"find (hit):   {k / hit_s:12,.0f} /s  ({found_hits}/{k} found)")
    print(f"prune:        {pruned / prune_s:12,.0f} stories/s ({pruned:,} removed)")


if __name__ == "__main__":
    main()
