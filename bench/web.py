"""The web page's server time: ``/`` over a day of 10,000 stories, the playground over 7 days.

    python bench/web.py            # 10,000 stories for the day, 7 × 2,000 for the playground
    python bench/web.py --quick    # a tenth of that

Workload. Stories are the corpus items (``bench/_corpus.py``) repeated with a number in
their titles, dated one day (``published``), written with ``commit_digest`` into a fresh
SQLite store, with a delivery for one story in five (sent, queued or dead) to three
targets. The rules are those of the repository's rules.yaml (the example rules). Another
store holds 7 days of ``--per-day`` stories for the playground.

Figures (wall clock of this process, median of ``--runs``; the app is called through
aiohttp's test client on a local socket, so HTTP parsing is included):

1. ``GET /`` (the whole page: the day's stamp read, the grouped page reused, deliveries
   read, HTML rendered), as in ``notifier run`` once the day is grouped (at the server's
   start, in the background, then again only when a story arrives); and grouping the day
   the first time (every story read and through the engine, ``day_page`` with an empty
   cache). Baselines in the same run: reading the day's rows from the store
   (``Store.stories_between``) and ``json.dumps`` of them.
2. ``GET /api/play?q=...`` over the 7 days, for three expressions; baseline: reading the 7
   days' rows.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._corpus import load_items
from notifier.config import load_config
from notifier.store import NewDelivery, NewStory, Store, open_store

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2025, 12, 24)
TARGETS = ("team-feishu", "tg-news", "email-digest")
STATES = ("sent", "queued", "dead")
EXPRESSIONS = ("OpenAI +GPT !广告", "英伟达 芯片 GPU", "/gpt-?5(\\.\\d)?/ 大模型")


async def fill(store: Store, days: int, per_day: int) -> None:
    """Write ``per_day`` stories for each of ``days`` days ending at DAY."""
    items = load_items()
    n = 0
    for back in range(days):
        day = DAY - dt.timedelta(days=back)
        published = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp()
        for start in range(0, per_day, 1000):
            stories, deliveries = [], []
            for i in range(start, min(per_day, start + 1000)):
                item = items[n % len(items)]
                n += 1
                data = item.to_json()
                data.update(id=f"b{n}", title=f"{item.title} #{n}", rank=i % 30 + 1)
                story = NewStory(f"b{n}", (f"k{n}",), data["title"], item.url, "bench", data)
                stories.append(dataclass_replace(story, published=published))
                if n % 5 == 0:
                    for target in TARGETS[: n % 3 + 1]:
                        entry = {"title": data["title"]}
                        deliveries.append(NewDelivery(f"b{n}", target, ("r",), 1.0, 0.0, entry))
            await store.commit_digest(f"d{n}", "bench", stories, [], deliveries, now=published)
    await _set_states(store)


def dataclass_replace(story: NewStory, **changes: Any) -> NewStory:
    import dataclasses

    return dataclasses.replace(story, **changes)


async def _set_states(store: Store) -> None:
    """Mix the deliveries' states (sent, queued, dead), straight in SQL."""
    run = getattr(store, "_run", None)
    if run is None:
        return

    def tx(db: Any) -> None:
        db.execute("UPDATE deliveries SET state = 'sent' WHERE id % 3 = 0")
        db.execute("UPDATE deliveries SET state = 'dead', attempts = 5 WHERE id % 3 = 1")

    await run(tx)


async def median(fn: Callable[[], Awaitable[object]], runs: int) -> float:
    """Median seconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000, help="stories of the day")
    parser.add_argument("--per-day", type=int, default=2_000, help="playground: per day")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="a tenth of the stories")
    args = parser.parse_args()
    if args.quick:
        args.stories, args.per_day, args.runs = args.stories // 10, args.per_day // 10, 5

    from aiohttp import test_utils, web

    from notifier.views.day import MatchCache, day_page
    from notifier.web import mount

    config = load_config(REPO / "rules.yaml")
    now = dt.datetime.combine(DAY, dt.time(12), tzinfo=dt.UTC).timestamp()
    start = dt.datetime.combine(DAY, dt.time(), tzinfo=dt.UTC).timestamp()
    with tempfile.TemporaryDirectory() as tmp:
        async with open_store(f"sqlite:///{tmp}/day.db") as day_store:
            print(f"filling {args.stories:,} stories for {DAY} …", file=sys.stderr)
            await fill(day_store, 1, args.stories)
            app = web.Application()
            mount(app, day_store, config, "127.0.0.1", clock=lambda: now)
            async with test_utils.TestClient(test_utils.TestServer(app)) as client:
                size = [0]

                async def page() -> None:
                    r = await client.get(f"/?day={DAY}")
                    assert r.status == 200, r.status
                    size[0] = len(await r.read())

                await page()  # after the start's own warming (or along with it)
                warm = await median(page, args.runs)

                async def first_time() -> None:
                    await day_page(day_store, config, DAY, cache=MatchCache(config))

                cold = await median(first_time, 3)
                rows: list[Any] = []

                async def read() -> None:
                    rows[:] = await day_store.stories_between(start, start + 86400)

                fetch = await median(read, args.runs)
                dump_start = time.perf_counter()
                json.dumps(rows, ensure_ascii=False)
                dump = time.perf_counter() - dump_start
        print(f"\nGET / over {len(rows):,} stories of one day, median of {args.runs} (ms):")
        print("| step | ms | × reading the rows |\n|---|---:|---:|")
        for name, value in (
            ("reading the day's rows (baseline)", fetch),
            ("json.dumps of the rows (baseline)", dump),
            ("GET / (the day grouped once: at start)", warm),
            ("grouping the day the first time", cold),
        ):
            print(f"| {name} | {value * 1000:.1f} | {value / fetch:.2f}× |")
        print(
            f"The page: {size[0] / 1000:,.0f} KB of HTML; the first grouping "
            f"{cold / len(rows) * 1000:.2f} ms per story."
        )

        async with open_store(f"sqlite:///{tmp}/week.db") as week_store:
            print(f"\nfilling 7 × {args.per_day:,} stories …", file=sys.stderr)
            await fill(week_store, 7, args.per_day)
            app = web.Application()
            mount(app, week_store, config, "127.0.0.1", clock=lambda: now)
            week_start = start - 6 * 86400

            async def read_week() -> None:
                await week_store.stories_between(week_start, start + 86400)

            base = await median(read_week, args.runs)
            print(f"\nGET /api/play over 7 × {args.per_day:,} stories, median (ms):")
            print("| expression | matches | ms | × reading the rows |\n|---|---:|---:|---:|")
            print(f"| (reading the 7 days' rows: baseline) | | {base * 1000:.1f} | 1.00× |")
            async with test_utils.TestClient(test_utils.TestServer(app)) as client:
                for expr in EXPRESSIONS:
                    found: dict[str, Any] = {}

                    async def play(expr: str = expr, found: dict[str, Any] = found) -> None:
                        r = await client.get("/api/play", params={"q": expr, "days": "7"})
                        found.update(await r.json())

                    took = await median(play, args.runs)
                    total = found.get("total")
                    print(f"| `{expr}` | {total:,} | {took * 1000:.1f} | {took / base:.2f}× |")


if __name__ == "__main__":
    asyncio.run(main())
