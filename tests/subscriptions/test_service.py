"""The service with a bot: section matches digests against the subscriptions and pushes
the matches to the subscribers' chats (through the fake Bot API)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from notifier.pipeline.service import Service
from notifier.sources import Digest
from notifier.store import State
from notifier.subscriptions.model import Chat, target_name
from tests.fakes.telegram import BLOCKED_CHAT, DEFAULT_TOKEN, FakeTelegram
from tests.pipeline.conftest import digest, write_config

TODAY = dt.datetime.now(dt.UTC).date().isoformat()


async def test_subscribers_get_their_stories(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        extra = (
            f"store: sqlite:///{tmp_path}/n.db\n"
            f'bot:\n  token: "{DEFAULT_TOKEN}"\n  api_server: {tg.url}\n'
        )
        config = write_config(tmp_path, "{}", extra=extra)
        service = Service(config)
        async with service.store:
            subs = service.store.subscriptions
            await subs.save_chat(Chat(1001, lang="zh", created_at=1))
            await subs.save_chat(Chat(1002, created_at=1))
            await subs.save_chat(Chat(BLOCKED_CHAT, created_at=1))
            await subs.add(1001, "英伟达 芯片", 1001, 1)
            await subs.add(1002, "Claude +Anthropic", 1002, 1)
            await subs.add(1002, "Claude", 1002, 1)
            await subs.add(BLOCKED_CHAT, "OpenAI", 1, 1)
        reports = await service.run_once([Digest(digest(12, day=TODAY), "a.md", "cli")])
        assert reports[0].deliveries > 0
        by_chat = {m.chat_id: m.text for m in tg.sent}
        assert set(by_chat) == {1001, 1002}
        assert "英伟达发布新一代芯片" in by_chat[1001]
        assert "Anthropic opens a Tokyo office" in by_chat[1002]
        assert "Claude writes firmware" in by_chat[1002]
        async with service.store:
            counts = await service.store.counts()
            chat = await service.store.subscriptions.chat(BLOCKED_CHAT)
            rows = await service.store.deliveries(target=target_name(1002))
        assert counts[(target_name(BLOCKED_CHAT), State.DROPPED)] >= 1
        assert chat is not None
        assert not chat.active
        # One delivery per story and chat, every subscription that caught it listed.
        tokyo = next(d for d in rows if "Tokyo" in d.entry["title"])
        assert len(tokyo.rules) == 2
