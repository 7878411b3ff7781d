"""The commented service examples at the end of rules.yaml work once uncommented."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.config import inspect_config
from notifier.delivery.policy import Mode

REPO = Path(__file__).resolve().parents[2]
MARKER = "# ---- The service"


def uncommented(text: str) -> str:
    """rules.yaml with its service block uncommented (the second store: line dropped)."""
    head, _, block = text.partition(MARKER)
    lines = []
    for line in block.splitlines()[1:]:
        body = line[2:] if line.startswith("# ") else ""
        if body.startswith("store:") and "${" in body:
            continue  # the alternative to the line above it
        top = body.split(":")[0] in ("store", "sources", "server", "delivery")
        if top or (body.startswith(" ") and not body.lstrip().startswith("#")):
            lines.append(body)
    return head + "\n".join(lines) + "\n"


def test_service_examples_are_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Store, sources, server and delivery as documented in rules.yaml load without problems."""
    monkeypatch.setenv("NOTIFIER_INGEST_TOKEN", "t0ken")
    monkeypatch.delenv("NOTIFIER_STORE", raising=False)
    text = (REPO / "rules.yaml").read_text("utf-8")
    assert MARKER in text
    path = tmp_path / "rules.yaml"
    path.write_text(uncommented(text), encoding="utf-8")
    report = inspect_config(path)
    assert [str(e) for e in report.errors] == []
    config = report.config
    assert config is not None
    assert config.store == f"sqlite:///{tmp_path / 'notifier.db'}"
    assert [(s.name, s.type) for s in config.sources] == [("inbox", "folder"), ("ai-daily", "url")]
    assert config.server.token == "t0ken"
    assert config.policy("console").mode is Mode.INSTANT
    assert config.policy("console").timezone == "Asia/Shanghai"
    # Only the folder that does not exist yet, and at: without digest mode, are warned about.
    assert len(report.warnings) == 2
