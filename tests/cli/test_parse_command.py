"""`notifier parse`: the items read from digests, for people and for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notifier.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "digests"


def test_json_lines_one_per_item(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one object per item with every field of the item."""
    assert main(["parse", "--json", str(EXAMPLES)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 11
    first = records[0]
    assert set(first) >= {"id", "title", "url", "summary", "source", "section", "date"}
    assert {r["format"] for r in records} == {"72live", "rss", "json"}


def test_human_listing(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json: a header per digest, then rank, title and link per item."""
    assert main(["parse", str(EXAMPLES / "2025-12-01-tech-brief.md")]) == 0
    out = capsys.readouterr().out
    assert "(72live, 2025-12-01, 5 items)" in out
    assert "   1  OpenAI 与云厂商签署多年算力协议，GPT-5 训练集群扩容" in out
    assert "点评" not in out


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A digest that cannot be read: one line naming it on stderr, exit 2."""
    assert main(["parse", str(tmp_path / "missing.md")]) == 2
    err = capsys.readouterr().err
    assert "missing.md" in err
    assert len(err.strip().splitlines()) == 1
