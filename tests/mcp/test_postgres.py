"""``notifier mcp --store postgresql://…``: the same answers from a PostgreSQL store."""

from __future__ import annotations

import pytest

from tests.mcp.live import Live
from tests.mcp.workspace import Workspace

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_tools_read_a_postgresql_store(space: Workspace, pg_url: str) -> None:
    done = space.notifier("db", "copy", space.store, pg_url)
    assert done.returncode == 0, done.stderr
    async with Live(space) as on_sqlite:
        want_search = await on_sqlite.data("search_stories", query="OpenAI 芯片", days=2)
        want_page = await on_sqlite.data("hot_topics", date=space.today.isoformat())
        want_deliveries = await on_sqlite.data("deliveries", limit=200)
    async with Live(space, "--store", pg_url) as live:
        assert await live.data("search_stories", query="OpenAI 芯片", days=2) == want_search
        page = await live.data("hot_topics", date=space.today.isoformat())
        assert page == want_page
        assert await live.data("deliveries", limit=200) == want_deliveries
        story = want_search["stories"][0]["id"]
        why = await live.data("explain", story_id=story, rule="chips")
        assert why["story"]["id"] == story
