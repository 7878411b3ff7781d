"""Hostile servers against the real CLI: every command that takes a URL stops at the byte
cap (20 MB) with one line and bounded memory (issue 12: a 2 GB body reached 12-14 GB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.cli import run_cli
from tests.hostile.servers import hostile_server

MAX_MB = 250  # 20 MB of body, the interpreter and the parser, with room to spare


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with hostile_server() as url:
        yield url


@pytest.mark.parametrize("path", ["/endless", "/huge"])
@pytest.mark.parametrize(
    ("command", "status"),
    [(["parse"], 2), (["test-rule", "-c", "RULES"], 2), (["ingest", "-c", "RULES", "-q"], 1)],
)
def test_endless_and_lying_bodies_stop_at_the_cap(
    base: str, path: str, command: list[str], status: int, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f"store: sqlite:///{tmp_path}/n.db\nrules:\n  - {{name: r, any: [AI]}}\n",
        encoding="utf-8",
    )
    args = [str(rules) if a == "RULES" else a for a in command]
    ran = run_cli(*args, base + path, cwd=tmp_path)
    assert not ran.killed, ran
    assert ran.returncode == status, ran.stderr
    assert ran.stderr.splitlines() == [
        f"notifier: {base}{path}: the response is larger than 20 MB"
    ]
    assert ran.peak_mb < MAX_MB, ran
