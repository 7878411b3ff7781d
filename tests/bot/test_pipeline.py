"""From a /sub in Telegram to a pushed story: the bot writes the subscription, the real
pipeline (Ingestor with the SubscriptionMatcher, Dispatcher with the SubscriberTargets, on
SQLite) matches an ingested digest and pushes the story to the subscriber's chat."""

from __future__ import annotations

from notifier.pipeline.dispatch import Dispatcher
from notifier.pipeline.ingest import Ingestor
from notifier.pipeline.targets import Targets
from notifier.sources.base import Digest
from notifier.store import State, Store
from notifier.subscriptions.directory import Directory
from notifier.subscriptions.matcher import SubscriptionMatcher
from notifier.subscriptions.model import target_name
from notifier.subscriptions.targets import SubscriberTargets
from tests.bot.conftest import ALICE, GROUP, WANG, StartBot
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram

DIGEST = """\
# AI 新闻速递

1. [英伟达发布新一代 AI 芯片，HBM 带宽提升 50%](https://example.com/nvidia-chip?a=1&b=2)

   英伟达在年度大会上发布新一代数据中心 AI 芯片。

2. [英伟达芯片广告：限时优惠 <立即购买>](https://example.com/ad)

   广告。

3. [人形机器人初创公司完成 5 亿元 B 轮融资](https://example.com/humanoid)

   具身智能。
"""


async def test_a_subscription_made_in_chat_gets_the_matching_story(
    start_bot: StartBot, store: Store, tg: FakeTelegram
) -> None:
    tg.set_member(GROUP, WANG, "administrator")
    talk = await start_bot()
    assert (
        "Subscribed #1" in (await talk.reply(ALICE, '/sub 英伟达 "Sam Altman" +芯片 !广告')).text
    )
    assert "已订阅 #1" in (await talk.reply(WANG, "/sub 机器人", lang="zh")).text  # per chat
    assert "已订阅 #1" in (await talk.reply(GROUP, "/sub DeepSeek", user=WANG, lang="zh")).text

    directory = Directory(store.subscriptions)
    await directory.load()
    targets = Targets([SubscriberTargets(directory, token=DEFAULT_TOKEN, api_server=tg.url)])
    dispatcher = Dispatcher(store, targets)
    ingestor = Ingestor(
        store, [SubscriptionMatcher(directory)], targets.policy, known_target=targets.knows
    )
    # A change made in chat after the matcher loaded: picked up before the next digest.
    assert "已暂停 #1" in (await talk.reply(WANG, "/pause 1")).text
    assert "已恢复 #1" in (await talk.reply(WANG, "/resume 1")).text
    await talk.reply(WANG, "/sub 融资")

    talk.clock.now += 60  # the digest comes a minute later
    before = len(tg.sent)
    await ingestor.ingest(Digest(DIGEST.encode(), "daily.md", "test"))
    try:
        await dispatcher.drain()
    finally:
        await targets.aclose()
    pushed = tg.sent[before:]
    by_chat = {s.chat_id: s for s in pushed}
    assert sorted(by_chat) == sorted([ALICE, WANG])
    assert len(pushed) == 2  # one message per chat, even when two subscriptions hit
    alice = by_chat[ALICE]
    assert "英伟达发布新一代 AI 芯片" in alice.text
    assert "限时优惠" not in alice.text
    assert "sub:" not in alice.text  # the entry names the subscription by its words
    assert '#1 英伟达 "Sam Altman" +芯片 !广告' in alice.text  # and its number in the chat
    assert alice.preview_disabled
    links = [e["url"] for e in alice.entities if e["type"] == "text_link"]
    assert "https://example.com/nvidia-chip?a=1&b=2" in links
    assert "人形机器人" in by_chat[WANG].text
    counts = await store.counts()
    assert counts[(target_name(ALICE), State.SENT)] == 1
    assert counts[(target_name(WANG), State.SENT)] == 1
    assert not any(target == target_name(GROUP) for target, _ in counts)
