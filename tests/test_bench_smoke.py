"""Every bench/*.py --quick runs to the end and prints its tables (no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick(script: str, *args: str) -> str:
    """Run ``bench/<script> --quick``; return what it printed (fail on a non-zero exit)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_fanout_quick_prints_its_tables() -> None:
    out = quick("fanout.py")
    assert "| channel | adapter msgs/s |" in out
    assert "| robots | matches → robots |" in out


def test_pipeline_quick_prints_its_tables() -> None:
    out = quick("pipeline.py")
    assert "| digest arrives by | store | first push, median |" in out
    assert "| store | matches | ingest matches/s |" in out
    assert "| operation (per) |" in out


def test_subscribers_quick_prints_its_tables() -> None:
    out = quick("subscribers.py")
    assert "| matching the day | subscribers |" in out
    assert "| one change at | keys |" in out
    assert "| broadcast to | build deliveries |" in out


def test_web_quick_prints_its_tables() -> None:
    out = quick("web.py")
    assert "| step | ms | × reading the rows |" in out
    assert "| expression | matches | ms | × reading the rows |" in out
    assert "GET / (the day grouped once: at start)" in out


def test_scale_quick_prints_its_tables(pg_server: str) -> None:
    """Real worker processes on PostgreSQL (skipped without a server, as the store tests)."""
    out = quick("scale.py", "--pg", pg_server)
    assert "| store | worker processes | deliveries |" in out
    assert "| deliveries | robots | ideal (robots' limit) s |" in out
