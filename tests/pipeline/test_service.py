"""The pipeline end to end in one process: digest in, deliveries out through a fake ntfy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from notifier.config import Config
from notifier.pipeline.service import Service
from notifier.sources import Digest
from notifier.store import State
from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import FakeClock
from tests.pipeline.conftest import digest, write_config

TODAY = dt.datetime.now(dt.UTC).date().isoformat()


def ntfy_config(tmp_path: Path, url: str, delivery: str = "") -> Config:
    channels = f"""
    phone:
      type: ntfy
      server: {url}
      topic: news
      {delivery}
    """
    return write_config(tmp_path, channels, extra=f"store: sqlite:///{tmp_path}/n.db\n")


async def test_each_story_goes_out_once(tmp_path: Path) -> None:
    clock = FakeClock()
    async with FakeNtfy(clock=clock, burst=1000) as fake:
        config = ntfy_config(tmp_path, fake.url)  # the rule routes to the console only
        service = Service(config)
        data = digest(6, day=TODAY)
        first = await service.run_once([Digest(data, "a.md", "cli")])
        assert first[0].items == 6
        again = await Service(config).run_once([Digest(data, "a.md", "cli")])
        assert again[0].skipped
        async with Service(config).store as store:
            counts = await store.counts()
        assert counts == {("console", State.SENT): 6}


async def test_down_channel_waits_and_other_targets_go_on(tmp_path: Path) -> None:
    clock = FakeClock()
    async with FakeNtfy(clock=clock, burst=1000) as fake:
        channels = f"""
        phone: {{type: ntfy, server: "{fake.url}", topic: news}}
        """
        rules = """
        - name: ai
          any: [OpenAI, Claude, Gemini, NVIDIA, 英伟达, 大模型, GPT, AI]
          notify: [phone, console]
        """
        config = write_config(
            tmp_path, channels, rules, extra=f"store: sqlite:///{tmp_path}/n.db\n"
        )
        fake.fail_next(30, status=503)
        await Service(config).run_once([Digest(digest(4, day=TODAY), "a.md", "cli")])
        async with Service(config).store as store:
            counts = await store.counts()
            failing = await store.deliveries(failing=True)
        assert counts[("console", State.SENT)] == 4
        assert counts[("phone", State.QUEUED)] == 4
        assert all("503" in (d.last_error or "") for d in failing)
        assert fake.messages == []


async def test_backlog_is_summarised(tmp_path: Path) -> None:
    clock = FakeClock()
    async with FakeNtfy(clock=clock, burst=1000) as fake:
        config = write_config(
            tmp_path,
            f"""
            phone:
              type: ntfy
              server: "{fake.url}"
              topic: news
              delivery: {{backlog: 3}}
            """,
            """
            - name: ai
              any: [OpenAI, Claude, Gemini, NVIDIA, 英伟达, 大模型, GPT, AI]
              notify: [phone]
            """,
            extra=f"store: sqlite:///{tmp_path}/n.db\n",
        )
        await Service(config).run_once([Digest(digest(10, day="2025-01-02"), "old.md", "cli")])
        async with Service(config).store as store:
            counts = await store.counts()
        assert counts[("phone", State.SENT)] == 3
        assert counts[("phone", State.SUMMARISED)] == 7
        assert len(fake.messages) == 1
        assert "Catching up" in str(fake.messages[0])
