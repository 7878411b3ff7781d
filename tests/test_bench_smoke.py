"""bench/fanout.py --quick runs to the end and prints its tables (no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_fanout_quick_prints_its_tables() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fanout.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| channel | adapter msgs/s |" in done.stdout
    assert "| robots | matches → robots |" in done.stdout


def test_pipeline_quick_prints_its_tables() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pipeline.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| digest arrives by | store | first push, median |" in done.stdout
    assert "| store | matches | ingest matches/s |" in done.stdout
    assert "| operation (per) |" in done.stdout


def test_subscribers_quick_prints_its_tables() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "subscribers.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| matching the day | subscribers |" in done.stdout
    assert "| one change at | keys |" in done.stdout
    assert "| broadcast to | build deliveries |" in done.stdout


def test_scale_quick_prints_its_tables(pg_server: str) -> None:
    """Real worker processes on PostgreSQL (skipped without a server, as the store tests)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale.py"), "--quick", "--pg", pg_server],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| store | worker processes | deliveries |" in done.stdout
    assert "| deliveries | robots | ideal (robots' limit) s |" in done.stdout
