"""Run the real CLI under a hang guard and measure its peak memory.

The peak comes from ``wait4`` in a small wrapper process: Linux keeps a process's peak
across ``exec``, so the CLI is forked from the wrapper (a few MB), never from pytest (which
may hold hundreds of MB by then).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

_WRAPPER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "notifier", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclasses.dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str
    #: Peak resident memory of the CLI process, in MB.
    peak_mb: float
    #: Whether the hang guard had to kill it.
    killed: bool


def run_cli(*args: str, cwd: Path, stdin: bytes = b"", guard: float = 60.0) -> Ran:
    """``python -m notifier ARGS``; killed after ``guard`` seconds (then ``killed``)."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, str(peak_file), *args],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # the guard kills the CLI and its wrapper together
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(guard, kill)
        timer.start()
        try:
            out, err = proc.communicate(stdin)
        finally:
            timer.cancel()
        peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else 0.0  # KB
    return Ran(
        proc.returncode,
        out.decode(errors="replace"),
        err.decode(errors="replace"),
        peak,
        killed.is_set(),
    )
