"""Progress bars of `notifier ingest` (a backfill): on a terminal only, counts shown."""

from __future__ import annotations

import asyncio
import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from notifier.progress import Backfill, Bar

FILES = 30


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_bar_is_silent_when_not_a_terminal() -> None:
    out = io.StringIO()
    bar = Bar("ingesting", "digests", 5, stream=out)
    for _ in range(5):
        bar.advance()
    bar.close()
    assert out.getvalue() == ""


def test_bar_on_a_terminal_shows_counts_and_ends_its_line() -> None:
    now = [0.0]
    out = Terminal()
    bar = Bar("ingesting", "digests", 1200, stream=out, clock=lambda: now[0])
    bar.update(1, note="3 deliveries queued")
    bar.update(2)  # within 0.1 s of the last draw: not drawn
    now[0] = 1.0
    bar.update(600)
    bar.update(1200)  # the last one is always drawn
    bar.close()
    text = out.getvalue()
    assert "\ringesting [........................] 1/1,200 digests  3 deliveries queued" in text
    assert "2/1,200" not in text
    assert "\ringesting [############............] 600/1,200 digests" in text
    assert "[########################] 1,200/1,200 digests" in text
    assert text.endswith("\n")
    assert text.count("\n") == 1


def test_bar_without_a_total_counts() -> None:
    bar = Bar("ingesting", "digests", stream=Terminal(), enabled=True)
    bar.update(7)
    assert bar.render() == "ingesting 7 digests"


def test_quiet_bar_on_a_terminal_writes_nothing() -> None:
    out = Terminal()
    bar = Bar("ingesting", "digests", 3, stream=out, enabled=False)
    bar.update(3)
    bar.close()
    assert out.getvalue() == ""


async def test_delivering_counts_the_queue_and_says_what_waits() -> None:
    """Deliveries that stay queued (not due yet) are named at the end."""
    from notifier.store import State

    class Queue:  # what Backfill reads of a store: the queue's counts
        def __init__(self) -> None:
            self.left = [10, 6, 3]

        async def counts(self, states: list[State]) -> dict[tuple[str, State], int]:
            assert set(states) == {State.QUEUED, State.SENDING}
            n = self.left.pop(0) if len(self.left) > 1 else self.left[0]
            return {("phone", State.QUEUED): n}

    out = Terminal()
    backfill = Backfill(stream=out)
    backfill.poll = 0.01
    async with backfill.delivering(Queue()):
        await asyncio.sleep(0.1)
    assert out.getvalue().endswith(
        "\rdelivering [################........] 7/10 done  3 wait for later\x1b[K\n"
    )


@pytest.fixture
def backfill(tmp_path: Path) -> Path:
    """A config with the console target and a folder of FILES digests (distinct stories)."""
    folder = tmp_path / "digests"
    folder.mkdir()
    for i in range(FILES):
        lines = [f"# AI daily 2026-12-{i % 28 + 1:02d}", ""]
        for j in range(1, 3):
            lines.append(f"{j}. [OpenAI item {i}-{j}](https://example.com/{i}/{j})")
        (folder / f"d{i:02d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(
        f"store: sqlite:///{tmp_path}/n.db\n"
        f"sources:\n  backfill: {{type: folder, path: {folder}}}\n"
        "rules:\n  - {name: ai, any: [OpenAI], notify: [console]}\n",
        encoding="utf-8",
    )
    return tmp_path


def ingest(folder: Path, *extra: str, tty: bool, command: str = "ingest") -> str:
    """Run `notifier ingest` on the backfill (or ``run --once``, which reads it as a
    source); return its stderr (a pty when ``tty``)."""
    cmd = [sys.executable, "-m", "notifier", command, *extra]
    cmd += [str(folder / "digests")] if command == "ingest" else ["--once"]
    cmd += ["-c", str(folder / "rules.yaml")]
    env = {**os.environ, "NOTIFIER_STORE": ""}
    if not tty:
        done = subprocess.run(cmd, capture_output=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        return done.stderr.decode()
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(60) == 0
    return b"".join(chunks).decode()


def test_ingest_on_a_terminal_shows_the_digests_and_deliveries(backfill: Path) -> None:
    err = ingest(backfill, tty=True)
    assert f"ingesting [########################] {FILES}/{FILES} digests" in err
    assert f"{2 * FILES} deliveries queued" in err
    assert f"delivering [########################] {2 * FILES}/{2 * FILES} done" in err
    # Log lines go above the bar, never into its line.
    assert "INFO" in err
    assert re.search(r"\r(ingesting|delivering) [^\r\n]*\x1b\[K(?![\r\n]|$)", err) is None


def test_ingest_not_on_a_terminal_draws_no_bar(backfill: Path) -> None:
    err = ingest(backfill, tty=False)
    assert "\r" not in err
    assert "ingesting" not in err
    assert err.count("deliveries queued") == FILES  # the per-digest report is still there


@pytest.mark.parametrize(
    ("command", "flag"), [("ingest", "--quiet"), ("ingest", "--json"), ("run", "--quiet")]
)
def test_quiet_or_json_draws_no_bar_on_a_terminal(backfill: Path, command: str, flag: str) -> None:
    err = ingest(backfill, flag, tty=True, command=command)
    assert "INFO" in err  # the logs are still there
    assert "\r" not in err.replace("\r\n", "\n")
    assert "ingesting [" not in err


def test_run_once_on_a_terminal_counts_the_digests_of_its_sources(backfill: Path) -> None:
    err = ingest(backfill, tty=True, command="run")
    assert f"\ringesting {FILES} digests  {2 * FILES} deliveries queued" in err
    assert f"delivering [########################] {2 * FILES}/{2 * FILES} done" in err
