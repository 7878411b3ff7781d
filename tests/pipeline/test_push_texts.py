"""What a push adds to the stories speaks the target's language, shows the stories' own
dates, and names operator commands to configured targets only (issue 13, item 7: a
subscriber saw "5 more matches since … are not shown (notifier deliveries --target tg:9202
--state summarised)")."""

from __future__ import annotations

import datetime as dt

import pytest

from channels.base import Message
from notifier.delivery.policy import Mode, Policy
from notifier.delivery.texts import LANGUAGES, TEXTS
from notifier.sources import Digest
from notifier.store import Store
from notifier.subscriptions.model import Chat
from tests.pipeline.pushes import Clock, Pipeline, at, pipeline

NOW = at("2026-03-10", "12:00")


def stories(day: str, first: int, n: int) -> bytes:
    """A markdown digest of ``n`` distinct stories dated ``day``, numbered from ``first``."""
    lines = [f"# AI daily {day}", ""]
    for i in range(first, first + n):
        lines.append(f"{i}. [OpenAI story number {i} about model {i * 7919}](https://ex.com/{i})")
    return "\n".join(lines).encode()


async def catch_up(p: Pipeline) -> None:
    """16 stories of 1 March and 9 of 3 March, ingested on 10 March, dispatched: the best 20
    go one by one (``backlog: 20``), 5 are counted."""
    await p.ingestor.ingest(Digest(stories("2026-03-01", 1, 16), "a.md", "cli"))
    await p.ingestor.ingest(Digest(stories("2026-03-03", 100, 9), "b.md", "cli"))
    await p.dispatcher.drain()


def texts(messages: list[Message]) -> str:
    return "\n".join(f"{m.title}\n{m.text}" for m in messages)


async def test_a_chinese_subscriber_gets_chinese_headers_without_commands(store: Store) -> None:
    chat = Chat(9202, lang="zh", created_at=1)
    p = await pipeline(store, Clock(NOW), chats=[chat])
    await catch_up(p)
    [first, *_] = p.to("tg:9202")
    assert first.title == "补发：25 条较早的新闻中最相关的 20 条"
    assert first.text == "另有 5 条（2026-03-01 至 2026-03-03）未显示。"
    shown = texts(p.to("tg:9202"))
    assert "notifier" not in shown
    assert "2026-03-10" not in shown  # the stories' dates, never the day they were ingested


async def test_an_english_subscriber_sees_no_commands_either(store: Store) -> None:
    p = await pipeline(store, Clock(NOW), chats=[Chat(9202, created_at=1)])
    await catch_up(p)
    [first, *_] = p.to("tg:9202")
    assert first.title == "Catching up: the best 20 of 25 earlier stories"
    assert first.text == "5 more, dated 2026-03-01 to 2026-03-03, are not shown."


@pytest.mark.parametrize(
    ("lang", "title", "hint"),
    [
        (
            "en",
            "Catching up: the best 20 of 25 earlier stories",
            "List them: notifier deliveries --target team --state summarised",
        ),
        ("zh", "补发：25 条较早的新闻中最相关的 20 条", "查看：notifier deliveries --target team"),
    ],
)
async def test_a_configured_target_gets_the_operator_hint_in_its_language(
    store: Store, lang: str, title: str, hint: str
) -> None:
    p = await pipeline(store, Clock(NOW), policies={"team": Policy(language=lang)})
    await catch_up(p)
    [first, *_] = p.to("team")
    assert first.title == title
    assert hint in first.text
    assert "2026-03-01" in first.text


async def test_digest_titles_and_source_counts_in_the_chat_language(store: Store) -> None:
    chat = Chat(
        9203,
        lang="zh",
        mode="digest",
        digest_at=("12:00",),
        timezone="Asia/Shanghai",
        created_at=1,
    )
    p = await pipeline(store, Clock(at("2026-03-10", "11:00")), chats=[chat])
    await p.ingestor.ingest(Digest(stories("2026-03-10", 1, 3), "a.md", "cli"))
    again = stories("2026-03-10", 1, 1).replace(b"AI daily", b"Tech wire")  # another source
    await p.ingestor.ingest(Digest(again, "again.md", "cli"))
    p.clock.now = at("2026-03-10", "12:00")
    await p.dispatcher.drain()
    [message] = p.to("tg:9203")
    assert message.title == "摘要：3 条新闻"
    assert "2个来源" in {tag for e in message.entries for tag in e.tags}


async def test_a_digest_of_a_configured_target_in_english_by_default(store: Store) -> None:
    policy = Policy(mode=Mode.DIGEST, at=(dt.time(4, 0),))  # 12:00 in Shanghai is 04:00 UTC
    p = await pipeline(store, Clock(NOW), policies={"team": policy})
    await p.ingestor.ingest(Digest(stories("2026-03-10", 1, 3), "a.md", "cli"))
    await p.dispatcher.drain()
    assert [m.title for m in p.to("team")] == ["Digest: 3 stories"]


def test_every_text_has_every_language() -> None:
    assert all(set(table) == set(LANGUAGES) for table in TEXTS.values())
