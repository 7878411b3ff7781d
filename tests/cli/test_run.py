"""`notifier run`'s start line: what runs where, by name, never a secret."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from notifier.pipeline.service import Service
from tests.pipeline.conftest import write_config


def test_the_start_line_names_everything_and_shows_no_secret(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "phone: {type: ntfy, topic: topic-SECRET, token: tk_SECRET}",
        extra="sources:\n  feed: {type: url, url: 'https://x.example/feed?token=SECRET'}\n",
    )
    config = dataclasses.replace(config, store="postgresql://app:pw-SECRET@127.0.0.1:1/db")
    line = Service(config).describe()
    assert line == (
        "notifier running: role all; store postgresql://***@127.0.0.1:1/db; "
        "sources: feed (url); targets: phone (ntfy), console (console); HTTP endpoint off"
    )
    worker = Service(config, role="worker").describe()
    assert "sources: off; targets: phone (ntfy)" in worker
    assert "SECRET" not in line + worker
