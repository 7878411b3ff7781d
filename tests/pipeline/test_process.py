"""The service as a real process: kill -9 mid-send and SIGTERM lose nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import serve_in_thread
from tests.pipeline.conftest import digest, sent, start, wait_for

STORIES = 12


@pytest.fixture
def fake() -> Iterator[FakeNtfy]:
    with serve_in_thread(lambda: FakeNtfy(clock=time.time, burst=1000, delay=0.15)) as f:
        yield f


def setup(tmp_path: Path, url: str) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "rules.yaml"
    config.write_text(
        f"""
store: sqlite:///{tmp_path}/n.db
sources:
  inbox: {{type: folder, path: {inbox}}}
channels:
  phone:
    type: ntfy
    server: "{url}"
    topic: news
    delivery: {{max_items: 1}}
rules:
  - name: ai
    any: [OpenAI, Claude, Gemini, NVIDIA, 英伟达, 大模型, GPT, AI]
    notify: [phone]
""",
        encoding="utf-8",
    )
    today = time.strftime("%Y-%m-%d", time.gmtime())
    (inbox / "today.md").write_bytes(digest(STORIES, day=today))
    return config


def test_kill_9_mid_send_then_restart_delivers_everything(tmp_path: Path, fake: FakeNtfy) -> None:
    config = setup(tmp_path, fake.url)
    proc = start(config)
    try:
        wait_for(lambda: sum(sent(fake.messages).values()) >= 3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    assert len(sent(fake.messages)) < STORIES  # it died mid-way
    proc = start(config)
    try:
        wait_for(lambda: len(sent(fake.messages)) == STORIES)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    counts = sent(fake.messages)
    assert set(counts) == {str(i) for i in range(1, STORIES + 1)}
    # One message at a time per target: only the one in flight at the kill may repeat.
    assert sum(counts.values()) - STORIES <= 1


def test_sigterm_stops_cleanly_and_releases_claims(tmp_path: Path, fake: FakeNtfy) -> None:
    config = setup(tmp_path, fake.url)
    proc = start(config)
    try:
        wait_for(lambda: sum(sent(fake.messages).values()) >= 2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        proc.kill()
    status = subprocess.run(
        [sys.executable, "-m", "notifier", "status", "-c", str(config), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"sending": 0' in status.stdout
    proc = start(config)
    try:
        wait_for(lambda: len(sent(fake.messages)) == STORIES)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert sum(sent(fake.messages).values()) == STORIES  # a clean stop sends nothing twice


def test_http_ingest_with_token(tmp_path: Path, fake: FakeNtfy) -> None:
    import httpx

    config = setup(tmp_path, fake.url)
    (config.parent / "inbox" / "today.md").unlink()
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "server: {token: s3cret-token}\n", encoding="utf-8")
    proc = start(config)
    log = config.parent / "log.txt"
    try:
        wait_for(lambda: log.exists() and "listening on" in log.read_text(encoding="utf-8"))
        url = re.search(r"listening on (http://[\d.]+:\d+)", log.read_text(encoding="utf-8"))
        assert url is not None
        endpoint = url.group(1) + "/v1/digests?name=today.md"
        body = digest(3, day=time.strftime("%Y-%m-%d", time.gmtime()))
        refused = httpx.post(endpoint, content=body, headers={"Authorization": "Bearer nope"})
        assert refused.status_code == 401
        answer = httpx.post(
            endpoint, content=body, headers={"Authorization": "Bearer s3cret-token"}
        )
        assert answer.status_code == 202
        assert answer.json()["deliveries"] == 3
        wait_for(lambda: len(sent(fake.messages)) == 3)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert "s3cret-token" not in log.read_text(encoding="utf-8")
