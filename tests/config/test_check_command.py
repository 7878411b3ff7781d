"""`notifier check`: problems on stderr, a summary on stdout, exit 0 / 1 / 2."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from notifier.commands.check import run
from tests.config.samples import EVERY_TYPE

REPO = Path(__file__).resolve().parents[2]


def check(config: str | None) -> int:
    return run(argparse.Namespace(config=config))


def test_ok_summary(write: Callable[..., str], capsys: pytest.CaptureFixture[str]):
    """A good file prints one line on stdout and exits 0."""
    write(
        "channels:\n  console: {type: console}\n  also: {type: console}\n"
        "rules:\n  - {name: a, any: [x]}\n  - {name: b, any: [y]}\n"
    )
    assert check("rules.yaml") == 0
    out, err = capsys.readouterr()
    assert out == "rules.yaml: OK — 2 rules, 2 channels\n"
    assert err == ""


def test_singular(write: Callable[..., str], capsys: pytest.CaptureFixture[str]):
    """One rule, one channel."""
    write("rules:\n  - {name: a, any: [x]}\n")
    assert check("rules.yaml") == 0
    assert capsys.readouterr().out == "rules.yaml: OK — 1 rule, 1 channel\n"


def test_problems_on_stderr(write: Callable[..., str], capsys: pytest.CaptureFixture[str]):
    """Every problem as file:line: message, then a count; exit 1."""
    write("rules:\n  - name: a\n    any: [x]\n    notfy: []\n    min_score: -1\n")
    assert check("rules.yaml") == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "rules.yaml:4: unknown field 'notfy' (did you mean 'notify'?)",
        "rules.yaml:5: min_score: must be a number >= 0, got -1",
        "rules.yaml: 2 problems",
    ]


def test_missing_file_exits_2(in_tmp: Path, capsys: pytest.CaptureFixture[str]):
    """A file that is not there is exit 2."""
    assert check("nope.yaml") == 2
    assert capsys.readouterr().err == (
        "nope.yaml: no such file (give a path, or set NOTIFIER_CONFIG)\n"
    )


def test_default_is_env_then_rules_yaml(
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """Without an argument: $NOTIFIER_CONFIG when set, else ./rules.yaml."""
    (in_tmp / "env.yaml").write_text("rules:\n  - {name: a, any: [x]}\n", encoding="utf-8")
    assert check(None) == 2
    assert capsys.readouterr().err.startswith("rules.yaml: no such file")
    monkeypatch.setenv("NOTIFIER_CONFIG", "env.yaml")
    assert check(None) == 0
    assert capsys.readouterr().out.startswith("env.yaml: OK")
    (in_tmp / "rules.yaml").write_text("rules:\n  - {name: b, any: [y]}\n", encoding="utf-8")
    assert check(None) == 0
    assert capsys.readouterr().out.startswith("env.yaml: OK")
    monkeypatch.delenv("NOTIFIER_CONFIG")
    assert check(None) == 0
    assert capsys.readouterr().out.startswith("rules.yaml: OK")


def test_repo_example_is_ok(capsys: pytest.CaptureFixture[str]):
    """The rules.yaml shipped at the repository root checks clean."""
    assert check(str(REPO / "rules.yaml")) == 0
    assert "OK" in capsys.readouterr().out


@pytest.mark.parametrize("config", ["repo", "every-type"])
def test_check_imports_nothing_heavy(config: str, tmp_path: Path):
    """`notifier check` never loads the chat SDKs or httpx, even with every channel type."""
    path = REPO / "rules.yaml"
    if config == "every-type":
        path = tmp_path / "rules.yaml"
        path.write_text(EVERY_TYPE, encoding="utf-8")
    code = (
        "import sys, argparse\n"
        "from notifier.commands.check import run\n"
        f"assert run(argparse.Namespace(config={str(path)!r})) == 0\n"
        "heavy = ('aiogram', 'lark_oapi', 'apprise', 'httpx', 'aiosmtplib', 'aiohttp')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.splitlines()[-1] == ""
    if config == "every-type":
        assert "OK — 1 rule, 10 channels" in done.stdout
