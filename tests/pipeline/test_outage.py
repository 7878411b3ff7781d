"""A channel down for an hour, with a real `notifier run`, a real SQLite store and the fakes.

Three ntfy targets go down at once, each its own way: the server answers 503, the server
hangs (the client times out), nothing listens on the port (connection refused). A WeCom
robot stays up. "An hour" is the attempts an hour of the default backoff (15 s doubling, at
most 1 h) makes; ``$NOTIFIER_RETRY_BACKOFF`` runs the same curve 1000 times faster. Then
each ntfy server comes back on its port, and every delivery it missed arrives exactly once.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from notifier.cli import main
from notifier.pipeline.dispatch import BACKOFF_CAP, backoff
from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import serve, serve_in_thread
from tests.fakes.wecom import FakeWeCom
from tests.pipeline.conftest import digest, sent, start, wait_for

STORIES = 12
KEY = "wc-outage-SECRET-key"
#: The default backoff (15 s .. 1 h), 1000 times faster.
FAST = {"NOTIFIER_RETRY_BACKOFF": "15ms,3.6s"}
DOWN = ("ntfy_5xx", "ntfy_hang", "ntfy_refused")


def attempts_in_an_hour() -> int:
    """Failed attempts a delivery makes in an hour of the default backoff (8)."""
    n, waited = 0, 0.0
    while waited < 3600:
        n += 1
        waited += backoff(n)
    return n


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Outage:
    """The fakes of one run: a WeCom robot that stays up, an ntfy server per port."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.wecom = FakeWeCom(clock=time.monotonic)
        self.wecom.add_robot(KEY)
        self.wecom_url = stack.enter_context(serve_in_thread(lambda: serve(self.wecom.app)))
        self.ports = {name: free_port() for name in DOWN}
        self.ntfy: dict[str, FakeNtfy] = {}
        self._running: dict[str, ExitStack] = {}

    def up(self, name: str, **script: Any) -> FakeNtfy:
        """Start an ntfy server for ``name`` on its port (``script``: how it fails)."""
        port = self.ports[name]
        inner = ExitStack()
        fake = inner.enter_context(
            serve_in_thread(lambda: FakeNtfy(clock=time.monotonic, burst=1000, port=port))
        )
        if script:
            fake.fail_next(10_000, **script)
        self.stack.callback(inner.close)
        self.ntfy[name], self._running[name] = fake, inner
        return fake

    def down(self, name: str) -> None:
        """Stop the server of ``name`` (its port refuses connections until :meth:`up`)."""
        self._running.pop(name).close()

    def config(self, folder: Path) -> Path:
        inbox = folder / "inbox"
        inbox.mkdir(parents=True)
        # The hanging server's client gives up after 1 s (every attempt makes three tries).
        ntfy = "\n".join(
            f"  {name}: {{type: ntfy, server: 'http://127.0.0.1:{port}', topic: {name}-SECRET,"
            f" timeout: {1 if name == 'ntfy_hang' else 10}, delivery: {{max_items: 1}}}}"
            for name, port in self.ports.items()
        )
        webhook = f"{self.wecom_url}/cgi-bin/webhook/send?key={KEY}"
        path = folder / "rules.yaml"
        path.write_text(
            f"""
store: sqlite:///{folder}/n.db
sources:
  inbox: {{type: folder, path: {inbox}}}
channels:
  office: {{type: wecom, webhook: "{webhook}", delivery: {{max_items: 1}}}}
{ntfy}
rules:
  - name: ai
    any: [OpenAI, Claude, Gemini, NVIDIA, 英伟达, 大模型, GPT, AI]
    notify: [office, {", ".join(DOWN)}]
""",
            encoding="utf-8",
        )
        return path

    def office(self) -> int:
        return len(sent(self.wecom.robots[KEY].sent))


def land(config: Path) -> float:
    """Drop today's digest into the inbox; return when."""
    today = time.strftime("%Y-%m-%d", time.gmtime())
    (config.parent / "inbox" / "today.md").write_bytes(digest(STORIES, day=today))
    return time.monotonic()


def log_lines(config: Path) -> list[str]:
    """The messages the service logged (JSON lines: stderr is not a terminal)."""
    path = config.parent / "log.txt"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [json.loads(line)["message"] for line in text.splitlines() if line.startswith("{")]


def failures(config: Path, target: str) -> int:
    """Failed send attempts the service logged for ``target``."""
    return sum(m.startswith(f"sending to {target} failed") for m in log_lines(config))


def running(config: Path) -> bool:
    return any(m.startswith("notifier running") for m in log_lines(config))


def cli(config: Path, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "notifier", *args, "-c", str(config), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "SECRET" not in done.stdout + done.stderr
    if args[0] == "status":
        return json.loads(done.stdout)
    return [json.loads(line) for line in done.stdout.splitlines()]


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as s:
        yield s


def test_a_channel_down_for_an_hour_waits_and_the_others_go_on(
    tmp_path: Path, stack: ExitStack, capsys: pytest.CaptureFixture[str]
) -> None:
    hour = attempts_in_an_hour()
    assert backoff(hour) < BACKOFF_CAP  # 8 attempts: not yet at the cap, far from dead

    # The baseline: nothing down.
    calm = Outage(stack)
    for name in DOWN:
        calm.up(name)
    config = calm.config(tmp_path / "calm")
    proc = start(config, FAST)
    try:
        wait_for(lambda: running(config))
        landed = land(config)
        wait_for(lambda: calm.office() == STORIES)
        calm_office = time.monotonic() - landed
        wait_for(lambda: all(len(sent(f.messages)) == STORIES for f in calm.ntfy.values()))
    finally:
        stop(proc)

    # The outage: 503s, a hanging server, a closed port; WeCom stays up.
    out = Outage(stack)
    out.up("ntfy_5xx", status=503)
    out.up("ntfy_hang", hang=True)
    config = out.config(tmp_path / "outage")
    proc = start(config, FAST)
    try:
        wait_for(lambda: running(config))
        landed = land(config)
        wait_for(lambda: out.office() == STORIES)
        outage_office = time.monotonic() - landed
        # Not slowed: the robot had every story before any down channel's first attempt
        # (three requests with inline retries, ~3 s) had even failed.
        assert all(failures(config, name) == 0 for name in DOWN)

        wait_for(lambda: all(failures(config, name) >= 2 for name in DOWN), every=0.2)
        status = {t["name"]: t for t in cli(config, "status")["targets"]}
        assert status["office"]["sent"] == STORIES
        assert not status["office"].get("last_error")
        errors = {name: status[name]["last_error"] for name in DOWN}
        assert "503" in errors["ntfy_5xx"]
        assert "timeout" in errors["ntfy_hang"]
        assert "connection" in errors["ntfy_refused"]
        for name in DOWN:
            assert status[name]["queued"] + status[name]["sending"] == STORIES
            assert status[name]["dead"] == 0
        # `deliveries --failed` lists queued deliveries with failed attempts; between
        # attempts (the backoff) each down target's first delivery is one of them.
        seen: dict[str, Any] = {}

        def listed() -> bool:
            assert main(["deliveries", "--failed", "--json", "-c", str(config)]) == 0
            for line in capsys.readouterr().out.splitlines():
                seen.setdefault(json.loads(line)["target"], json.loads(line))
            return set(seen) == set(DOWN)

        wait_for(listed, every=0.2)
        assert all(d["state"] == "queued" and d["attempts"] >= 1 for d in seen.values())
        assert "503" in seen["ntfy_5xx"]["last_error"]
        assert "timeout" in seen["ntfy_hang"]["last_error"]
        assert "connection" in seen["ntfy_refused"]["last_error"]

        # An hour of attempts, then every server comes back on its port.
        wait_for(lambda: all(failures(config, name) >= hour for name in DOWN), 180, 0.2)
        for name in ("ntfy_5xx", "ntfy_hang"):
            out.down(name)
        back = {name: out.up(name) for name in DOWN}
        wait_for(lambda: all(len(sent(f.messages)) == STORIES for f in back.values()), 60)
    finally:
        stop(proc)

    for fake in back.values():  # every missed delivery, exactly once
        assert sent(fake.messages) == {str(i): 1 for i in range(1, STORIES + 1)}
    assert sent(out.wecom.robots[KEY].sent) == {str(i): 1 for i in range(1, STORIES + 1)}
    status = cli(config, "status")
    assert status["queue"]["queued"] == status["queue"]["dead"] == 0
    assert status["queue"]["sent"] == 4 * STORIES
    log = log_lines(config)
    # One line at start, one at stop, names only (no webhook key, no ntfy topic).
    started = next(m for m in log if m.startswith("notifier running"))
    assert f"store sqlite:///{config.parent}/n.db; sources: inbox (folder); " in started
    assert "targets: office (wecom), ntfy_5xx (ntfy), ntfy_hang (ntfy)" in started
    assert "; listening on http://127.0.0.1:" in started
    stopped = next(m for m in log if m.startswith("notifier stopped"))
    assert f": {4 * STORIES} sent, " in stopped
    assert ", 0 failed, 0 held (target gone)" in stopped
    assert "SECRET" not in (config.parent / "log.txt").read_text(encoding="utf-8")
    print(
        f"\nWeCom had every story {calm_office:.2f} s after the digest landed with nothing down, "
        f"{outage_office:.2f} s with three ntfy servers down"
    )
