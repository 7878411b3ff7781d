"""The subscription store suite runs on every backend, like tests/store (the ``store``
fixture of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from notifier.store import Store, open_store


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    s = open_store(f"sqlite:///{tmp_path}/notifier.db")
    async with s:
        yield s
