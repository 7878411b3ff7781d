"""/top ("today") and the /sub preview ("the last N days") go by the stories' own dates in
the chat's time zone, not by when they were ingested (issue 13, item 7): a catch-up of old
stories ingested today is neither today's hottest nor recent."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from notifier.items import Item
from notifier.store import NewStory, SeenAgain, Store
from notifier.subscriptions.model import Chat
from tests.bot.conftest import ALICE, WANG, StartBot

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: 01:00 on 10 March in Shanghai: still 9 March in UTC.
NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=SHANGHAI).timestamp()

#: (title, the story's own date, hours before NOW it was first seen, sources)
STORIES = (
    ("OpenAI dated 10 March", "2026-03-10", 0.5, 2),
    ("OpenAI dated 9 March", "2026-03-09", 5, 1),
    ("OpenAI dated 1 March, ingested just now", "2026-03-01", 0.1, 9),
    ("OpenAI dated 6 March", "2026-03-06", 6, 1),
    ("OpenAI undated, seen just now", None, 0.2, 1),
)


async def add_dated(store: Store) -> None:
    for index, (title, date, hours, sources) in enumerate(STORIES):
        seen = NOW - hours * 3600
        item = Item(
            id=f"s{index}",
            title=title,
            url=f"https://example.com/{index}",
            source="wire",
            date=dt.date.fromisoformat(date) if date else None,
        )
        story = NewStory(item.id, (item.id,), title, item.url, "wire", item.to_json())
        await store.commit_digest(f"d{index}", "t.md", [story], [], [], seen)
        again = [SeenAgain(item.id, f"other-{n}") for n in range(1, sources)]
        if again:
            await store.commit_digest(f"a{index}", "t.md", [], again, [], seen)


def titles(text: str) -> list[str]:
    return [s[0] for s in STORIES if s[0] in text]


async def test_top_is_today_by_story_date_in_the_chat_time_zone(
    start_bot: StartBot, store: Store
) -> None:
    await add_dated(store)
    await store.subscriptions.save_chat(Chat(WANG, lang="zh", timezone="Asia/Shanghai"))
    talk = await start_bot(bot_clock=lambda: NOW)
    shanghai = (await talk.reply(WANG, "/top")).text
    assert titles(shanghai) == ["OpenAI dated 10 March", "OpenAI undated, seen just now"]
    utc = (await talk.reply(ALICE, "/top")).text  # a new chat: UTC, where it is 9 March
    assert titles(utc) == ["OpenAI dated 9 March", "OpenAI undated, seen just now"]


async def test_top_without_stories_of_today(start_bot: StartBot, store: Store) -> None:
    await add_dated(store)
    later = NOW + 3 * 86400
    talk = await start_bot(bot_clock=lambda: later)
    assert (await talk.reply(ALICE, "/top")).text == "No stories from today yet."


async def test_the_sub_preview_covers_the_last_days_by_story_date(
    start_bot: StartBot, store: Store
) -> None:
    await add_dated(store)
    await store.subscriptions.save_chat(Chat(WANG, lang="zh", timezone="Asia/Shanghai"))
    talk = await start_bot(bot_clock=lambda: NOW)
    shown = (await talk.reply(WANG, "/sub OpenAI")).text  # 8-10 March in Shanghai
    assert "最近 3 天内会匹配到" in shown
    assert titles(shown) == [
        "OpenAI dated 10 March",
        "OpenAI dated 9 March",
        "OpenAI undated, seen just now",
    ]
    # UTC: 7-9 March, and what is dated ahead of the chat's clock (published further east)
    wide = (await talk.reply(ALICE, "/sub OpenAI")).text
    assert titles(wide) == [
        "OpenAI dated 10 March",
        "OpenAI dated 9 March",
        "OpenAI undated, seen just now",
    ]


async def test_preview_days_counts_today(start_bot: StartBot, store: Store) -> None:
    await add_dated(store)
    await store.subscriptions.save_chat(Chat(WANG, timezone="Asia/Shanghai"))
    talk = await start_bot(bot_clock=lambda: NOW, preview_days=5)  # 6-10 March
    shown = (await talk.reply(WANG, "/sub OpenAI")).text
    assert "OpenAI dated 6 March" in shown
    assert "dated 1 March" not in shown
