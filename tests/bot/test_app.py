"""Running the bot: webhook mode with a secret token, `notifier bot` without a bot section,
options read from the config, stopping at any moment."""

from __future__ import annotations

import asyncio
import types
from pathlib import Path

import aiohttp
import pytest

from notifier.bot.app import BotRunner, scrub
from notifier.bot.options import from_config
from notifier.cli import main
from notifier.config import BotLimits, BotSpec, WebhookSpec
from tests.bot.conftest import ALICE, options
from tests.bot.memory import MemorySubscriptions
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram


async def test_webhook_mode_checks_the_secret_token(tg: FakeTelegram) -> None:
    hook = WebhookSpec(
        url="https://bot.example.com/tg",
        secret="s3cret-Token_1",
        host="127.0.0.1",
        port=0,
        path="/telegram",
    )
    runner = BotRunner(options(tg, webhook=hook), MemorySubscriptions(), concurrent=False)
    task = asyncio.create_task(runner.run())
    async with asyncio.timeout(10):
        await runner.ready.wait()
    assert tg.webhook_url == "https://bot.example.com/tg"
    assert tg.webhook_secret == "s3cret-Token_1"
    assert tg.webhook_updates == ["message", "callback_query", "my_chat_member"]
    assert runner.listening is not None
    url = f"http://127.0.0.1:{runner.listening[1]}/telegram"
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": ALICE, "type": "private", "first_name": "A"},
            "from": {"id": ALICE, "is_bot": False, "first_name": "A", "language_code": "zh"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as http:
        forged = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        async with http.post(url, json=update, headers=forged) as response:
            assert response.status == 401
        assert tg.sent == []
        good = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
        async with http.post(url, json=update, headers=good) as response:
            assert response.status == 200
    [welcome] = tg.sent
    assert welcome.chat_id == ALICE
    assert "热点新闻" in welcome.text
    runner.stop()
    async with asyncio.timeout(10):
        await task


async def test_stop_before_polling_started(tg: FakeTelegram) -> None:
    runner = BotRunner(options(tg), MemorySubscriptions())
    task = asyncio.create_task(runner.run())
    runner.stop()
    async with asyncio.timeout(10):
        await task
    assert runner.bot.session._session is None or runner.bot.session._session.closed


def test_options_from_config() -> None:
    assert from_config(types.SimpleNamespace(bot=None)) is None
    assert from_config(types.SimpleNamespace(bot=BotSpec(token=""))) is None
    spec = BotSpec(
        token=DEFAULT_TOKEN,
        api_server="http://127.0.0.1:8081",
        admins=(5, 6),
        limits=BotLimits(subscriptions=7, keywords=4),
        language="zh",
        webhook=WebhookSpec("https://x.example/hook", "abc", "127.0.0.1", 9000, "/hook"),
        preview_days=2,
    )
    assert from_config(types.SimpleNamespace(bot=spec)) is spec
    assert DEFAULT_TOKEN not in repr(spec)
    assert "abc" not in repr(spec)


def test_scrub_hides_the_token() -> None:
    secret = DEFAULT_TOKEN.partition(":")[2]
    text = f"cannot reach https://api/bot{DEFAULT_TOKEN}/getMe ({secret})"
    assert DEFAULT_TOKEN not in scrub(text, DEFAULT_TOKEN)
    assert secret not in scrub(text, DEFAULT_TOKEN)


def test_notifier_bot_without_a_bot_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOTIFIER_STORE", raising=False)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: ai\n    any: [OpenAI]\n", encoding="utf-8")
    assert main(["bot", "-c", str(rules)]) == 2
    err = capsys.readouterr().err
    assert f"{rules}: no bot: section with a token" in err
    assert "token: ${TELEGRAM_BOT_TOKEN}" in err
