"""``notifier mcp`` as a command: what it refuses before serving, and a clean exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from notifier.commands.mcp import parse_listen
from tests.mcp.workspace import REPO


def notifier(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "notifier", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(REPO)},
        timeout=60,
    )


def test_a_client_that_leaves_ends_it_cleanly_and_stdout_stays_protocol_only(
    tmp_path: Path,
) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n  - name: a\n    any: [x]\n")
    done = notifier("mcp", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_a_bad_config_is_reported_as_check_does(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n  - name: a\n    any: 5\n")
    done = notifier("mcp", cwd=tmp_path)
    assert done.returncode == 2
    assert "rules.yaml:3:" in done.stderr
    assert done.stdout == ""


def test_a_missing_rules_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n  - name: a\n    any: [x]\n")
    done = notifier("mcp", "--allow-write", "--rules-file", "nope.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "notifier mcp: --rules-file nope.yaml: no such file\n"


def test_parse_listen() -> None:
    assert parse_listen("127.0.0.1:0") == ("127.0.0.1", 0)
    assert parse_listen("[::1]:8765") == ("::1", 8765)
    assert parse_listen("localhost:80") == ("localhost", 80)
    for bad in ("8080", ":8080", "host:99999", "a b:1", "127.0.0.1:x"):
        assert parse_listen(bad) is None
