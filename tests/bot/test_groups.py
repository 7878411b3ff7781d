"""Groups: only admins change subscriptions; commands addressed to the bot by name; config
admins route subscriptions to channels the bot may post in."""

from __future__ import annotations

from notifier.store import Store
from tests.bot.conftest import ADMIN, ALICE, GROUP, StartBot
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram

BOT_ID = int(DEFAULT_TOKEN.split(":")[0])
CHANNEL = -1009876543210


async def test_only_group_admins_change_the_group(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    tg.set_member(GROUP, ALICE, "administrator")
    tg.set_member(GROUP, 2002, "creator")
    talk = await start_bot()

    refused = await talk.reply(GROUP, "/sub OpenAI", user=3003)
    assert refused.text == "Sorry, only the group's admins can change its subscriptions."
    assert await store.subscriptions.chat(GROUP) is None

    added = await talk.reply(GROUP, "/sub@notifier_test_bot OpenAI", user=ALICE)
    assert "Subscribed #1" in added.text
    chat = await store.subscriptions.chat(GROUP)
    assert chat is not None
    assert chat.kind == "supergroup"
    assert chat.title == "AI <群>"
    assert "Subscribed #2" in (await talk.reply(GROUP, "/sub 英伟达", user=2002)).text

    # Anyone may look; only admins change.
    listing = await talk.reply(GROUP, "/list", user=3003)
    assert "#1 OpenAI" in listing.text
    button = listing.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    answer = await talk.press(GROUP, button, listing.message_id, user=3003)
    assert answer["text"] == "Sorry, only the group's admins can change its subscriptions."
    assert answer["show_alert"] == "true"  # form-encoded
    assert len(await store.subscriptions.subscriptions(GROUP)) == 2
    for command in ("/unsub 1", "/pause", "/resume 1", "/mode instant", "/tz UTC", "/lang zh"):
        reply = await talk.reply(GROUP, command, user=3003)
        assert reply.text == "Sorry, only the group's admins can change its subscriptions."
    assert "no subscription #1" not in (await talk.reply(GROUP, "/test OpenAI", user=3003)).text

    answer = await talk.press(GROUP, button, listing.message_id, user=ALICE)
    assert answer["text"] == "Deleted #1"
    assert "Paused." in (await talk.reply(GROUP, "/pause", user=ALICE)).text
    # An anonymous admin writes as the group itself.
    anonymous = {"sender_chat": tg.chat(GROUP).to_json()}
    reply = await talk.reply(GROUP, "/resume", user=1087968824, **anonymous)
    assert reply.text == "▶️ Resumed."


async def test_group_commands_for_other_bots_and_chatter_are_ignored(
    start_bot: StartBot, tg: FakeTelegram
) -> None:
    tg.set_member(GROUP, ALICE, "administrator")
    talk = await start_bot()
    assert await talk.say(GROUP, "/sub@other_bot OpenAI", user=ALICE) == []
    assert await talk.say(GROUP, "/weather Berlin", user=ALICE) == []
    assert await talk.say(GROUP, "hello everyone", user=ALICE) == []
    reply = await talk.reply(GROUP, "/weather@notifier_test_bot", user=ALICE)
    assert reply.text == "I don't know that command. /help lists what I can do."
    assert "Commands" in (await talk.reply(GROUP, "/help@notifier_test_bot", user=ALICE)).text


async def test_config_admin_routes_a_subscription_to_a_channel(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    tg.add_chat(CHANNEL, "channel", username="ai_news", title="AI News")
    talk = await start_bot()

    # Not a config admin: refused before anything is looked up.
    refused = await talk.reply(ALICE, "/sub @ai_news OpenAI")
    assert refused.text == "Only the bot's admins can subscribe other chats."
    # The bot is only a member of the channel: it cannot post there.
    cannot = await talk.reply(ADMIN, "/sub @ai_news OpenAI")
    assert "I cannot post in @ai_news" in cannot.text
    assert await store.subscriptions.chat(CHANNEL) is None
    unknown = await talk.reply(ADMIN, "/sub @nowhere_chan OpenAI")
    assert "I cannot find the chat @nowhere_chan" in unknown.text or "cannot post" in unknown.text

    tg.set_member(CHANNEL, BOT_ID, "administrator", can_post_messages=True)
    done = await talk.reply(ADMIN, "/sub @ai_news OpenAI +GPT-5")
    assert "for AI News" in done.text
    assert "Subscribed #1" in done.text
    chat = await store.subscriptions.chat(CHANNEL)
    assert chat is not None
    assert chat.kind == "channel"
    [sub] = await store.subscriptions.subscriptions(CHANNEL)
    assert sub.owner == ADMIN
    assert await store.subscriptions.subscriptions(ADMIN) == []
    assert "Subscribed #2" in (await talk.reply(ADMIN, f"/sub {CHANNEL} 英伟达")).text

    listing = await talk.reply(ADMIN, "/list @ai_news")
    assert listing.text.startswith("Subscriptions of AI News")
    pause = listing.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert (await talk.press(ADMIN, pause, listing.message_id))["text"] == "Paused #1"
    assert (await store.subscriptions.subscriptions(CHANNEL))[0].paused
    assert "Deleted 1" in (await talk.reply(ADMIN, "/unsub @ai_news 2")).text
    assert "Deleted 1" in (await talk.reply(ADMIN, f"/unsub {CHANNEL} all")).text
    # Nothing was ever posted in the channel itself.
    assert [s for s in tg.sent if s.chat_id == CHANNEL] == []


async def test_forged_and_stale_buttons(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    talk = await start_bot()
    await talk.reply(ALICE, "/sub OpenAI")
    listing = await talk.reply(2002, "/list")  # another user, nothing of theirs
    # A button crafted to delete Alice's subscription from someone else's chat.
    forged = await talk.press(2002, f"s:delete:1:{ALICE}", listing.message_id, user=2002)
    assert forged["text"] == "Only the bot's admins can subscribe other chats."
    assert len(await store.subscriptions.subscriptions(ALICE)) == 1
    odd = await talk.press(ALICE, f"s:explode:1:{ALICE}", listing.message_id)
    assert "text" not in odd
    stale = await talk.press(ALICE, "v1:something-old", listing.message_id)
    assert "text" not in stale
    assert not (await store.subscriptions.subscriptions(ALICE))[0].paused


async def test_added_to_a_group_the_bot_says_hello(start_bot: StartBot, tg: FakeTelegram) -> None:
    talk = await start_bot()
    before = len(tg.sent)
    added = tg.my_chat_member_update(GROUP, "left", "member", user_id=ALICE)
    added["my_chat_member"]["from"]["language_code"] = "zh-hans"
    await talk.event(added)
    [hello] = tg.sent[before:]
    assert hello.chat_id == GROUP
    assert hello.text.startswith("👋 大家好！")
    # Promoted to admin later: no second hello.
    await talk.event(tg.my_chat_member_update(GROUP, "member", "administrator", user_id=ALICE))
    assert len(tg.sent) == before + 1
