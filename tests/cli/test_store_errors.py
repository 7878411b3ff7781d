"""Every command that opens a store, on a store that cannot be used: one line on stderr
naming the store (password masked), the cause and the fix; exit 1; never a traceback.

The cases are in ``tests/broken_stores.py``: a corrupt or truncated SQLite file, a folder
where the file should be, a path under a file, a folder we may not write, PostgreSQL
refusing connections, a database that does not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from notifier.cli import main
from notifier.store.failures import redact_url
from tests.broken_stores import POSTGRESQL, SECRET, SQLITE, postgresql_url

CASES = [*SQLITE, *POSTGRESQL]
CONFIG = """
channels:
  phone: {type: console, stream: stderr}
rules:
  - name: ai
    any: [AI, OpenAI]
    notify: [phone]
"""
DIGEST = "# AI daily\n\n1. [OpenAI ships a thing](https://example.com/a)\n   What.\n"


class Broken:
    """One case: the store's URL, what its error must say."""

    def __init__(self, url: str, cause: str, fix: str) -> None:
        self.url = url
        self.cause = cause
        self.fix = fix

    @property
    def missing(self) -> bool:
        """A SQLite path with nothing at it (`db copy` refuses such a source first)."""
        return self.url.startswith("sqlite:") and not Path(self.url[10:]).exists()

    def check(self, code: int, out: str, err: str, *, prefix: str = "") -> None:
        """Exit 1, one line on stderr: the store, the cause and the fix, no secret."""
        assert code == 1, err
        assert "Traceback" not in out + err
        assert SECRET not in out + err
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith(f"{prefix}{redact_url(self.url)}: "), lines[0]
        cause, _, fix = lines[0].partition("; ")
        assert self.cause in cause
        assert self.fix in fix


@pytest.fixture(params=CASES)
def broken(request: pytest.FixtureRequest, tmp_path: Path) -> Broken:
    name = request.param
    if name in SQLITE:
        make, cause, fix = SQLITE[name]
        return Broken(f"sqlite:///{make(tmp_path / 'store')}", cause, fix)
    where, cause, fix = POSTGRESQL[name]
    server = request.getfixturevalue("pg_server") if "{server}" in where else None
    return Broken(postgresql_url(where, server), cause, fix)


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NOTIFIER_CONFIG", raising=False)
    monkeypatch.delenv("NOTIFIER_STORE", raising=False)
    (tmp_path / "store").mkdir()
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["status", "--json"],
        ["deliveries", "--dead"],
        ["retry", "--all-dead"],
        ["db", "upgrade"],
    ],
    ids=" ".join,
)
def test_operating_commands(
    broken: Broken, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*command, "--store", broken.url])
    out = capsys.readouterr()
    broken.check(code, out.out, out.err)


def test_db_copy_from_and_to(
    broken: Broken, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = f"sqlite:///{tmp_path}/good.db"
    assert main(["db", "upgrade", "--store", good]) == 0
    capsys.readouterr()
    code = main(["db", "copy", good, broken.url])
    out = capsys.readouterr()
    broken.check(code, out.out, out.err, prefix="notifier db copy: ")
    code = main(["db", "copy", broken.url, f"sqlite:///{tmp_path}/new.db"])
    out = capsys.readouterr()
    if broken.missing:  # nothing to copy from: said before anything is opened
        assert code == 1
        assert out.err == f"notifier db copy: {broken.url}: no such SQLite file; check the path\n"
    else:
        broken.check(code, out.out, out.err, prefix="notifier db copy: ")


@pytest.mark.parametrize(
    "command",
    [["ingest", "digest.md"], ["run", "--once"], ["run", "--listen", "127.0.0.1:0"]],
    ids=" ".join,
)
def test_commands_that_run_the_pipeline(
    broken: Broken, tmp_path: Path, command: list[str]
) -> None:
    """As real processes: `notifier run` without --once gives up at once too (exit 1), its
    log configured or not."""
    (tmp_path / "rules.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "digest.md").write_text(DIGEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    done = subprocess.run(
        [sys.executable, "-m", "notifier", *command, "-c", "rules.yaml", "--store", broken.url],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    broken.check(done.returncode, done.stdout, done.stderr)
