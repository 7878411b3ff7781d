"""A /sub regex the engine would refuse is refused by the bot, with the engine's reason,
before anything is saved (issue 12: one such subscription used to stop every ingest)."""

from __future__ import annotations

import pytest

from notifier.store import Store
from tests.bot.conftest import ALICE, StartBot


async def test_unsafe_regex_is_refused_before_saving(start_bot: StartBot, store: Store) -> None:
    talk = await start_bot()
    for expr in ("/(a+)+b/", "/(a|aa)+$/", "OpenAI /(.*a){20}/", r"/^(\w+\s?)*$/"):
        answer = await talk.reply(ALICE, f"/sub {expr}")
        assert answer.text.startswith("I could not read that expression:"), answer.text
        assert "exponential time" in answer.text
        assert "went wrong" not in answer.text
    assert await store.subscriptions.subscriptions(ALICE) == []
    # A safe regex next to them is taken as before.
    assert "Subscribed #" in (await talk.reply(ALICE, r"/sub /gpt-?\d+/")).text


async def test_a_failing_preview_still_confirms_the_saved_subscription(
    start_bot: StartBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The subscription is saved before the preview: if the preview fails (the store
    # answering slowly, a bug), the user must still be told it is saved, not "went wrong".
    async def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("preview broke")

    monkeypatch.setattr("notifier.bot.subscribe.preview", broken)
    talk = await start_bot()
    answer = await talk.reply(ALICE, "/sub OpenAI")
    assert "Subscribed #1" in answer.text
    assert "went wrong" not in answer.text
    assert len(await store.subscriptions.subscriptions(ALICE)) == 1
