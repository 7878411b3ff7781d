"""Start-up of ``notifier check``, ``notifier test-rule`` and ``notifier mcp`` over
``python -c pass``.

    python bench/startup.py               # median of 15 runs of each command
    python bench/startup.py --runs 31     # more runs
    python bench/startup.py --imports 12  # also the slowest imports (python -X importtime)

Each command runs ``--runs`` times in a fresh process (``python -m notifier ...`` from the
repository root, so ``rules.yaml`` is the example config), interleaved with the baseline
``python -c pass`` of the same interpreter, so that a busy machine slows all of them alike.
Output to /dev/null. The table gives the median wall-clock time and the start-up of each
command over the baseline's median (its "own start-up"; the issue's target is under 0.3 s,
judged on wall clock), and the same in CPU time (user + system of the child), which a busy
machine disturbs less. ``notifier mcp`` runs with stdin at end of file: it starts, reads the
config, opens a store (a temporary SQLite file), finds no client and exits; its target is
0.5 s (issue 15). ``import mcp.server.fastmcp`` is the MCP SDK alone, for comparison.
``--imports N`` runs each command once more with ``-X importtime`` and lists its N slowest
top-level imports (cumulative; those ``python -c pass`` makes too, such as ``site``, left
out) and their total.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.3  # seconds over `python -c pass` (issue 2)
#: Targets of the commands that have their own (seconds over `python -c pass`; None: a
#: reference, no target).
TARGETS: dict[str, float | None] = {"notifier mcp": 0.5, "import mcp.server.fastmcp": None}
STORE = f"sqlite:///{tempfile.gettempdir()}/notifier-bench-startup.db"

COMMANDS: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "notifier check rules.yaml": ["-m", "notifier", "check", "rules.yaml"],
    "notifier test-rule examples/digests": ["-m", "notifier", "test-rule", "examples/digests"],
    "notifier mcp": ["-m", "notifier", "mcp", "--store", STORE],
    "import mcp.server.fastmcp": ["-c", "import mcp.server.fastmcp"],
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NOTIFIER_CONFIG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc caching as in normal use
    return env


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one ``python ARGS`` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def measure(runs: int) -> dict[str, list[tuple[float, float]]]:
    """``runs`` (wall, CPU) timings of every command, interleaved (one warm-up round first)."""
    env = _env()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for args in COMMANDS.values():
        run_once(args, env)  # warm the page cache and the .pyc files
    for _ in range(runs):
        for name, args in COMMANDS.items():
            times[name].append(run_once(args, env))
    return times


def top_imports(args: list[str]) -> dict[str, float]:
    """Top-level imports of one ``python -X importtime ARGS`` run: name → seconds (cumulative)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    top: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        if name.startswith(" ") and not name.startswith("  "):  # nested ones are inside
            top[name.strip()] = int(cumulative) / 1e6
    return top


def main() -> int:
    """Print the start-up table (and the slowest imports with ``--imports``)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    ap.add_argument("--imports", type=int, default=0, metavar="N", help="list N slowest imports")
    args = ap.parse_args()

    times = measure(args.runs)
    base = statistics.median(w for w, _ in times["python -c pass"])
    base_cpu = statistics.median(c for _, c in times["python -c pass"])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.runs} runs each\n")
    print(
        "| command | median wall | min wall | over `python -c pass` (wall) "
        "| median CPU | over `python -c pass` (CPU) | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, ts in times.items():
        med = statistics.median(w for w, _ in ts)
        cpu = statistics.median(c for _, c in ts)
        if name == "python -c pass":
            over = over_cpu = verdict = "—"
        else:
            over = f"{(med - base) * 1000:.0f} ms ({med / base:.1f}×)"
            over_cpu = f"{(cpu - base_cpu) * 1000:.0f} ms ({cpu / base_cpu:.1f}×)"
            target = TARGETS.get(name, TARGET)
            verdict = "—" if target is None else f"{'met' if med - base < target else 'MISSED'}"
            verdict += f" (< {target} s)" if target is not None else ""
        print(
            f"| `{name}` | {med * 1000:.0f} ms | {min(w for w, _ in ts) * 1000:.0f} ms | {over} "
            f"| {cpu * 1000:.0f} ms | {over_cpu} | {verdict} |"
        )
    if args.imports:
        base_imports = top_imports(COMMANDS["python -c pass"])
        for name, cmd in COMMANDS.items():
            if name == "python -c pass":
                continue
            own = {m: t for m, t in top_imports(cmd).items() if m not in base_imports}
            print(
                f"\n`python -X importtime {' '.join(cmd)}`: {sum(own.values()) * 1000:.0f} ms "
                "of imports that `python -c pass` does not make; the slowest:"
            )
            for mod, t in sorted(own.items(), key=lambda kv: -kv[1])[: args.imports]:
                print(f"  {t * 1000:7.1f} ms  {mod}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
