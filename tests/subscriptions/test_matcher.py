"""SubscriptionMatcher: every live subscription in one engine, current with the change log."""

from __future__ import annotations

import pytest

from notifier.items import Item
from notifier.pipeline.matching import Match
from notifier.store import Store
from notifier.subscriptions.directory import Directory
from notifier.subscriptions.matcher import SubscriptionMatcher
from notifier.subscriptions.model import Chat

NOW = 1_760_000_000.0
NVIDIA = Item("n1", "英伟达发布新一代 AI 芯片", summary="HBM 带宽提升")
OPENAI = Item("o1", "OpenAI ships GPT-5", summary="Sam Altman on the launch")
AD = Item("a1", "英伟达芯片广告", summary="")


def targets(found: list[Match]) -> dict[str, Match]:
    return {m.target: m for m in found}


async def _matcher(store: Store) -> SubscriptionMatcher:
    matcher = SubscriptionMatcher(Directory(store.subscriptions))
    await matcher.refresh()
    return matcher


async def test_matches_go_to_the_chats(sqlite_store: Store) -> None:
    subs = sqlite_store.subscriptions
    for chat in (1, 2, -100):
        await subs.save_chat(Chat(chat, created_at=NOW))
    a = await subs.add(1, "英伟达 +芯片 !广告", 1, NOW)
    await subs.add(2, 'OpenAI "Sam Altman"', 2, NOW)
    await subs.add(-100, "芯片", 9, NOW)
    matcher = await _matcher(sqlite_store)
    assert len(matcher) == 3
    found = matcher.match_digest([NVIDIA, OPENAI, AD])
    assert set(targets(found[0])) == {"tg:1", "tg:-100"}
    assert targets(found[0])["tg:1"].rule == f"sub:{a.id}"
    # Messages show the chat's number and the words.
    assert targets(found[0])["tg:1"].label == "#1 英伟达 +芯片 !广告"
    assert set(targets(found[1])) == {"tg:2"}
    assert set(targets(found[2])) == {"tg:-100"}  # chat 1 excludes 广告


async def test_one_match_per_chat_best_score_rules_listed(sqlite_store: Store) -> None:
    subs = sqlite_store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    low = await subs.add(1, "HBM", 1, NOW)  # summary hit: 1
    high = await subs.add(1, "英伟达 芯片", 1, NOW)  # two title hits: 6
    matcher = await _matcher(sqlite_store)
    (match,) = matcher.match_digest([NVIDIA])[0]
    assert match.target == "tg:1"
    assert match.rule == f"sub:{high.id}"
    assert match.also == (f"sub:{low.id}",)
    assert match.score > 1


async def test_changes_take_effect_on_refresh(sqlite_store: Store) -> None:
    subs = sqlite_store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    await subs.save_chat(Chat(-5, kind="group", created_at=NOW))
    matcher = await _matcher(sqlite_store)
    assert matcher.match_digest([NVIDIA]) == [[]]

    a = await subs.add(1, "英伟达", 1, NOW)
    await subs.add(-5, "芯片", 1, NOW)
    assert matcher.match_digest([NVIDIA]) == [[]]  # not before the refresh
    await matcher.refresh()
    assert set(targets(matcher.match_digest([NVIDIA])[0])) == {"tg:1", "tg:-5"}

    await subs.set_paused(1, a.id, True)
    await matcher.refresh()
    assert set(targets(matcher.match_digest([NVIDIA])[0])) == {"tg:-5"}
    await subs.set_paused(1, None, False)
    await subs.set_paused(-5, None, True)  # the whole group
    await matcher.refresh()
    assert set(targets(matcher.match_digest([NVIDIA])[0])) == {"tg:1"}
    await subs.set_paused(-5, None, False)

    await subs.migrate(-5, -1005)
    await matcher.refresh()
    assert set(targets(matcher.match_digest([NVIDIA])[0])) == {"tg:1", "tg:-1005"}

    await subs.deactivate(1, "blocked", NOW)
    await matcher.refresh()
    assert set(targets(matcher.match_digest([NVIDIA])[0])) == {"tg:-1005"}

    await subs.remove(-1005)
    await matcher.refresh()
    assert matcher.match_digest([NVIDIA]) == [[]]
    assert len(matcher) == 0


async def test_refresh_without_changes_reads_nothing_else(sqlite_store: Store) -> None:
    subs = sqlite_store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    await subs.add(1, "英伟达", 1, NOW)
    directory = Directory(subs)
    SubscriptionMatcher(directory)
    await directory.refresh()
    assert await directory.refresh() == 0
    await subs.add(1, "芯片", 1, NOW)
    assert await directory.refresh() == 1
    assert len(directory.live) == 2


async def test_an_unreadable_expression_is_skipped(sqlite_store: Store) -> None:
    subs = sqlite_store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    await subs.add(1, '"unclosed', 1, NOW)
    await subs.add(1, "英伟达", 1, NOW)
    matcher = await _matcher(sqlite_store)
    assert len(matcher) == 1
    assert set(targets(matcher.match_digest([NVIDIA])[0])) == {"tg:1"}


async def test_many_changes_reload_everything(sqlite_store: Store) -> None:
    import notifier.subscriptions.directory as module

    subs = sqlite_store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    matcher = await _matcher(sqlite_store)
    for i in range(module.RELOAD_AFTER + 5):
        await subs.add(1, f"word{i}", 1, NOW)
    assert await matcher.directory.refresh() == module.RELOAD_AFTER + 5
    assert len(matcher) == module.RELOAD_AFTER + 5
    assert await matcher.directory.refresh() == 0


async def test_follow_keeps_a_worker_current(sqlite_store: Store) -> None:
    import asyncio

    subs = sqlite_store.subscriptions
    directory = Directory(subs)
    task = asyncio.create_task(directory.follow(interval=0.01))
    try:
        await subs.save_chat(Chat(1, mode="digest", created_at=NOW))
        await subs.add(1, "英伟达", 1, NOW)
        for _ in range(500):
            if directory.live and 1 in directory.chats:
                break
            await asyncio.sleep(0.01)
        assert [s.expr for s in directory.live.values()] == ["英伟达"]
        assert directory.chats[1].mode == "digest"
    finally:
        task.cancel()


async def test_a_stored_unsafe_regex_is_skipped_and_the_rest_match(
    sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # Written by an older bot, by hand or by `db copy`: the engine refuses it at load.
    subs = sqlite_store.subscriptions
    await subs.save_chat(Chat(1, created_at=NOW))
    await subs.save_chat(Chat(2, created_at=NOW))
    await subs.add(1, "/(a+)+b/", 1, NOW)
    await subs.add(2, "英伟达", 1, NOW)
    with caplog.at_level("WARNING", logger="notifier.subscriptions"):
        matcher = await _matcher(sqlite_store)
    assert len(matcher) == 1
    assert set(targets(matcher.match_digest([NVIDIA])[0])) == {"tg:2"}
    assert "subscription 1 of chat 1 skipped" in caplog.text
    assert "nested quantifier" in caplog.text
