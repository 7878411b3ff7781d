"""Issue 13, item 8: subscription numbers per chat in every answer, bidi controls stripped
from what users type, /lang without an argument, /unsub with a word. On both stores."""

from __future__ import annotations

from notifier.bot.subscribe import SubAction
from notifier.store import Store
from tests.bot.conftest import ALICE, GROUP, WANG, StartBot
from tests.fakes.telegram import FakeTelegram

#: U+202E (right-to-left override), U+202C (pop), U+2066 (LTR isolate), U+2069 (pop isolate).
RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


def buttons(sent: object) -> list[list[dict[str, str]]]:
    markup = sent.params.get("reply_markup") or {}  # type: ignore[attr-defined]
    return markup.get("inline_keyboard", [])


async def test_each_chat_numbers_its_own_subscriptions(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    tg.set_member(GROUP, ALICE, "administrator")
    talk = await start_bot()
    assert "Subscribed #1" in (await talk.reply(ALICE, "/sub OpenAI")).text
    assert "Subscribed #2" in (await talk.reply(ALICE, "/sub 英伟达")).text
    # Other chats start at #1 (their global ids are 3 and 4).
    assert "已订阅 #1" in (await talk.reply(WANG, "/sub 机器人", lang="zh")).text
    assert "Subscribed #1" in (await talk.reply(GROUP, "/sub DeepSeek", user=ALICE)).text
    assert "Subscribed #3" in (await talk.reply(ALICE, "/sub Claude")).text

    # Deleting #2 leaves #3 as it is; the next one is #4, not #2 again.
    assert "Deleted 1" in (await talk.reply(ALICE, "/unsub 2")).text
    assert "no subscription #2" in (await talk.reply(ALICE, "/unsub 2")).text
    assert "Subscribed #4" in (await talk.reply(ALICE, "/sub Gemini")).text
    listing = await talk.reply(ALICE, "/list")
    assert [line.split()[0] for line in listing.text.splitlines()[1:]] == ["#1", "#3", "#4"]
    assert [[b["text"] for b in row] for row in buttons(listing)] == [
        ["⏸ #1", "🗑 #1"],
        ["⏸ #3", "🗑 #3"],
        ["⏸ #4", "🗑 #4"],
    ]
    assert (
        "You already have this subscription (#3)" in (await talk.reply(ALICE, "/sub  Claude")).text
    )

    # /pause N, /resume N and /unsub N act on the chat's own #N.
    assert "已暂停 #1" in (await talk.reply(WANG, "/pause 1")).text
    assert [s.paused for s in await store.subscriptions.subscriptions(WANG)] == [True]
    assert not any(s.paused for s in await store.subscriptions.subscriptions(ALICE))
    assert "已恢复 #1" in (await talk.reply(WANG, "/resume #1")).text
    assert "Paused #3." in (await talk.reply(ALICE, "/pause 3")).text
    assert "Paused #3." in (await talk.reply(ALICE, "/pause 3")).text  # again: still paused
    paused = [s.number for s in await store.subscriptions.subscriptions(ALICE) if s.paused]
    assert paused == [3]
    assert "没有订阅 #3" in (await talk.reply(WANG, "/unsub 3")).text
    assert len(await store.subscriptions.subscriptions(ALICE)) == 3

    test = await talk.reply(ALICE, "/test Claude and Gemini")
    assert "✅ #3 Claude" in test.text
    assert "✅ #4 Gemini" in test.text
    assert "✖️ #1 OpenAI" in test.text


async def test_buttons_name_numbers_and_touch_only_their_chat(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    talk = await start_bot()
    await talk.reply(ALICE, "/sub OpenAI")
    await talk.reply(WANG, "/sub 机器人", lang="zh")
    await talk.reply(WANG, "/sub DeepSeek")
    [alices] = await store.subscriptions.subscriptions(ALICE)
    listing = await talk.reply(WANG, "/list")
    [_, (pause, delete)] = buttons(listing)
    assert (pause["text"], delete["text"]) == ("⏸ #2", "🗑 #2")
    assert (await talk.press(WANG, pause["callback_data"], listing.message_id))["text"] == (
        "已暂停 #2"
    )
    assert (await talk.press(WANG, delete["callback_data"], listing.message_id))["text"] == (
        "已删除 #2"
    )
    # A forged button: Alice's subscription by its global id, in Wang's own chat …
    forged = SubAction(action="delete", id=alices.id, chat=WANG).pack()
    answer = await talk.press(WANG, forged, listing.message_id)
    assert answer["text"] == "该订阅已不存在"
    # … or naming Alice's chat: refused.
    forged = SubAction(action="delete", id=alices.id, chat=ALICE).pack()
    answer = await talk.press(WANG, forged, listing.message_id)
    assert answer["show_alert"]
    assert await store.subscriptions.subscriptions(ALICE) == [alices]


async def test_bidi_controls_are_stripped_before_validation_and_storage(
    start_bot: StartBot, store: Store
) -> None:
    talk = await start_bot()
    sub = await talk.reply(ALICE, f"/sub Open{RLO}AI{PDF} +芯{LRI}片{PDI}")
    assert "Subscribed #1: OpenAI +芯片" in sub.text
    assert "required: 芯片" in sub.text
    [stored] = await store.subscriptions.subscriptions(ALICE)
    assert stored.expr == "OpenAI +芯片"
    listing = await talk.reply(ALICE, "/list")
    assert "#1 OpenAI +芯片" in listing.text
    for control in (RLO, PDF, LRI, PDI):
        assert control not in sub.raw + listing.raw
    # The same words with other controls are the same subscription.
    dup = await talk.reply(ALICE, f"/sub {LRI}OpenAI{PDI} +芯片")
    assert "already have this subscription (#1)" in dup.text
    # Settings too: a time zone, times, a number.
    tz = await talk.reply(ALICE, f"/tz Asia/{LRI}Shanghai{PDI}")
    assert tz.text.startswith("Time zone: Asia/Shanghai")
    quiet = await talk.reply(ALICE, f"/quiet 23:00{RLO}-07:00")
    assert quiet.text.startswith("Quiet hours 23:00–07:00")
    assert "Paused #1." in (await talk.reply(ALICE, f"/pause {RLO}1")).text
    chat = await store.subscriptions.chat(ALICE)
    assert chat is not None
    assert (chat.timezone, chat.quiet) == ("Asia/Shanghai", ("23:00", "07:00"))


async def test_lang_without_argument_shows_the_current_language(start_bot: StartBot) -> None:
    talk = await start_bot()
    shown = await talk.reply(WANG, "/lang", lang="zh-hans")
    assert shown.text.startswith("当前语言：中文")
    assert "/lang en" in shown.text
    assert (await talk.reply(WANG, "/lang en")).text == "Language: English."
    shown = await talk.reply(WANG, "/lang", lang="zh-hans")  # the chat's choice wins
    assert shown.text.startswith("Language: English.")
    assert "/lang zh" in shown.text
    assert (await talk.reply(ALICE, "/lang fr")).text == "Usage: /lang en or /lang zh"


async def test_unsub_with_a_word_explains_the_usage(start_bot: StartBot) -> None:
    talk = await start_bot()
    await talk.reply(ALICE, "/sub OpenAI")
    answer = await talk.reply(ALICE, "/unsub abc")
    assert "/unsub 3" in answer.text
    assert "/unsub all deletes every one" in answer.text
    zh = await talk.reply(WANG, "/unsub 第一个", lang="zh")
    assert "/unsub all 删除全部订阅" in zh.text
