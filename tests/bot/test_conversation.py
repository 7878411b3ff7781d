"""The whole subscription conversation, in English and in Chinese, on the SQLite store."""

from __future__ import annotations

import json

from notifier.store import Store
from tests.bot.conftest import ALICE, STORIES, WANG, StartBot, add_stories
from tests.fakes.telegram import FakeTelegram

EXAMPLE = '/sub OpenAI 英伟达 "Sam Altman" +芯片 !广告'


def buttons(sent: object) -> list[list[dict[str, str]]]:
    markup = sent.params.get("reply_markup") or {}  # type: ignore[attr-defined]
    return markup.get("inline_keyboard", [])


async def test_english_conversation(start_bot: StartBot, store: Store, tg: FakeTelegram) -> None:
    await add_stories(store)
    talk = await start_bot()

    welcome = await talk.reply(ALICE, "/start", lang="en-GB")
    assert "Hot topics, pushed to you" in welcome.text
    assert welcome.preview_disabled
    assert welcome.params["parse_mode"] == "HTML"
    chat = await store.subscriptions.chat(ALICE)
    assert chat is not None
    assert chat.lang == "en"
    assert chat.kind == "private"

    sub = await talk.reply(ALICE, EXAMPLE, lang="en")
    assert "Subscribed #1" in sub.text
    assert 'any of: OpenAI, 英伟达, "Sam Altman"' in sub.text
    assert "required: 芯片" in sub.text
    assert "excluded: 广告" in sub.text
    # The preview: the chip story (not the ad, not the OpenAI one without 芯片), linked.
    assert "In the last 3 days this would have caught:" in sub.text
    assert "英伟达发布新一代 AI 芯片" in sub.text
    assert "限时优惠" not in sub.text
    links = [e["url"] for e in sub.entities if e["type"] == "text_link"]
    assert links == ["https://example.com/nv?a=1&b=2"]
    [stored] = await store.subscriptions.subscriptions(ALICE)
    assert stored.expr == 'OpenAI 英伟达 "Sam Altman" +芯片 !广告'
    assert stored.owner == ALICE

    listing = await talk.reply(ALICE, "/list")
    assert "#1 OpenAI 英伟达" in listing.text
    assert "(instant)" in listing.text
    [[pause, delete]] = buttons(listing)
    assert pause["text"] == "⏸ #1"
    assert delete["text"] == "🗑 #1"

    answer = await talk.press(ALICE, pause["callback_data"], listing.message_id)
    assert answer["text"] == "Paused #1"
    assert (await store.subscriptions.subscriptions(ALICE))[0].paused
    edited = tg.messages[(ALICE, listing.message_id)]
    assert edited.edits == 1
    assert "⏸ paused" in edited.text
    [[resume, _]] = edited.params["reply_markup"]["inline_keyboard"]
    answer = await talk.press(ALICE, resume["callback_data"], listing.message_id)
    assert answer["text"] == "Resumed #1"
    assert not (await store.subscriptions.subscriptions(ALICE))[0].paused

    assert "Paused." in (await talk.reply(ALICE, "/pause")).text
    assert (await store.subscriptions.chat(ALICE)).paused  # type: ignore[union-attr]
    assert "All paused" in (await talk.reply(ALICE, "/list")).text
    assert "Resumed." in (await talk.reply(ALICE, "/resume")).text
    assert "Paused #1." in (await talk.reply(ALICE, "/pause 1")).text
    assert "Resumed #1." in (await talk.reply(ALICE, "/resume #1")).text
    assert "no subscription #9" in (await talk.reply(ALICE, "/pause 9")).text

    mode = await talk.reply(ALICE, "/mode digest 9:00 18:30")
    assert mode.text == "A digest is sent at 09:00, 18:30 (UTC)."
    tz = await talk.reply(ALICE, "/tz Asia/Shanghai")
    assert tz.text.startswith("Time zone: Asia/Shanghai (now ")
    quiet = await talk.reply(ALICE, "/quiet 23:00-07:00")
    assert quiet.text == "Quiet hours 23:00–07:00 (Asia/Shanghai): stories wait until they end."
    chat = await store.subscriptions.chat(ALICE)
    assert chat is not None
    assert (chat.mode, chat.digest_at, chat.timezone) == (
        "digest",
        ("09:00", "18:30"),
        "Asia/Shanghai",
    )
    assert chat.quiet == ("23:00", "07:00")
    assert "digest at 09:00, 18:30 Asia/Shanghai" in (await talk.reply(ALICE, "/list")).text
    assert (await talk.reply(ALICE, "/quiet off")).text == "Quiet hours off."
    assert (await talk.reply(ALICE, "/mode instant")).text == "Stories are sent as they come."

    test = await talk.reply(ALICE, "/test 英伟达发布新一代 AI 芯片")
    assert "✅ #1" in test.text
    assert "matches (英伟达, 芯片)" in test.text
    miss = await talk.reply(ALICE, "/test 英伟达财报超预期")
    assert "✖️ #1" in miss.text
    assert "missing required '芯片'" in miss.text

    top = await talk.reply(ALICE, "/top")
    assert top.text.splitlines()[0] == "🔥 Hottest today"
    assert top.text.splitlines()[1].startswith("1. 英伟达发布新一代 AI 芯片")
    assert "3 sources" in top.text.splitlines()[1]
    assert "DeepSeek releases V3.2 <open> weights · HN & Co" in top.text  # escaped, shown as is
    assert len([e for e in top.entities if e["type"] == "text_link"]) == len(STORIES)

    help_ = await talk.reply(ALICE, "/help")
    assert "/sub — Subscribe" in help_.text
    assert "/top — Today's hottest stories" in help_.text

    assert "Deleted 1 subscription" in (await talk.reply(ALICE, "/unsub 1")).text
    assert await store.subscriptions.subscriptions(ALICE) == []
    assert "No subscriptions yet" in (await talk.reply(ALICE, "/list")).text


async def test_chinese_conversation(start_bot: StartBot, store: Store, tg: FakeTelegram) -> None:
    await add_stories(store)
    talk = await start_bot()

    welcome = await talk.reply(WANG, "/start", lang="zh-hans")
    assert "热点新闻，推送给你" in welcome.text
    assert (await store.subscriptions.chat(WANG)).lang == "zh"  # type: ignore[union-attr]

    sub = await talk.reply(WANG, EXAMPLE, lang="zh-hans")
    assert "已订阅 #1" in sub.text
    assert "必须：芯片" in sub.text
    assert "排除：广告" in sub.text
    assert "最近 3 天内会匹配到" in sub.text
    sub2 = await talk.reply(WANG, "/sub DeepSeek")
    assert "已订阅 #2" in sub2.text

    listing = await talk.reply(WANG, "/list")
    assert listing.text.startswith("订阅（即时推送）")
    rows = buttons(listing)
    assert [b["text"] for b in rows[1]] == ["⏸ #2", "🗑 #2"]
    answer = await talk.press(WANG, rows[1][1]["callback_data"], listing.message_id)
    assert answer["text"] == "已删除 #2"
    assert [s.id for s in await store.subscriptions.subscriptions(WANG)] == [1]
    assert "#2" not in tg.messages[(WANG, listing.message_id)].text

    assert "已暂停" in (await talk.reply(WANG, "/pause")).text
    assert "已恢复推送" in (await talk.reply(WANG, "/resume")).text
    assert "将在 08:00（UTC）推送摘要" in (await talk.reply(WANG, "/mode digest 08:00")).text
    assert "时区：Asia/Shanghai" in (await talk.reply(WANG, "/tz Asia/Shanghai")).text
    assert "免打扰 22:30–07:00" in (await talk.reply(WANG, "/quiet 22:30-07:00")).text
    miss = await talk.reply(WANG, "/test 英伟达芯片广告")
    assert "含排除词「广告」" in miss.text
    assert "今日最热" in (await talk.reply(WANG, "/top")).text
    assert "/sub — 订阅" in (await talk.reply(WANG, "/help")).text
    assert "不认识这个命令" in (await talk.reply(WANG, "/frobnicate")).text
    assert "请发送命令" in (await talk.reply(WANG, "你好")).text
    assert "已删除 1 个订阅" in (await talk.reply(WANG, "/unsub all")).text

    # /lang switches and is remembered in the chat, whatever the Telegram language says.
    assert (await talk.reply(WANG, "/lang en", lang="zh-hans")).text == "Language: English."
    assert (await store.subscriptions.chat(WANG)).lang == "en"  # type: ignore[union-attr]
    assert "Commands" in (await talk.reply(WANG, "/help", lang="zh-hans")).text
    assert (await talk.reply(WANG, "/lang zh")).text == "语言已切换为中文。"
    assert "用法：/lang en" in (await talk.reply(WANG, "/lang fr")).text


async def test_commands_are_registered_in_both_languages(
    start_bot: StartBot, tg: FakeTelegram
) -> None:
    talk = await start_bot()
    await talk.reply(ALICE, "/help")  # polling is under way
    default = json.dumps({"type": "default"}, sort_keys=True)
    english = tg.commands[(default, "")]
    chinese = tg.commands[(default, "zh")]
    assert [c["command"] for c in english] == [c["command"] for c in chinese]
    assert {"start", "sub", "list", "unsub", "pause", "resume", "mode", "tz", "quiet"} <= {
        c["command"] for c in english
    }
    assert {c["command"]: c["description"] for c in chinese}["top"] == "今日最热"
    polls = [c for c in tg.calls if c.method == "getupdates"]
    assert polls
    assert polls[0].params["allowed_updates"] == [
        "message",
        "callback_query",
        "my_chat_member",
    ]
