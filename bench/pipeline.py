"""The delivery pipeline: first-push latency, sustained matches/s, cost as the store grows.

    python bench/pipeline.py            # the figures the README quotes (about 8 minutes)
    python bench/pipeline.py --quick    # small and fast (the smoke test runs this)
    python bench/pipeline.py --pg URL   # PostgreSQL too (default: $NOTIFIER_TEST_POSTGRES,
                                        # else postgresql://postgres@127.0.0.1:5432/test;
                                        # left out when unreachable, or with --no-pg)

1. First-push latency (``bench/_latency.py``): a real ``notifier run`` on SQLite; a new
   story dropped into its watched folder (written to a temporary name, renamed in) or
   POSTed to ``/v1/digests``, timed until the first request reaches a local ntfy fake;
   ``--runs`` runs of each, median and p99. Baselines, same run: the same-size request
   sent straight to the fake, and ``watchfiles`` alone (rename → event).
2. Sustained matches/s (``bench/_throughput.py``): ingest → store → dispatch in this
   process, ntfy targets without rate limits, the fake in another process. Baselines: the
   engine alone (parse + match) and the store's raw insert rate.
3. Store growth (``bench/_growth.py``): each store call the pipeline makes, per item, at
   ``--sizes`` deliveries (grown with bulk SQL, ten deliveries per story, a tenth queued).

Sections 1 and 2 run twice: on an empty store, and on a store that already holds
``--backlog`` stories (ten deliveries each: most sent, a tenth queued for tomorrow), grown
with bulk SQL as in section 3. Exit status 1 if any push never arrived or any match was
not sent exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _growth
import _latency
import _throughput
from _fakes import start_fleet
from _fill import fill
from _pg import DEFAULT_PG, create_schema, drop_schema, pg_reachable

from notifier.store import Store, open_store


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _pg_store(url: str) -> Store:
    from notifier.store.postgres import PostgresStore

    return PostgresStore(url, max_size=4)


class Stores:
    """Fresh stores for the runs: empty, or a copy of a filled template (SQLite), or a new
    schema filled again (PostgreSQL); everything is removed at the end."""

    def __init__(self, folder: Path, backlog: int, pg: str | None) -> None:
        self.folder = folder
        self.backlog = backlog
        self.pg = pg
        self.schemas: list[str] = []
        self._template: Path | None = None

    def sqlite(self, name: str, filled: bool) -> str:
        path = self.folder / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if filled:
            shutil.copyfile(self.template(), path)
        return f"sqlite:///{path}"

    def template(self) -> Path:
        if self._template is None:
            self._template = self.folder / "template.db"
            url = f"sqlite:///{self._template}"
            _in_thread(_migrate(url, open_store))
            fill(url, 0, self.backlog)
        return self._template

    def postgres(self, filled: bool) -> str:
        assert self.pg is not None
        schema, url = create_schema(self.pg)
        self.schemas.append(schema)
        _in_thread(_migrate(url, _pg_store))
        if filled:
            fill(url, 0, self.backlog)
        return url

    def drop(self) -> None:
        if self.pg:
            for schema in self.schemas:
                drop_schema(self.pg, schema)


def _in_thread(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` on an event loop of its own (callers may be inside one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


async def _migrate(url: str, make: Callable[[str], Store]) -> None:
    async with make(url):
        pass


def latency(stores: Stores, runs: int) -> bool:
    print(
        f"### 1. First-push latency: `notifier run` on SQLite, {runs} runs of each "
        "(after 5 warm-up runs of each, so that every target has sent once)\n"
    )
    print(
        "| digest arrives by | store | first push, median | p99 | lost | baseline | "
        "baseline median | baseline p99 | median ÷ baseline |"
    )
    print("|---|---|---:|---:|---:|---|---:|---:|---:|")
    ok = True
    for filled in (False, True):
        label = f"{stores.backlog:,} stories" if filled else "empty"
        series = _latency.measure(stores.sqlite("latency", filled), runs, seed=2 if filled else 1)
        for path, base in (("folder", "watcher"), ("POST", "direct POST")):
            s, b = series[path], series[base]
            ok &= s.lost == 0
            print(
                f"| {path} | {label} | {_ms(s.median)} | {_ms(s.p99)} | {s.lost} | {base} | "
                f"{_ms(b.median)} | {_ms(b.p99)} | {s.median / b.median:.1f}× |"
            )
    print("\nTarget: median first push under 200 ms.\n")
    return ok


def throughput(stores: Stores, args: argparse.Namespace) -> bool:
    data = _throughput.digests(args.digests, args.items, seed=3)
    per = args.digests * args.items
    print(
        f"### 2. Sustained matches/s: {args.digests} digests × {args.items} new stories × "
        f"{args.targets} ntfy targets, no rate limits\n"
    )
    print(
        "| store | matches | ingest matches/s | dispatch matches/s | end to end matches/s | "
        "engine alone matches/s | channels alone matches/s | ingest ÷ engine | "
        "dispatch ÷ channels |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    fleet = start_fleet(1)
    ok = True
    try:
        ntfy = fleet.urls["ntfy"]
        raw_url = stores.sqlite("raw", False)
        asyncio.run(_migrate(raw_url, open_store))
        raw = _throughput.raw_inserts(raw_url.removeprefix("sqlite:///"), per * args.targets)
        configs: list[tuple[str, bool]] = [("sqlite", False), ("sqlite", True)]
        if stores.pg:
            configs += [("postgresql", False), ("postgresql", True)]
        for kind, filled in configs:
            folder = stores.folder / "throughput"
            folder.mkdir(exist_ok=True)
            config = _throughput.write_config(folder, "sqlite:///unused.db", ntfy, args.targets)
            engine = max(_throughput.engine_alone(config, data) for _ in range(2))
            channels = asyncio.run(_throughput.channel_alone(config, data, args.targets))
            fleet.take()

            def prepare(name: str, kind: str = kind, filled: bool = filled) -> str:
                if kind == "sqlite":
                    return stores.sqlite(name, filled)
                return stores.postgres(filled)

            make = open_store if kind == "sqlite" else _pg_store
            stages = asyncio.run(
                _throughput.measure(folder, ntfy, args.targets, data, prepare, make)
            )
            fleet.take()  # forget what the fake recorded
            ok &= stages.complete and stages.matches == per * args.targets
            label = f"{kind}, {stores.backlog:,} stories" if filled else f"{kind}, empty"
            print(
                f"| {label} | {stages.matches:,} | {stages.ingest:,.0f} | "
                f"{stages.dispatch:,.0f} | {stages.end_to_end:,.0f} | {engine:,.0f} | "
                f"{channels:,.0f} | {stages.ingest / engine:.0%} | "
                f"{stages.dispatch / channels:.0%} |"
            )
    finally:
        fleet.stop()
    print(
        f"\nThe store's raw insert rate, the same number of delivery rows in one "
        f"executemany (SQLite): {raw:,.0f} rows/s.\n"
    )
    return ok


def growth(stores: Stores, args: argparse.Namespace) -> None:
    sizes = [int(x) for x in args.sizes.split(",")]
    print("### 3. Store growth: each call the pipeline makes, per item\n")
    runs: list[tuple[str, str, Callable[[str], Store]]] = [
        ("SQLite", stores.sqlite("growth", False), open_store)
    ]
    if stores.pg:
        runs.append(("PostgreSQL", stores.postgres(False), _pg_store))
    for name, url, make in runs:
        levels = asyncio.run(_growth.run_growth(url, make, sizes, args.reps))
        print("\n".join(_growth.table(name, levels)))
        print()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=50, help="latency runs of each (default 50)")
    p.add_argument("--backlog", type=int, default=100_000, help="stories already stored")
    p.add_argument("--digests", type=int, default=40, help="digests for matches/s")
    p.add_argument("--items", type=int, default=100, help="new stories per digest")
    p.add_argument("--targets", type=int, default=8, help="targets every story goes to")
    p.add_argument("--sizes", default="10000,100000,1000000", help="store sizes (deliveries)")
    p.add_argument("--reps", type=int, default=20, help="calls of each store operation")
    p.add_argument("--pg", default=os.environ.get("NOTIFIER_TEST_POSTGRES") or DEFAULT_PG)
    p.add_argument("--no-pg", action="store_true", help="SQLite only")
    p.add_argument("--only", default="1,2,3", help="sections to run (default 1,2,3)")
    p.add_argument("--quick", action="store_true", help="small and fast (under a minute)")
    args = p.parse_args()
    if args.quick:
        args.runs, args.backlog, args.digests, args.items = 5, 2_000, 3, 40
        args.targets, args.sizes, args.reps = 4, "1000,10000", 3
    pg: str | None = None if args.no_pg else args.pg
    if pg and (why := pg_reachable(pg)):
        print(f"PostgreSQL left out: {why}\n")
        pg = None
    print(
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}; PostgreSQL: {'yes' if pg else 'no'}\n"
    )
    ok = True
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        stores = Stores(Path(tmp), args.backlog, pg)
        try:
            if "1" in only:
                ok &= latency(stores, args.runs)
            if "2" in only:
                ok &= throughput(stores, args)
            if "3" in only:
                growth(stores, args)
        finally:
            stores.drop()
    if not ok:
        print(
            "FAILED: a push never arrived, or a match was not sent exactly once", file=sys.stderr
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
