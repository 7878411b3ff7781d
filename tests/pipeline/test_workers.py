"""Several real ``notifier run`` processes on one PostgreSQL store, against the fake services.

Ingest processes and ``--role worker`` processes share nothing but the database: every story
reaches every target once, a DingTalk robot never gets more than 20 messages in a minute
whichever workers send them, a worker killed with ``kill -9`` has its deliveries finished by
the others, and two ingest processes reading the same folder push each story once.

They need a PostgreSQL server: skipped with the reason when there is none, failed when CI or
``$NOTIFIER_REQUIRE_POSTGRES`` requires one (the ``pg_url`` fixture).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import string
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import serve, serve_in_thread

ROBOT = "robot-token-1"


class Cluster:
    """A config on one PostgreSQL schema, and the notifier processes started on it."""

    def __init__(self, folder: Path, store: str, channels: str, **env: str) -> None:
        self.folder = folder
        self.inbox = folder / "inbox"
        self.inbox.mkdir()
        self.config = folder / "rules.yaml"
        self.config.write_text(
            f"store: {json.dumps(store)}\n"
            f"sources:\n  inbox: {{type: folder, path: {json.dumps(str(self.inbox))}}}\n"
            f"channels:\n{channels}\n"
            "rules:\n  - name: ai\n    any: [AI]\n"
            f"    notify: [{', '.join(_names(channels))}]\n",
            encoding="utf-8",
        )
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
        self.env.update(env)
        self.procs: list[subprocess.Popen[bytes]] = []
        self.stories = 0

    def start(self, role: str) -> subprocess.Popen[bytes]:
        n = len(self.procs)
        cmd = [sys.executable, "-m", "notifier", "run", "-c", str(self.config), "--role", role]
        cmd += ["--listen", "127.0.0.1:0"]
        with open(self.folder / f"log-{n}-{role}.txt", "ab") as log:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=self.env)
        self.procs.append(proc)
        return proc

    def add_digest(self, stories: int) -> None:
        """Write a digest of ``stories`` new AI stories into the inbox."""
        first = self.stories + 1
        self.stories += stories
        day = time.strftime("%Y-%m-%d", time.gmtime())
        lines = [f"# AI daily {day} #{first}", ""]
        for i in range(first, self.stories + 1):
            lines.append(f"{i - first + 1}. [AI {_words(i)}](https://example.com/story/{i})")
            lines.append(f"   What happened in story {i}.")
        temp = self.inbox / f".part-{first}"
        temp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        temp.rename(self.inbox / f"digest-{first:04d}.md")

    def status(self) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "notifier", "status", "-c", str(self.config), "--json"],
            capture_output=True,
            text=True,
            check=True,
            env=self.env,
        )
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def wait_running(self) -> None:
        """Wait until every process started has logged its start line."""

        def up() -> bool:
            return all(
                "notifier running" in path.read_text(errors="replace")
                for path in self.folder.glob("log-*")
            )

        wait_for(up, self)

    def sent_by_worker(self) -> list[int]:
        """Deliveries sent by each stopped worker, from its stop line."""
        found = []
        for path in sorted(self.folder.glob("log-*-worker.txt")):
            match = re.search(r"stopped after \d+ s: (\d+) sent", path.read_text(errors="replace"))
            if match:
                found.append(int(match.group(1)))
        return found

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("log-*")))


@pytest.fixture
def cluster_factory(tmp_path: Path, pg_url: str) -> Iterator[Callable[..., Cluster]]:
    made: list[Cluster] = []

    def make(channels: str, **env: str) -> Cluster:
        cluster = Cluster(tmp_path, pg_url, channels, **env)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.stop()


@pytest.fixture
def ntfy() -> Iterator[FakeNtfy]:
    with serve_in_thread(lambda: FakeNtfy(clock=time.time, burst=10_000, delay=0.1)) as fake:
        yield fake


def ntfy_channels(url: str, topics: list[str]) -> str:
    return "\n".join(
        f"  {t}: {{type: ntfy, server: {json.dumps(url)}, topic: {t}, delivery: {{max_items: 1}}}}"
        for t in topics
    )


def delivered(fake: FakeNtfy) -> Counter[tuple[str, str]]:
    """(topic, story number) of every message, with how many times each arrived."""
    found: Counter[tuple[str, str]] = Counter()
    for message in list(fake.messages):
        for story in set(re.findall(r"example\.com/story/(\d+)", str(message))):
            found[(message["topic"], story)] += 1
    return found


def wait_for(check: Callable[[], bool], cluster: Cluster, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out; the processes said:\n" + cluster.logs()[-3000:])
        for proc in cluster.procs:
            assert proc.poll() in (None, 0, -9), cluster.logs()[-3000:]
        time.sleep(0.1)


def test_every_story_reaches_every_target_once_across_workers(
    cluster_factory: Callable[..., Cluster], ntfy: FakeNtfy
) -> None:
    topics = ["alpha", "beta", "gamma"]
    cluster = cluster_factory(ntfy_channels(ntfy.url, topics))
    cluster.start("ingest")
    for _ in range(3):
        cluster.start("worker")
    cluster.wait_running()
    # Digests arrive while the targets' earlier batches are still being sent (0.1 s a
    # message): their deliveries go to the workers that are not busy with that target.
    # Six of them: which worker polls first is the OS's choice, and on a loaded machine one
    # worker could take all of four (seen once in CI).
    for _ in range(6):
        cluster.add_digest(8)
        time.sleep(0.5)
    wanted = {(t, str(i)) for t in topics for i in range(1, cluster.stories + 1)}
    wait_for(lambda: set(delivered(ntfy)) >= wanted, cluster)
    workers = cluster.status()["workers"]
    cluster.stop()
    counts = delivered(ntfy)
    assert set(counts) == wanted
    assert all(n == 1 for n in counts.values()), [k for k, n in counts.items() if n > 1]
    assert sorted(w["role"] for w in workers) == ["ingest", "worker", "worker", "worker"]
    sent = cluster.sent_by_worker()
    assert sum(sent) == len(wanted)
    assert sum(1 for n in sent if n) >= 2, sent  # the work was shared
    assert cluster.status()["workers"] == []  # a clean stop removes the heartbeats


def test_a_dingtalk_robot_never_gets_more_than_20_a_minute_from_all_workers(
    cluster_factory: Callable[..., Cluster],
) -> None:
    """A first worker sends 12 messages to a robot and stops; two fresh workers get 12 more:
    their own limiters would allow 20 each, the shared one lets only 8 go within the minute."""
    fake = FakeDingTalk(clock=time.monotonic, rate=20, per=60.0)
    robot = fake.add_robot(ROBOT)
    with serve_in_thread(lambda: serve(fake.app)) as url:
        webhook = f"{url}/robot/send?access_token={ROBOT}"
        channels = (
            f"  robot: {{type: dingtalk, webhook: {json.dumps(webhook)}, timeout: 2, "
            "delivery: {max_items: 1}}"
        )
        cluster = cluster_factory(channels)
        cluster.start("ingest")
        first = cluster.start("worker")
        cluster.add_digest(12)
        wait_for(lambda: len(robot.sent) >= 12, cluster)
        first.send_signal(signal.SIGTERM)
        assert first.wait(30) == 0
        cluster.start("worker")
        cluster.start("worker")
        cluster.wait_running()
        cluster.add_digest(12)
        wait_for(lambda: len(robot.sent) >= 20, cluster)
        time.sleep(4.0)  # a 21st would come now, were the limit per worker
        queue = cluster.status()["queue"]
        cluster.stop()
    assert len(robot.sent) == 20
    assert robot.peak <= 20
    assert robot.bans == 0
    assert queue["queued"] + queue["sending"] == 4  # the rest waits for the window
    assert queue["dead"] == 0


def test_a_killed_workers_deliveries_are_finished_by_the_others(
    cluster_factory: Callable[..., Cluster],
) -> None:
    with serve_in_thread(lambda: FakeNtfy(clock=time.time, burst=10_000, delay=0.4)) as fake:
        cluster = cluster_factory(ntfy_channels(fake.url, ["alpha"]), NOTIFIER_LEASE="4s")
        cluster.start("ingest")
        workers = [cluster.start("worker"), cluster.start("worker")]
        cluster.add_digest(12)
        wait_for(lambda: len(delivered(fake)) >= 3, cluster)
        # The worker holding the claims (one target: one worker has them all).
        holders = [w for w in cluster.status()["workers"] if w["claims"]]
        assert len(holders) == 1, holders
        victim = next(p for p in workers if p.pid == holders[0]["pid"])
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(10)
        left = len(delivered(fake))
        assert left < 12  # it died mid-way
        wait_for(lambda: len(delivered(fake)) == 12, cluster)
        status = cluster.status()
        cluster.stop()
        counts = delivered(fake)
    assert set(counts) == {("alpha", str(i)) for i in range(1, 13)}
    # One message at a time per target: only the one in flight at the kill may repeat.
    assert sum(counts.values()) - 12 <= 1
    dead = [w for w in status["workers"] if w["pid"] == victim.pid]
    assert dead == [] or dead[0]["claims"] == 0


def test_two_ingest_machines_reading_one_folder_push_each_story_once(
    cluster_factory: Callable[..., Cluster], ntfy: FakeNtfy
) -> None:
    cluster = cluster_factory(ntfy_channels(ntfy.url, ["alpha"]))
    for _ in range(3):
        cluster.add_digest(6)
    # Two ingest processes see the same files (as two machines on a shared folder would).
    cluster.start("ingest")
    cluster.start("ingest")
    cluster.start("worker")
    wanted = {("alpha", str(i)) for i in range(1, 19)}
    wait_for(lambda: set(delivered(ntfy)) >= wanted, cluster)
    cluster.add_digest(6)  # and a digest that appears while both watch
    wanted |= {("alpha", str(i)) for i in range(19, 25)}
    wait_for(lambda: set(delivered(ntfy)) >= wanted, cluster)
    time.sleep(1.5)  # time for a second push, if there were one
    cluster.stop()
    counts = delivered(ntfy)
    assert set(counts) == wanted
    assert all(n == 1 for n in counts.values()), [k for k, n in counts.items() if n > 1]


def _names(channels: str) -> list[str]:
    return re.findall(r"^  (\w+):", channels, re.MULTILINE)


def _words(i: int) -> str:
    """Five made-up words, different for every story (near-duplicate detection keeps
    stories apart only when their titles differ)."""
    rng = random.Random(i)
    return " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9)))
        for _ in range(5)
    )
