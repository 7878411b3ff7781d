"""The store's dispatch path: claims and finished deliveries per second, PostgreSQL vs SQLite.

    python bench/store.py                  # 20,000 deliveries to 200 targets, 1/2/4 claimers
    python bench/store.py --quick          # small and fast
    python bench/store.py --pg URL         # default: $NOTIFIER_TEST_POSTGRES, else
                                           # postgresql://postgres@127.0.0.1:5432/test

Each run queues ``--deliveries`` deliveries spread over ``--targets`` targets (stories
committed 100 to a digest through ``commit_digest``), then starts the claimers, each a
process of its own with its own store (PostgreSQL: a pool of 2 connections): a claimer
loops ``due_targets`` → for each due target (the claimers start at different targets)
``claim(limit=--batch)`` → ``finish(SENT)``, until nothing is due. Nothing is sent: this is
the coordination ceiling of the store, not of the channels. The SQLite baseline has one
claimer (one process writes at a time anyway); every PostgreSQL run gets a fresh schema.
``--durable``: PostgreSQL claims and outcomes wait for the disk's flush too
(``PostgresStore(durable=True)``; by default only ingest does, as with SQLite's NORMAL).

Columns: claims/s = claim calls that returned deliveries, per second of wall clock (first
claimer's start to the last one's end); finished/s = deliveries claimed and finished per
second; the ratios are over the SQLite baseline of the same run; each the best of
``--rounds`` runs (the configurations alternate). After each run every delivery must be
SENT exactly once (checked through the store): otherwise exit status 1.

Not measured: networks (the server is on loopback), many machines, ingest while claiming.
The claimers and the server share this machine's CPUs (``os.cpu_count()`` is printed):
with more claimers than CPUs, the figures show the machine's ceiling, not PostgreSQL's.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _pg import DEFAULT_PG, pg_schema  # noqa: E402

from notifier.store import (  # noqa: E402  (after the path)
    NewDelivery,
    NewStory,
    Outcome,
    State,
    Store,
    open_store,
)
from notifier.store.postgres import PostgresStore  # noqa: E402


def _store(url: str) -> Store:
    if url.startswith("postgresql"):
        return PostgresStore(url, max_size=2, durable=os.environ.get("BENCH_DURABLE") == "1")
    return open_store(url)


async def fill(url: str, deliveries: int, targets: int) -> None:
    """Queue ``deliveries`` deliveries: each story goes to every target."""
    names = [f"t{i:04d}" for i in range(targets)]
    stories = deliveries // targets
    async with _store(url) as s:
        for start in range(0, stories, 100):
            batch = [
                NewStory(f"s{i}", (f"s{i}",), f"title {i}", None, "bench", {"id": i})
                for i in range(start, min(start + 100, stories))
            ]
            ds = [
                NewDelivery(x.id, t, ("r",), float(i % 10), 0.0, {"title": x.title})
                for i, x in enumerate(batch)
                for t in names
            ]
            await s.commit_digest(f"d{start}", "bench", batch, [], ds, now=1.0)


async def claimer(url: str, index: int, batch: int, go: object) -> tuple[int, int, float, float]:
    """Claim and finish until nothing is due; return claims, finished, start, end."""
    claims = finished = 0
    async with _store(url) as s:
        await asyncio.to_thread(go.wait)  # type: ignore[attr-defined]
        started = time.time()
        while due := await s.due_targets(now=10.0):
            order = sorted(due)
            shift = index * len(order) // 4 % max(len(order), 1)
            for target in order[shift:] + order[:shift]:
                got = await s.claim(target, f"w{index}", now=10.0, lease=60.0, limit=batch)
                if got:
                    claims += 1
                    finished += len(got)
                    await s.finish([d.id for d in got], Outcome(State.SENT), now=11.0)
        return claims, finished, started, time.time()


def _claimer_process(url: str, index: int, batch: int, go: object, out: object) -> None:
    out.put(asyncio.run(claimer(url, index, batch, go)))  # type: ignore[attr-defined]


def run(url: str, claimers: int, batch: int) -> tuple[float, float]:
    """Start ``claimers`` processes on a filled store; return claims/s and finished/s."""
    ctx = multiprocessing.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_claimer_process, args=(url, i, batch, go, out))
        for i in range(claimers)
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)  # let them connect before the start
    go.set()
    results = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
    wall = max(r[3] for r in results) - min(r[2] for r in results)
    return sum(r[0] for r in results) / wall, sum(r[1] for r in results) / wall


async def check(url: str, deliveries: int) -> bool:
    """Every delivery SENT, exactly once (a claim never handed one out twice)."""
    async with _store(url) as s:
        counts = await s.counts()
    return {state for _, state in counts} == {State.SENT} and sum(counts.values()) == (deliveries)


def measure(
    name: str, claimers: int, args: argparse.Namespace, total: int
) -> tuple[tuple[float, float], bool]:
    """One run on a fresh store: (claims/s, finished/s) and whether all was sent once."""
    if name == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            asyncio.run(fill(url, total, args.targets))
            figures = run(url, claimers, args.batch)
            return figures, asyncio.run(check(url, total))
    with pg_schema(args.pg) as url:
        asyncio.run(fill(url, total, args.targets))
        figures = run(url, claimers, args.batch)
        return figures, asyncio.run(check(url, total))


def main() -> int:
    """Run the benchmark; print one table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--deliveries", type=int, default=20_000)
    p.add_argument("--targets", type=int, default=200)
    p.add_argument("--batch", type=int, default=10, help="claim limit (default 10)")
    p.add_argument("--claimers", default="1,2,4", help="PostgreSQL claimers per run")
    p.add_argument("--pg", default=os.environ.get("NOTIFIER_TEST_POSTGRES") or DEFAULT_PG)
    p.add_argument("--rounds", type=int, default=3, help="best of N runs of each (default 3)")
    p.add_argument("--quick", action="store_true", help="2,000 deliveries, 50 targets, 1 round")
    p.add_argument(
        "--durable", action="store_true", help="PostgresStore(durable=True): every commit waits"
    )
    args = p.parse_args()
    if args.durable:
        os.environ["BENCH_DURABLE"] = "1"  # inherited by the claimer processes
    if args.quick:
        args.deliveries, args.targets, args.rounds = 2_000, 50, 1
    total = args.deliveries // args.targets * args.targets
    print(
        f"{total:,} deliveries to {args.targets} targets, claim limit {args.batch}"
        f"{', durable' if args.durable else ''}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    best: dict[tuple[str, int], tuple[float, float]] = {}
    ok = True
    configs = [("sqlite", 1)] + [("postgresql", int(x)) for x in args.claimers.split(",")]
    for _ in range(args.rounds):  # configurations alternate: a busy spell hits all alike
        for name, n in configs:
            figures, sent = measure(name, n, args, total)
            ok &= sent
            best[name, n] = max(best.get((name, n), (0.0, 0.0)), figures)
    rows = [(name, n, *figures) for (name, n), figures in best.items()]
    base_claims, base_done = rows[0][2], rows[0][3]
    print("| store | claimers | claims/s | finished/s | claims vs SQLite | finished vs SQLite |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, claims, done in rows:
        print(
            f"| {name} | {n} | {claims:,.0f} | {done:,.0f} | "
            f"{claims / base_claims:.2f}× | {done / base_done:.2f}× |"
        )
    if not ok:
        print("FAILED: some delivery was not sent exactly once", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
