"""bench/web.py --quick runs to the end and prints its tables (no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_web_bench_quick_prints_its_tables() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "web.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| step | ms | × reading the rows |" in done.stdout
    assert "| expression | matches | ms | × reading the rows |" in done.stdout
    assert "GET / (the day grouped once: at start)" in done.stdout
