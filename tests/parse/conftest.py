"""Shared fixtures: where the real digest corpus is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(
    os.environ.get("NOTIFIER_CORPUS") or Path(__file__).resolve().parents[3] / "shared" / "corpus"
)


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real digest corpus not found at {CORPUS} (set NOTIFIER_CORPUS)")
    return CORPUS
