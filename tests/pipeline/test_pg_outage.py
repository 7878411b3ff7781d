"""PostgreSQL outages, with a real `notifier run`, a folder source and a fake ntfy server.

The server drops the service's connections several times mid-run (``pg_terminate_backend``
of the connections named by this test's ``application_name`` only), then goes away for a
while (a TCP proxy between the service and PostgreSQL stops: the shared server itself is
never touched). Every story must be delivered exactly once, ``/healthz`` must say 503 and
why while the store is unreachable and 200 after, and SIGTERM must still exit 0.
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import serve_in_thread
from tests.fakes.tcp_proxy import TcpProxy
from tests.pipeline.conftest import sent, start, wait_for

SECRET = "pg-outage-S3CRET"
PER_DIGEST = 6
#: Made-up words for titles: stories that share none look nothing alike to dedup.
WORDS = [c + v + e for c in "bdfgklmnprstvz" for v in "aeiou" for e in ("n", "r", "sk", "lt")]


def digest(number: int) -> bytes:
    """Digest ``number``: PER_DIGEST stories, ``number * 100 + i``, unlike each other."""
    rnd = random.Random(number)
    lines = [f"# AI daily {number}", ""]
    for i in range(PER_DIGEST):
        n = number * 100 + i
        title = f"AI {' '.join(rnd.sample(WORDS, 6))} report {n}"
        lines += [f"{i + 1}. [{title}](https://example.com/story/{n})", f"   Story {n}."]
    return "\n".join(lines).encode("utf-8")


def story_numbers(digests: range) -> set[str]:
    return {str(k * 100 + i) for k in digests for i in range(PER_DIGEST)}


def drop(inbox: Path, number: int) -> None:
    """Write digest ``number`` into the folder the safe way (a rename)."""
    part = inbox / f".d{number}.part"
    part.write_bytes(digest(number))
    part.rename(inbox / f"d{number}.md")


def terminate(server: str, application: str) -> int:
    """Drop the server side of every connection named ``application``; how many."""
    with psycopg.connect(server, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND pid <> pg_backend_pid() AND application_name = %s",
            (application,),
        ).fetchall()
    return len(rows)


def healthz(base: str) -> tuple[int, dict[str, Any]]:
    answer = httpx.get(f"{base}/healthz", timeout=30)
    return answer.status_code, answer.json()


def listening(log: Path) -> str:
    wait_for(lambda: log.exists() and "listening on" in log.read_text(encoding="utf-8"))
    found = re.search(r"listening on (http://[\d.]+:\d+)", log.read_text(encoding="utf-8"))
    assert found is not None
    return found.group(1)


@pytest.fixture
def fake() -> Iterator[FakeNtfy]:
    with serve_in_thread(lambda: FakeNtfy(clock=time.time, burst=1000, delay=0.1)) as f:
        yield f


def setup(tmp_path: Path, store: str, ntfy: str) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "rules.yaml"
    config.write_text(
        f"""
store: "{store}"
sources:
  inbox: {{type: folder, path: {inbox}}}
channels:
  phone:
    type: ntfy
    server: "{ntfy}"
    topic: news
    delivery: {{max_items: 1}}
rules:
  - name: ai
    any: [AI]
    notify: [phone]
""",
        encoding="utf-8",
    )
    return config


def test_every_story_is_delivered_once_through_dropped_connections_and_an_outage(
    tmp_path: Path, pg_server: str, pg_url: str, fake: FakeNtfy
) -> None:
    params = conninfo_to_dict(pg_url)
    app = f"notifier-outage-{uuid.uuid4().hex[:8]}"
    upstream = (str(params.get("host") or "127.0.0.1"), int(params.get("port") or 5432))
    server = pg_server
    with TcpProxy(upstream) as proxy:
        store = (
            f"postgresql://{params.get('user') or 'postgres'}:{SECRET}@127.0.0.1:{proxy.port}/"
            f"{params['dbname']}?options={quote(str(params['options']))}&application_name={app}"
        )
        config = setup(tmp_path, store, fake.url)
        inbox, log = tmp_path / "inbox", tmp_path / "log.txt"
        proc = start(config)
        killed = 0
        try:
            base = listening(log)
            assert healthz(base)[0] == 200
            # 1. Idle connections dropped (a failover): the next digest must not fail on them.
            killed += terminate(server, app)
            drop(inbox, 1)
            wait_for(lambda: len(sent(fake.messages)) >= 2)
            # 2. Dropped while sending, 3. while a digest is being read and committed.
            drop(inbox, 2)
            wait_for(lambda: len(sent(fake.messages)) >= PER_DIGEST + 1)
            killed += terminate(server, app)
            drop(inbox, 3)
            killed += terminate(server, app)
            wait_for(lambda: len(sent(fake.messages)) >= 2 * PER_DIGEST + 2)
            killed += terminate(server, app)
            # 4. The server goes away for a while: /healthz says so, a digest lands meanwhile.
            proxy.stop()
            wait_for(lambda: healthz(base)[0] == 503, timeout=90)
            body = healthz(base)[1]
            assert body["status"] == "unavailable"
            assert "Connection refused" in body["error"]  # why, without the store's URL
            assert str(proxy.port) in body["error"]
            assert SECRET not in str(body)
            drop(inbox, 4)
            proxy.start()
            wait_for(lambda: healthz(base)[0] == 200, timeout=90)
            drop(inbox, 5)
            wait_for(lambda: set(sent(fake.messages)) == story_numbers(range(1, 6)), timeout=120)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0
        finally:
            proc.kill()
    assert killed >= 4
    counts = sent(fake.messages)
    assert set(counts) == story_numbers(range(1, 6))
    assert set(counts.values()) == {1}, {n: c for n, c in counts.items() if c != 1}
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text
    assert "never retrieved" not in text
    assert SECRET not in text


def test_a_digest_that_failed_to_commit_is_handed_over_again(
    tmp_path: Path, pg_server: str, pg_url: str, fake: FakeNtfy
) -> None:
    """The store's tables vanish mid-run (its schema dropped): the service logs it once, with
    the fix, and goes on; the digest that came meanwhile is not lost: once `notifier db
    upgrade` has put the tables back, it is read again and delivered. SIGTERM exits 0."""
    app = f"notifier-drop-{uuid.uuid4().hex[:8]}"
    schema = re.search(r"search_path=(\w+)", str(conninfo_to_dict(pg_url)["options"]))
    assert schema is not None
    server = pg_server
    store = f"{pg_url}&application_name={app}"
    config = setup(tmp_path, store, fake.url)
    inbox, log = tmp_path / "inbox", tmp_path / "log.txt"
    proc = start(config)
    try:
        listening(log)
        drop(inbox, 1)
        wait_for(lambda: len(sent(fake.messages)) == PER_DIGEST)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema.group(1)} CASCADE")
            conn.execute(f"CREATE SCHEMA {schema.group(1)}")  # empty: no tables
        drop(inbox, 2)
        wait_for(lambda: "d2.md: not handed over" in log.read_text(encoding="utf-8"))
        wait_for(lambda: "the store failed" in log.read_text(encoding="utf-8"))
        upgrade = subprocess.run(
            [sys.executable, "-m", "notifier", "db", "upgrade", "--store", store],
            capture_output=True,
            text=True,
            check=False,
        )
        assert upgrade.returncode == 0, upgrade.stderr
        wait_for(lambda: set(sent(fake.messages)) == story_numbers(range(1, 3)), timeout=90)
        wait_for(lambda: "the store works again" in log.read_text(encoding="utf-8"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        proc.kill()
    assert set(sent(fake.messages).values()) == {1}
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text
    assert "never retrieved" not in text
    assert "notifier db upgrade" in text  # the fix is named
    assert text.count("dispatch: the store failed") == 1  # one line per outage
