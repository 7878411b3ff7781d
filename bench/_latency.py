"""First-push latency of a real ``notifier run``: a digest in, the first request out.

The service runs as a process of its own (SQLite store, a folder source, the HTTP ingest
endpoint) and sends to ten ntfy targets served by the ntfy fake of ``tests/fakes`` in a
thread of this process, which notes when each request arrives. Each run is one new story
(a one-item markdown digest whose title names the run's rule, so the runs take turns over
the ten targets and no target's own rate limit, 50 messages in 5 minutes, is ever near):

- folder: the digest is written to a temporary name in the watched folder and renamed in;
  timed from the rename to the fake's receipt of the push;
- POST: the digest is POSTed to ``/v1/digests``; timed from the start of the request.

Baselines, same run: ``direct POST`` is a request of the same size sent straight to the
fake by the same client (loopback HTTP and the fake's own handling); ``watcher`` is
``watchfiles`` in this process, with the service's step (25 ms), timed from the rename of a
file in another folder to its event (the wait that detection alone costs, before the
source's own 50 ms settle check).
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import serve_in_thread

TARGETS = 10
TOKEN = "bench-ingest-token"
_rng = random.Random(0)
#: Made-up words for titles that are never near-duplicates of each other.
WORDS = [
    "".join(_rng.choice("bcdfghjklmnprstvwz") + _rng.choice("aeiou") for _ in range(3))
    for _ in range(4000)
]
ROOT = Path(__file__).resolve().parent.parent


class ArrivalNtfy(FakeNtfy):
    """The ntfy fake, noting the time each request arrives (before it is read)."""

    def __init__(self) -> None:
        super().__init__(clock=time.time, burst=10**9)
        self.arrived: list[float] = []
        self.event = threading.Event()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.arrived.append(time.perf_counter())
        self.event.set()
        return await super()._handle(request)

    def expect(self) -> None:
        self.event.clear()

    def wait(self, timeout: float) -> float | None:
        """The arrival time of the next request, or None after ``timeout`` seconds."""
        if not self.event.wait(timeout):
            return None
        return self.arrived[-1]


def title(rng: random.Random, probe: int) -> str:
    """A new story's title: the run's rule word and seven random words (no near-duplicate
    of any other run's title)."""
    return f"probe{probe} " + " ".join(rng.choice(WORDS) for _ in range(7))


def one_story(rng: random.Random, probe: int, run: str) -> bytes:
    """A markdown digest of one story dated today."""
    day = time.strftime("%Y-%m-%d", time.gmtime())
    summary = " ".join(rng.choice(WORDS) for _ in range(30))
    return (
        f"# Probe daily {day}\n\n1. [{title(rng, probe)}](https://probe.example/{run})\n"
        f"   {summary}\n"
    ).encode()


def write_config(folder: Path, store: str, fake_url: str) -> Path:
    """rules.yaml for the service: the inbox, the endpoint, ten targets, a rule each."""
    inbox = folder / "inbox"
    inbox.mkdir(exist_ok=True)
    channels = "".join(
        f"  t{i}: {{type: ntfy, server: '{fake_url}', topic: t{i}}}\n" for i in range(TARGETS)
    )
    rules = "".join(
        f"  - {{name: r{i}, any: [probe{i}], notify: [t{i}]}}\n" for i in range(TARGETS)
    )
    config = folder / "rules.yaml"
    config.write_text(
        f"store: {store}\nsources:\n  inbox: {{type: folder, path: {inbox}}}\n"
        f"server: {{token: {TOKEN}}}\nchannels:\n{channels}rules:\n{rules}",
        encoding="utf-8",
    )
    return config


@contextmanager
def service(config: Path) -> Iterator[str]:
    """Run ``notifier run`` on ``config``; yield its base URL; stop it with SIGTERM."""
    log = config.parent / "service.log"
    cmd = [sys.executable, "-m", "notifier", "run", "-c", str(config), "--listen", "127.0.0.1:0"]
    with open(log, "ab") as out:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the notifier of this tree
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=out, env=env)
    try:
        deadline = time.monotonic() + 120
        while not (found := re.search(r"listening on (http://[\d.]+:\d+)", _read(log))):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"notifier run did not start:\n{_read(log)[-2000:]}")
            time.sleep(0.05)
        yield found.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


@dataclasses.dataclass
class Series:
    """Seconds of each run (None: nothing arrived within the timeout)."""

    name: str
    times: list[float | None]

    @property
    def ok(self) -> list[float]:
        return [t for t in self.times if t is not None]

    @property
    def median(self) -> float:
        return statistics.median(self.ok) if self.ok else float("nan")

    @property
    def p99(self) -> float:
        ok = sorted(self.ok)
        if not ok:
            return float("nan")
        return ok[min(len(ok) - 1, round(0.99 * (len(ok) - 1)))]

    @property
    def lost(self) -> int:
        return sum(1 for t in self.times if t is None)


def measure(store: str, runs: int, seed: int = 1) -> dict[str, Series]:
    """First-push latency by folder and by POST through a service on ``store``, and the
    baselines; ``runs`` runs of each, interleaved."""
    import httpx

    rng = random.Random(seed)
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_in_thread(ArrivalNtfy) as fake,
        httpx.Client(timeout=30) as client,
    ):
        folder = Path(tmp)
        config = write_config(folder, store, fake.url)
        inbox = folder / "inbox"
        series = {n: Series(n, []) for n in ("folder", "POST", "direct POST", "watcher")}
        with service(config) as base, watcher(folder / "watched") as watch:
            endpoint = f"{base}/v1/digests"
            headers = {"Authorization": f"Bearer {TOKEN}"}
            # Five warm-up runs of each: every target has sent once (channel built, connected).
            for run in range(-TARGETS // 2, runs):
                probe = run % TARGETS
                body = one_story(rng, probe, f"f{seed}-{run}")
                tmp_file = inbox / f"run-{run}.md.tmp"
                tmp_file.write_bytes(body)
                fake.expect()
                started = time.perf_counter()
                os.rename(tmp_file, inbox / f"run-{run}.md")
                arrived = fake.wait(10)
                _note(series["folder"], run, arrived, started)
                _pause(rng)

                body = one_story(rng, (probe + 5) % TARGETS, f"p{seed}-{run}")
                fake.expect()
                started = time.perf_counter()
                answer = client.post(
                    f"{endpoint}?name=run-{run}.md", content=body, headers=headers
                )
                arrived = fake.wait(10)
                if answer.status_code != 202:
                    raise RuntimeError(f"POST /v1/digests: {answer.status_code} {answer.text}")
                _note(series["POST"], run, arrived, started)
                _pause(rng)

                fake.expect()
                started = time.perf_counter()
                client.post(f"{fake.url}/", json=_ntfy_body(body))
                _note(series["direct POST"], run, fake.wait(10), started)

                _note(series["watcher"], run, *watch(rng))
                _pause(rng)
        return series


def _note(series: Series, run: int, arrived: float | None, started: float) -> None:
    if run >= 0:
        series.times.append(None if arrived is None else arrived - started)


def _pause(rng: random.Random) -> None:
    """Let the service finish the run's bookkeeping; vary the phase against its timers."""
    time.sleep(0.15 + rng.random() * 0.1)


def _ntfy_body(digest: bytes) -> dict[str, Any]:
    return {"topic": "direct", "title": "direct", "message": digest.decode(), "markdown": True}


@contextmanager
def watcher(folder: Path) -> Iterator[Callable[[random.Random], tuple[float | None, float]]]:
    """``watchfiles`` on ``folder`` in a thread, as the folder source runs it; yields a
    function that renames a file in and returns (event time, rename time)."""
    import watchfiles

    folder.mkdir()
    stop = threading.Event()
    seen = threading.Event()
    when: list[float] = []

    def loop() -> None:
        for _ in watchfiles.watch(folder, stop_event=stop, step=25, rust_timeout=1_000):
            when.append(time.perf_counter())
            seen.set()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    time.sleep(0.5)
    count = 0

    def probe(rng: random.Random) -> tuple[float | None, float]:
        nonlocal count
        count += 1
        tmp = folder / f"w{count}.tmp"
        tmp.write_bytes(b"x" * 200)
        time.sleep(0.1)  # the .tmp file's own event passes first
        seen.clear()
        started = time.perf_counter()
        os.rename(tmp, folder / f"w{count}.md")
        arrived = when[-1] if seen.wait(10) else None
        return arrived, started

    try:
        yield probe
    finally:
        stop.set()
        thread.join(5)
