"""Per-item cost of each store call the pipeline makes, as the store grows.

At each size the store is grown with :mod:`_fill` (bulk SQL) to that many deliveries
(ten per story, a tenth of them queued for tomorrow), then every call is timed on a
target of its own (``live``), as the pipeline makes it:

- ``known_keys``: 100 keys, half of them stored (µs per key);
- ``commit_digest``: a digest of 100 new stories, one delivery each (µs per story);
- ``due_targets`` and ``next_due``: one dispatcher round (µs per call);
- ``claim`` of 100 due deliveries of ``live`` and ``finish`` of them (µs per delivery);
- ``claim`` deep: 100 of a target with a long queue (a tenth of the store's deliveries
  over ten targets), then ``release`` (µs per delivery).

The median of ``reps`` calls of each; the ratio is against the smallest size.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from collections.abc import Awaitable, Callable

from _fill import DAY, TARGETS, fill

from notifier.store import NewDelivery, NewStory, Outcome, State, Store

OPS = (
    ("known_keys", "key"),
    ("commit_digest", "story"),
    ("due_targets", "call"),
    ("next_due", "call"),
    ("claim", "delivery"),
    ("finish", "delivery"),
    ("claim deep + release", "delivery"),
)


@dataclasses.dataclass
class Level:
    """The figures at one size: µs per item of each operation."""

    deliveries: int
    stories: int
    micros: dict[str, float]


async def _timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def measure_level(store: Store, serial: int, stories: int, reps: int) -> dict[str, float]:
    """Time each operation ``reps`` times on the store as it is; µs per item (median)."""
    now = time.time()
    rng = random.Random(serial)
    times: dict[str, list[float]] = {name: [] for name, _ in OPS}
    for rep in range(reps):
        base = f"live-{serial}-{rep}"
        keys = [f"https://bulk.example/{rng.randrange(stories)}" for _ in range(50)]
        keys += [f"https://new.example/{base}/{i}" for i in range(50)]
        times["known_keys"].append(await _timed(lambda k=keys: store.known_keys(k)) / 100)
        new = [
            NewStory(f"{base}-{i}", (f"https://new.example/{base}/{i}",), f"t {i}", None, "b", {})
            for i in range(100)
        ]
        ds = [NewDelivery(s.id, "live", ("r",), 1.0, now, {"title": s.title}) for s in new]
        commit = store.commit_digest(base, "bench", new, [], ds, now)
        times["commit_digest"].append(await _timed(lambda c=commit: c) / 100)
        times["due_targets"].append(await _timed(lambda: store.due_targets(now)))
        times["next_due"].append(await _timed(lambda: store.next_due()))
        started = time.perf_counter()
        got = await store.claim("live", "bench", now, 600.0, 100)
        times["claim"].append((time.perf_counter() - started) / max(1, len(got)))
        ids = [d.id for d in got]
        finish = store.finish(ids, Outcome(State.SENT), now)
        times["finish"].append(await _timed(lambda f=finish: f) / max(1, len(ids)))
        target = TARGETS[rep % len(TARGETS)]
        started = time.perf_counter()
        deep = await store.claim(target, "deep", now + 2 * DAY, 600.0, 100)
        await store.release("deep")
        times["claim deep + release"].append((time.perf_counter() - started) / max(1, len(deep)))
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


async def run_growth(
    url: str, open_store: Callable[[str], Store], sizes: list[int], reps: int
) -> list[Level]:
    """Grow the store at ``url`` through ``sizes`` (deliveries); measure at each."""
    levels: list[Level] = []
    stories = 0
    async with open_store(url):  # migrations
        pass
    for serial, size in enumerate(sizes):
        target = size // len(TARGETS)
        fill(url, stories, target - stories)
        stories = target
        async with open_store(url) as store:
            await measure_level(store, 10_000 + serial, stories, 2)  # warm the cache
            micros = await measure_level(store, serial, stories, reps)
        levels.append(Level(size, stories, micros))
    return levels


def table(name: str, levels: list[Level]) -> list[str]:
    """The growth table of one backend, as markdown lines."""
    head = "| operation (per) | " + " | ".join(f"{lv.deliveries:,} deliveries" for lv in levels)
    lines = [
        f"Store growth, {name}: µs per item (× the smallest size)",
        "",
        head + " |",
        "|---|" + "---:|" * len(levels),
    ]
    first = levels[0].micros
    for op, per in OPS:
        cells = [
            f"{lv.micros[op]:,.1f} ({lv.micros[op] / first[op]:.1f}×)"
            if first[op] > 0
            else f"{lv.micros[op]:,.1f}"
            for lv in levels
        ]
        lines.append(f"| {op} ({per}) | " + " | ".join(cells) + " |")
    return lines
