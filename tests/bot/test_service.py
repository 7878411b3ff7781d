"""The bot inside the service and as its own process: `notifier run` with a bot: section
answers in Telegram and pushes matches; `notifier bot` runs until SIGTERM, never logging
the token."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from pathlib import Path

from notifier.pipeline.service import Service
from notifier.sources import Digest
from tests.bot.conftest import ALICE
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram
from tests.pipeline.conftest import digest, write_config

TODAY = dt.datetime.now(dt.UTC).date().isoformat()
REPO = Path(__file__).resolve().parents[2]


async def wait_for_reply(tg: FakeTelegram, chat_id: int, count: int) -> None:
    async with asyncio.timeout(30):
        while len([s for s in tg.sent if s.chat_id == chat_id]) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_notifier_run_answers_in_telegram_and_pushes_matches(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        extra = (
            f"store: sqlite:///{tmp_path}/n.db\n"
            f'bot:\n  token: "{DEFAULT_TOKEN}"\n  api_server: {tg.url}\n'
        )
        service = Service(write_config(tmp_path, "{}", extra=extra), listen=("127.0.0.1", 0))
        running = asyncio.create_task(service.run())
        try:
            tg.message_update(ALICE, "/sub 英伟达 芯片 !广告", language_code="zh")
            await wait_for_reply(tg, ALICE, 1)
            assert "已订阅 #1" in tg.sent[-1].text
            await service.ingest(Digest(digest(12, day=TODAY), "a.md", "cli"))
            await wait_for_reply(tg, ALICE, 2)
        finally:
            service.stop()
            async with asyncio.timeout(30):
                await running
        pushed = [s for s in tg.sent if s.chat_id == ALICE][1]
        assert "英伟达发布新一代芯片" in pushed.text
        assert "NVIDIA books record" not in pushed.text  # not a subscribed word
        assert service.bot is not None
        assert [c.method for c in tg.calls].count("setmycommands") == 2


async def test_notifier_bot_process_stops_on_sigterm(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        config = tmp_path / "rules.yaml"
        config.write_text(
            "rules:\n  - name: ai\n    any: [OpenAI]\n"
            f"store: sqlite:///{tmp_path}/n.db\n"
            "bot:\n  token: ${TELEGRAM_BOT_TOKEN}\n"
            f"  api_server: {tg.url}\n",
            encoding="utf-8",
        )
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN}
        env.pop("NOTIFIER_STORE", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "notifier", "bot", "-c", str(config),
            cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert process.stderr is not None
        log = b""
        try:
            async with asyncio.timeout(120):  # importing aiogram is slow on a busy machine
                while b"starting (long polling)" not in log:
                    line = await process.stderr.readline()
                    assert line, log.decode()
                    log += line
            tg.message_update(ALICE, "/start", language_code="en")
            await wait_for_reply(tg, ALICE, 1)
            assert "Hot topics, pushed to you" in tg.sent[0].text
            tg.message_update(ALICE, "/sub OpenAI")
            await wait_for_reply(tg, ALICE, 2)
        finally:
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(60):
                out, err = await process.communicate()
        log += out + err
        assert process.returncode == 0, log.decode()
        text = log.decode()
        assert DEFAULT_TOKEN not in text
        assert DEFAULT_TOKEN.partition(":")[2] not in text
        assert "bot stopped" in text


async def test_notifier_bot_with_a_refused_token(tmp_path: Path) -> None:
    async with FakeTelegram(token="999:other_token_entirely") as tg:
        config = tmp_path / "rules.yaml"
        config.write_text(
            "rules:\n  - name: ai\n    any: [OpenAI]\n"
            f"store: sqlite:///{tmp_path}/n.db\n"
            f'bot:\n  token: "{DEFAULT_TOKEN}"\n  api_server: {tg.url}\n',
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if k != "NOTIFIER_STORE"}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "notifier", "bot", "-c", str(config),
            cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        async with asyncio.timeout(120):
            _, err = await process.communicate()
    assert process.returncode == 1
    text = err.decode()
    assert "bot.token: the Bot API refused the token (401 Unauthorized)" in text
    assert DEFAULT_TOKEN.partition(":")[2] not in text
    assert "Traceback" not in text


async def test_notifier_run_role_bot_runs_only_the_bot(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        extra = (
            f"store: sqlite:///{tmp_path}/n.db\n"
            f'bot:\n  token: "{DEFAULT_TOKEN}"\n  api_server: {tg.url}\n  language: zh\n'
        )
        service = Service(
            write_config(tmp_path, "{}", extra=extra), role="bot", listen=("127.0.0.1", 0)
        )
        running = asyncio.create_task(service.run())
        try:
            tg.message_update(ALICE, "/start")  # no language_code: the configured default
            await wait_for_reply(tg, ALICE, 1)
        finally:
            service.stop()
            async with asyncio.timeout(30):
                await running
        assert "热点新闻，推送给你" in tg.sent[0].text
        assert service.sources == []  # no sources, no HTTP endpoint in this role
