"""A store filled from the shared corpus, and ``notifier mcp`` serving it, per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.mcp.live import Live
from tests.mcp.workspace import CORPUS, Workspace, add_trouble, build


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The workspace: config, digests, a store with deliveries (two dead)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set NOTIFIER_CORPUS)")
    space = build(Path(tmp_path_factory.mktemp("mcp")))
    add_trouble(space)
    return space


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(space: Workspace) -> AsyncIterator[Live]:
    """A read-only ``notifier mcp`` on the workspace, one for the module."""
    async with Live(space) as server:
        yield server
