"""The store suite runs against every backend: SQLite always, PostgreSQL when reachable
(skipped with the reason otherwise; a failure when CI or NOTIFIER_REQUIRE_POSTGRES is set)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from notifier.store import Store, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = f"sqlite:///{tmp_path}/notifier.db"
    s = open_store(url)
    async with s:
        yield s
