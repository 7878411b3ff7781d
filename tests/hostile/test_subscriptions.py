"""A stored subscription the engine refuses (an older bot's, hand-written, `db copy`) never
stops ingest for the other subscribers (issue 12: every ingest died with ConfigError until
its owner unsubscribed). The real CLI, on a SQLite store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from notifier.store import open_store
from notifier.subscriptions.model import Chat
from tests.hostile.cli import run_cli

TOKEN = "123456:AAE-hostile-test-token"
DIGEST = "# AI daily\n\n1. [英伟达发布新一代 AI 芯片](https://example.com/nv)\n"


async def _subscribe(url: str) -> None:
    async with open_store(url) as store:
        subs = store.subscriptions
        for chat, expr in ((1, "/(a+)+b/"), (2, "英伟达"), (3, r"/^(\w+\s?)*$/ 芯片")):
            await subs.save_chat(Chat(chat, created_at=1.0))
            await subs.add(chat, expr, chat, 1.0)


def test_ingest_skips_the_unsafe_ones_and_delivers_the_rest(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/n.db"
    (tmp_path / "rules.yaml").write_text(
        f"store: {store}\nbot: {{token: '{TOKEN}'}}\nrules:\n  - {{name: r, any: [nothing]}}\n",
        encoding="utf-8",
    )
    (tmp_path / "d.md").write_text(DIGEST, encoding="utf-8")
    asyncio.run(_subscribe(store))

    ingest = run_cli("ingest", "--no-send", "-q", "d.md", cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    assert not ingest.killed
    warned = [line for line in ingest.stderr.splitlines() if "skipped" in line]
    assert len(warned) == 2, ingest.stderr
    assert "Traceback" not in ingest.stderr

    listed = run_cli("deliveries", "--json", cwd=tmp_path)
    assert [json.loads(line)["target"] for line in listed.stdout.splitlines()] == ["tg:2"]

    status = run_cli("status", "--json", cwd=tmp_path)
    skipped = json.loads(status.stdout)["subscribers"]["skipped"]
    assert [(s["chat"], s["expr"]) for s in skipped] == [
        (1, "/(a+)+b/"),
        (3, r"/^(\w+\s?)*$/ 芯片"),
    ]
    assert TOKEN not in ingest.stderr + listed.stdout + status.stdout
