"""Scale-out: real ``notifier run --role worker`` processes on one store, against local fakes.

    python bench/scale.py            # 20,000 deliveries; drain 100,000 to 1,000 robots
    python bench/scale.py --quick    # small and fast (< 90 s)
    python bench/scale.py --pg URL   # default: $NOTIFIER_TEST_POSTGRES, else
                                     # postgresql://postgres@127.0.0.1:5432/test

1. Coordination ceiling. ``--deliveries`` deliveries to ``--targets`` ntfy topics on a fake
   ntfy server whose rate limit is lifted (the adapter's own 50 per 5 min per topic never
   binds: each topic gets at most 50 messages), ``max_items`` 5 entries a message. The
   workers start on an empty store and heartbeat; then the queue is filled with bulk SQL and
   they drain it. Figure: deliveries/s from the first send to the last (``sent_at`` in the
   store), for 1, 2 and 4 worker processes on PostgreSQL and 1 on SQLite (the baseline; the
   ratio column is over it). Every send goes through the whole pipeline: claim, shared
   rate-limit slot, HTTP to the fake, finish, sends log. Rows "no shared limits": one
   process whose shared rate limits are switched off (each process alone, as before them):
   what taking a slot in the store per message costs.
2. Drain. ``--drain`` deliveries to ``--robots`` DingTalk robots (fake, enforcing 20
   messages a minute and banning the 21st), one entry a message, ``--drain-workers``
   processes on PostgreSQL. The robots' minute is shortened ``--speedup`` times in the
   fake *and* in the workers' DingTalk adapter (the only change to the code under test,
   made in the worker processes of this script), so the figures are for windows of
   60/speedup s; multiply times by the speedup for real minutes. Ideal: the robots' limit
   alone, each robot's last batch of 20 going out exactly one window after the previous.
   The adapter widens each window by its request timeout (10 s, its default, not
   shortened) so that arrivals never bunch up: that margin is a cost of its own, shown
   beside (at real windows it is 10 s in 70, here 10 in 60/speedup + 10).

Not measured: several machines (all processes and PostgreSQL share this one; the CPU count
is printed), real networks. Every run checks that each delivery was sent exactly once, that
no robot was banned and no window exceeded: otherwise exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _pg import DEFAULT_PG, pg_schema  # noqa: E402  (bench/ is the script's folder)

#: The DingTalk adapter's request timeout in the drain, seconds (also its window margin): its
#: default, not shortened: the fakes share the CPUs with the workers, and a request that
#: waits in the fake's backlog arrives late (a shorter margin gets robots banned here).
ROBOT_TIMEOUT = 10.0
ROBOT_RATE, ROBOT_MINUTE = 20, 60.0


# -- the fakes, in a process of their own -------------------------------------------------------


def _fakes_main(conn: Connection, robots: int, minute: float) -> None:
    asyncio.run(_serve_fakes(conn, robots, minute))


async def _serve_fakes(conn: Connection, robots: int, minute: float) -> None:
    from tests.fakes.dingtalk import FakeDingTalk
    from tests.fakes.ntfy import FakeNtfy
    from tests.fakes.server import serve

    dingtalk = FakeDingTalk(rate=ROBOT_RATE, per=minute)
    for i in range(robots):
        dingtalk.add_robot(_token(i))
    ntfy = FakeNtfy(clock=time.monotonic, burst=10**9)
    async with serve(dingtalk.app) as dingtalk_url, ntfy:
        conn.send({"dingtalk": dingtalk_url, "ntfy": ntfy.url})
        loop = asyncio.get_running_loop()
        while await loop.run_in_executor(None, conn.recv) != "stop":
            bots = dingtalk.robots.values()
            conn.send(
                {
                    "ntfy": len(ntfy.messages),
                    "dingtalk": sum(len(r.sent) for r in bots),
                    "bans": sum(r.bans for r in bots),
                    "peak": max((r.peak for r in bots), default=0),
                }
            )
            ntfy.messages.clear()
            ntfy.requests.clear()
            dingtalk.requests.clear()
            dingtalk.answers.clear()
            for r in bots:
                r.sent.clear()


@contextmanager
def fakes(robots: int, minute: float) -> Iterator[tuple[dict[str, str], Connection]]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_fakes_main, args=(child, robots, minute), daemon=True)
    process.start()
    if not parent.poll(60):
        process.terminate()
        raise RuntimeError("the fake servers did not start within 60 s")
    try:
        yield parent.recv(), parent
    finally:
        parent.send("stop")
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()


def _token(i: int) -> str:
    return f"scale-robot-{i:05d}"


# -- stores ---------------------------------------------------------------------------------------


def upgrade(url: str) -> None:
    """Create the schema (what ``notifier db upgrade`` does)."""
    from notifier.store import open_store

    async def go() -> None:
        async with open_store(url):
            pass

    asyncio.run(go())


class Db:
    """Plain SQL on the store's database (fill, progress, checks), SQLite or PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(url, autocommit=True)
        else:
            from notifier.store.sqlite import sqlite_path

            self.conn = sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=30)

    def one(self, sql: str) -> tuple[Any, ...]:
        return tuple(self.conn.execute(sql).fetchone())

    def fill(self, stories: int, targets: list[str]) -> None:
        """Queue ``stories`` × ``targets`` deliveries, due now, in one transaction."""
        now = time.time()
        entry = (
            "json_object('title', 'AI story ' || i, 'url', 'https://example.com/story/' || i, "
            "'summary', 'What happened in story ' || i, 'source', 'bench')"
        )
        if self.pg:
            entry = entry.replace("json_object", "json_build_object")
            with self.conn.transaction():
                self.conn.execute(
                    "INSERT INTO stories (id, title, url, source, item, first_seen, last_seen) "
                    "SELECT 's' || i, 'AI story ' || i, 'https://example.com/story/' || i, "
                    "'bench', json_build_object('id', i), %s, %s "
                    "FROM generate_series(1, %s) AS i",
                    (now, now, stories),
                )
                self.conn.execute(
                    "INSERT INTO deliveries (story_id, target, rules, score, state, due_at, "
                    f"created_at, entry) SELECT 's' || i, t, '[\"bench\"]', 1.0, 'queued', "
                    f"%s, %s, {entry} FROM generate_series(1, %s) AS i, "
                    "unnest(%s::text[]) AS u(t)",
                    (now, now, stories, targets),
                )
            return
        db = self.conn
        db.execute("BEGIN IMMEDIATE")
        series = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        db.execute(
            f"{series} INSERT INTO stories (id, title, url, source, item, first_seen, "
            "last_seen) SELECT 's' || i, 'AI story ' || i, 'https://example.com/story/' || i, "
            "'bench', json_object('id', i), ?, ? FROM n",
            (stories, now, now),
        )
        db.executemany(
            f"{series} INSERT INTO deliveries (story_id, target, rules, score, state, due_at, "
            f"created_at, entry) SELECT 's' || i, ?, '[\"bench\"]', 1.0, 'queued', ?, ?, "
            f"{entry} FROM n",
            [(stories, t, now, now) for t in targets],
        )
        db.execute("COMMIT")

    def progress(self) -> tuple[int, int, float | None, float | None]:
        """(sent, dead, first sent_at, last sent_at)."""
        sent, first, last = self.one(
            "SELECT COUNT(*), MIN(sent_at), MAX(sent_at) FROM deliveries WHERE state = 'sent'"
        )
        (dead,) = self.one("SELECT COUNT(*) FROM deliveries WHERE state = 'dead'")
        return sent, dead, first, last

    def workers(self) -> int:
        return int(self.one("SELECT COUNT(*) FROM workers WHERE role = 'worker'")[0])

    def close(self) -> None:
        self.conn.close()


# -- worker processes -----------------------------------------------------------------------------


def write_config(folder: Path, store: str, channels: list[str]) -> Path:
    config = folder / "rules.yaml"
    lines = [f"store: {json.dumps(store)}", "channels:"]
    lines += [f"  {c}" for c in channels]
    lines += ["rules:", "  - name: ai", "    any: [AI]", "    notify: [console]", ""]
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def start_workers(
    n: int, config: Path, speedup: float, log: Path, shared: bool = True
) -> list[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    cmd = [sys.executable, __file__, "--worker", str(config), "--speedup", str(speedup)]
    cmd += [] if shared else ["--no-shared-limits"]
    with open(log, "ab") as out:
        return [
            subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=out, env=env) for _ in range(n)
        ]


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()  # SIGTERM: a clean stop
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def worker_main(config: str, speedup: float, shared: bool = True) -> int:
    """A ``notifier run --role worker`` process; DingTalk's minute shortened ``speedup``×;
    without the shared rate limits (each process alone: what they cost) if not ``shared``."""
    if not shared:
        import notifier.delivery.shared_limits as shared_limits

        shared_limits.limits_for = lambda *args, **kwargs: ()
    if speedup != 1:
        import channels.dingtalk as dingtalk
        from channels.ratelimit import Window

        dingtalk.DingTalkChannel.windows = tuple(
            Window(w.count, w.seconds / speedup) for w in dingtalk.DingTalkChannel.windows
        )
    from notifier.cli import main

    return main(["run", "-c", config, "--role", "worker"])


def drain(
    url: str,
    workers: int,
    channels: list[str],
    stories: int,
    speedup: float,
    timeout: float,
    shared: bool = True,
) -> dict[str, Any]:
    """Start ``workers`` processes on ``url``, fill the queue, wait until it is sent."""
    targets = [c.split(":", 1)[0] for c in channels]
    total = stories * len(targets)
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        folder = Path(tmp)
        config = write_config(folder, url, channels)
        upgrade(url)
        db = Db(url)
        procs = start_workers(workers, config, speedup, folder / "log.txt", shared)
        try:
            deadline = time.monotonic() + 60
            while db.workers() < workers:  # their first heartbeat: started and connected
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise RuntimeError("workers did not start:\n" + _log(folder))
                time.sleep(0.1)
            filled = time.time()
            db.fill(stories, targets)
            deadline = time.monotonic() + timeout
            while True:
                sent, dead, first, last = db.progress()
                if sent + dead >= total:
                    break
                if time.monotonic() > deadline:
                    left = db.conn.execute(
                        "SELECT state, COUNT(*), MIN(due_at) - %s, MAX(attempts) FROM deliveries "
                        "WHERE state <> 'sent' GROUP BY state".replace("%s", str(time.time()))
                    ).fetchall()
                    raise RuntimeError(
                        f"timed out: {sent} of {total} sent; the rest (state, count, due in, "
                        f"attempts): {left}\n" + _log(folder)
                    )
                if os.environ.get("BENCH_VERBOSE"):
                    print(f"  {sent} sent, {dead} dead", file=sys.stderr)
                time.sleep(0.2)
            (twice,) = db.one(
                "SELECT COUNT(*) FROM (SELECT story_id, target FROM deliveries "
                "GROUP BY story_id, target HAVING COUNT(*) > 1) AS x"
            )
        finally:
            stop_workers(procs)
            db.close()
    assert first is not None
    assert last is not None
    return {
        "total": total,
        "sent": sent,
        "dead": dead,
        "twice": twice,
        "seconds": last - first,
        "from_fill": last - filled,
    }


def _log(folder: Path) -> str:
    path = folder / "log.txt"
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


# -- the benchmark ----------------------------------------------------------------------------


def ceiling(args: argparse.Namespace, urls: dict[str, str]) -> tuple[list[str], bool]:
    topics = [f"t{i:04d}" for i in range(args.targets)]
    stories = args.deliveries // args.targets
    channels = [
        f"{t}: {{type: ntfy, server: {json.dumps(urls['ntfy'])}, topic: {t}, "
        "delivery: {max_items: 5}}"
        for t in topics
    ]
    rows: list[tuple[str, int, dict[str, Any]]] = []
    ok = True
    for shared in (True, False):
        with tempfile.TemporaryDirectory(prefix="scale-sqlite-") as tmp:
            url = f"sqlite:///{tmp}/n.db"
            result = drain(url, 1, channels, stories, 1, args.timeout, shared)
            rows.append(("SQLite" + ("" if shared else ", no shared limits"), 1, result))
    for workers in (1, 2, 4, 0):  # 0: one process without the shared limits
        with pg_schema(args.pg) as url:
            shared = workers > 0
            result = drain(url, workers or 1, channels, stories, 1, args.timeout, shared)
            name = "PostgreSQL" + ("" if shared else ", no shared limits")
            rows.append((name, workers or 1, result))
    base = rows[0][2]["sent"] / rows[0][2]["seconds"]
    out = [
        f"Coordination ceiling: {stories * args.targets:,} deliveries to {args.targets} ntfy "
        "topics (fake, no rate limit), 5 entries a message; first send to last",
        "",
        "| store | worker processes | deliveries | seconds | deliveries/s | ÷ SQLite, 1 process |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for store, workers, r in rows:
        rate = r["sent"] / r["seconds"]
        out.append(
            f"| {store} | {workers} | {r['sent']:,} | {r['seconds']:.1f} | {rate:,.0f} | "
            f"{rate / base:.2f}× |"
        )
        ok = ok and r["sent"] == r["total"] and r["twice"] == 0 and r["dead"] == 0
    return out, ok


def drain_bench(
    args: argparse.Namespace, urls: dict[str, str], take: Connection
) -> tuple[list[str], bool]:
    stories = args.drain // args.robots
    channels = [
        f"r{i:05d}: {{type: dingtalk, webhook: "
        f"{json.dumps(urls['dingtalk'] + '/robot/send?access_token=' + _token(i))}, "
        f"timeout: {ROBOT_TIMEOUT}, delivery: {{max_items: 1}}}}"
        for i in range(args.robots)
    ]
    take.send("take")
    take.recv()  # forget the ceiling's messages
    with pg_schema(args.pg) as url:
        r = drain(url, args.drain_workers, channels, stories, args.speedup, args.timeout)
    take.send("take")
    fake = take.recv()
    window = ROBOT_MINUTE / args.speedup
    batches = math.ceil(stories / ROBOT_RATE)
    ideal = (batches - 1) * window
    ideal_margin = (batches - 1) * (window + ROBOT_TIMEOUT)
    seconds = r["from_fill"]
    out = [
        f"Drain: {r['total']:,} deliveries (one a message) to {args.robots:,} DingTalk robots "
        f"(fake: {ROBOT_RATE} a window, the 21st banned), {args.drain_workers} worker "
        f"processes on PostgreSQL. Windows shortened {args.speedup:g}×: {window:g} s instead "
        f"of 60 s (multiply the seconds by {args.speedup:g} for real minutes)",
        "",
        "| deliveries | robots | ideal (robots' limit) s | ideal with the adapter's "
        f"{ROBOT_TIMEOUT:g} s margin s | drained in s | ÷ ideal | deliveries/s | bans | "
        "most in one window |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['total']:,} | {args.robots:,} | {ideal:.1f} | {ideal_margin:.1f} | "
        f"{seconds:.1f} | {seconds / ideal if ideal else float('nan'):.2f}× | "
        f"{r['sent'] / seconds:,.0f} | {fake['bans']} | {fake['peak']} |",
    ]
    ok = (
        r["sent"] == r["total"]
        and r["twice"] == 0
        and fake["bans"] == 0
        and fake["peak"] <= ROBOT_RATE
        and fake["dingtalk"] == r["total"]
    )
    if not ok:
        out.append(f"CHECK FAILED: {r} {fake}")
    return out, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small and fast (< 90 s)")
    parser.add_argument("--pg", default=os.environ.get("NOTIFIER_TEST_POSTGRES") or DEFAULT_PG)
    parser.add_argument("--deliveries", type=int, help="ceiling: deliveries (20,000)")
    parser.add_argument("--targets", type=int, help="ceiling: ntfy topics (500)")
    parser.add_argument("--drain", type=int, help="drain: deliveries (100,000)")
    parser.add_argument("--robots", type=int, help="drain: DingTalk robots (1,000)")
    parser.add_argument("--drain-workers", type=int, default=4, help="drain: processes (4)")
    parser.add_argument("--speedup", type=float, help="drain: windows shortened N× (4)")
    parser.add_argument("--timeout", type=float, default=900.0, help="per run, seconds")
    parser.add_argument("--worker", metavar="CONFIG", help=argparse.SUPPRESS)
    parser.add_argument("--no-shared-limits", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(args.worker, args.speedup or 1.0, not args.no_shared_limits)
    quick = {"deliveries": 3_000, "targets": 150, "drain": 4_000, "robots": 100, "speedup": 4}
    full = {"deliveries": 20_000, "targets": 500, "drain": 100_000, "robots": 1_000, "speedup": 4}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.quick:
        args.drain_workers = min(args.drain_workers, 2)
    print(
        f"# bench/scale.py{' --quick' if args.quick else ''}: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs (the workers, the fakes and PostgreSQL share them)\n"
    )
    # SIGTERM (a timeout) ends the run through the finally blocks: no worker is left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    started = time.monotonic()
    with fakes(args.robots, ROBOT_MINUTE / args.speedup) as (urls, take):
        table, ok = ceiling(args, urls)
        print("\n".join(table), end="\n\n", flush=True)
        table, drained = drain_bench(args, urls, take)
        print("\n".join(table), end="\n\n")
    print(f"({time.monotonic() - started:.0f} s in all)")
    return 0 if ok and drained else 1


if __name__ == "__main__":
    sys.exit(main())
