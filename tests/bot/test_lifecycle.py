"""Telegram tells the bot a chat is gone or moved: blocked users are deactivated (their
queued deliveries dropped), unblocked ones come back, upgraded groups keep their
subscriptions under the new id."""

from __future__ import annotations

import time

from notifier.items import Item
from notifier.store import NewDelivery, NewStory, State, Store
from notifier.subscriptions.model import target_name
from tests.bot.conftest import ALICE, StartBot
from tests.fakes.telegram import FakeTelegram

OLD_GROUP = -4001
NEW_GROUP = -1004001


async def queue_for(store: Store, chat_id: int, title: str = "英伟达芯片") -> None:
    now = time.time()
    item = Item(id=f"s-{chat_id}-{title}", title=title, url="https://example.com/x")
    story = NewStory(item.id, (item.id,), item.title, item.url, "", item.to_json())
    entry = {"title": title, "url": item.url}
    delivery = NewDelivery(item.id, target_name(chat_id), ("sub:1",), 3.0, now, entry)
    await store.commit_digest(f"h-{item.id}", "t.md", [story], [], [delivery], now)


async def queued(store: Store, chat_id: int) -> list[State]:
    found = await store.deliveries(target=target_name(chat_id))
    return [d.state for d in found]


async def test_a_user_who_blocked_the_bot_is_deactivated_on_reply(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    talk = await start_bot()
    await talk.reply(ALICE, "/sub 英伟达")
    await queue_for(store, ALICE)
    assert await queued(store, ALICE) == [State.QUEUED]

    tg.block(ALICE)  # the reply to the next command gets 403 Forbidden
    assert await talk.say(ALICE, "/list") == []
    chat = await store.subscriptions.chat(ALICE)
    assert chat is not None
    assert not chat.active
    assert await queued(store, ALICE) == [State.DROPPED]
    assert await store.subscriptions.subscriptions(ALICE, live_only=True) == []

    # Unblocking: Telegram sends my_chat_member kicked → member; the chat is live again.
    tg.chat(ALICE).state = "ok"
    await talk.event(tg.my_chat_member_update(ALICE, "kicked", "member", user_id=ALICE))
    assert (await store.subscriptions.chat(ALICE)).active  # type: ignore[union-attr]
    assert len(await store.subscriptions.subscriptions(ALICE, live_only=True)) == 1


async def test_my_chat_member_deactivates_and_reactivates(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    talk = await start_bot()
    await talk.reply(ALICE, "/sub OpenAI")
    await queue_for(store, ALICE)

    await talk.event(tg.my_chat_member_update(ALICE, "member", "kicked", user_id=ALICE))
    assert not (await store.subscriptions.chat(ALICE)).active  # type: ignore[union-attr]
    assert await queued(store, ALICE) == [State.DROPPED]

    # Removed from a group the bot never served: nothing to do, nothing breaks.
    await talk.event(tg.my_chat_member_update(-777, "member", "left"))
    assert await store.subscriptions.chat(-777) is None

    await talk.event(tg.my_chat_member_update(ALICE, "kicked", "member", user_id=ALICE))
    assert (await store.subscriptions.chat(ALICE)).active  # type: ignore[union-attr]
    # Writing to the bot after unblocking also revives the chat.
    await talk.event(tg.my_chat_member_update(ALICE, "member", "kicked", user_id=ALICE))
    await talk.reply(ALICE, "/list")
    assert (await store.subscriptions.chat(ALICE)).active  # type: ignore[union-attr]


async def test_group_upgraded_to_supergroup_by_service_message(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    tg.add_chat(OLD_GROUP, "group", title="Old group")
    tg.set_member(OLD_GROUP, ALICE, "creator")
    talk = await start_bot()
    await talk.reply(OLD_GROUP, "/sub OpenAI", user=ALICE)
    await talk.reply(OLD_GROUP, "/mode digest 08:00", user=ALICE)
    await queue_for(store, OLD_GROUP)

    tg.migrate(OLD_GROUP, NEW_GROUP)
    await talk.say(OLD_GROUP, None, user=ALICE, migrate_to_chat_id=NEW_GROUP)
    await talk.say(NEW_GROUP, None, user=ALICE, migrate_from_chat_id=OLD_GROUP)
    assert await store.subscriptions.chat(OLD_GROUP) is None
    chat = await store.subscriptions.chat(NEW_GROUP)
    assert chat is not None
    assert chat.mode == "digest"
    assert [s.expr for s in await store.subscriptions.subscriptions(NEW_GROUP)] == ["OpenAI"]
    assert await queued(store, NEW_GROUP) == [State.QUEUED]

    tg.set_member(NEW_GROUP, ALICE, "creator")
    assert "#1 OpenAI" in (await talk.reply(NEW_GROUP, "/list", user=ALICE)).text


async def test_group_upgraded_found_by_a_400_on_reply(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    tg.add_chat(OLD_GROUP, "group", title="Old group")
    tg.set_member(OLD_GROUP, ALICE, "administrator")
    talk = await start_bot()
    await talk.reply(OLD_GROUP, "/sub 英伟达", user=ALICE)

    tg.migrate(OLD_GROUP, NEW_GROUP)  # the service message was missed; replies get a 400
    assert await talk.say(OLD_GROUP, "/list", user=ALICE) == []
    assert await store.subscriptions.chat(OLD_GROUP) is None
    assert [s.expr for s in await store.subscriptions.subscriptions(NEW_GROUP)] == ["英伟达"]
