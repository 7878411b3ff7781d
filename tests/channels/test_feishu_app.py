"""Feishu/Lark app bot channel (lark-oapi, im/v1) against the local fake open API."""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from channels.base import Entry, Message, Outcome, Result
from channels.feishu import FeishuAppChannel
from channels.feishu.app import classify, retry_after
from channels.ratelimit import Window
from notifier.errors import ConfigError
from tests.channels.test_feishu import (
    EXPECTED_CARD,
    EXPECTED_POST,
    EXPECTED_TEXT,
    HOSTILE,
    MESSAGE,
    long_message,
)
from tests.fakes.feishu import APP_LIMITS, FeishuFake
from tests.fakes.server import FakeClock, serve

APP_SECRET = "app-secret-Zx81kq0Pw7"
CHAT = "oc_5ad11d72b830411d72b836c20"


@pytest.fixture
def app_id() -> str:
    # lark-oapi caches tenant tokens process-wide by app_id: one app per test.
    return f"cli_{uuid.uuid4().hex[:16]}"


@pytest.fixture
async def fake(app_id: str) -> AsyncIterator[FeishuFake]:
    fake = FeishuFake(FakeClock())
    fake.add_app(app_id, APP_SECRET, chats=(CHAT,))
    async with serve(fake.app()) as base:
        fake.base = base
        yield fake
        fake.release()


def make(
    fake: FeishuFake, app_id: str, cls: type[FeishuAppChannel] = FeishuAppChannel, **kw: Any
) -> FeishuAppChannel:
    settings = {
        "app_id": app_id,
        "app_secret": APP_SECRET,
        "receive_id": CHAT,
        "domain": fake.base,
        "timeout": 3.0,
    } | kw
    return cls("team-app", settings, clock=fake.clock, sleep=fake.clock.sleep)


def message_requests(fake: FeishuFake) -> list[Any]:
    return [r for r in fake.requests if r.path == "/open-apis/im/v1/messages"]


# -- a normal send


@pytest.mark.parametrize(
    ("fmt", "content"),
    [("interactive", EXPECTED_CARD), ("post", EXPECTED_POST), ("text", EXPECTED_TEXT)],
)
async def test_send_exact_content(fake: FeishuFake, app_id: str, fmt: str, content: Any):
    """Same shapes as the webhook, sent as a JSON string in ``content`` (post: no wrapper)."""
    result = await make(fake, app_id, format=fmt).send(MESSAGE)
    assert result.outcome is Outcome.SENT, result
    assert (result.code, result.sent_entries, result.attempts) == ("0", 2, 1)
    assert result.detail.startswith("om_")  # the message id
    assert fake.app_messages == [{"receive_id": CHAT, "msg_type": fmt, "content": content}]
    req = message_requests(fake)[0]
    assert req.query == {"receive_id_type": "chat_id"}
    assert req.headers["Authorization"].startswith("Bearer t-")
    assert req.headers["Content-Type"].startswith("application/json")
    body = json.loads(req.body)
    assert set(body) == {"receive_id", "msg_type", "content", "uuid"}
    assert re.fullmatch(r"[0-9a-f]{32}", body["uuid"])


async def test_token_is_fetched_once_and_kept(fake: FeishuFake, app_id: str):
    channel = make(fake, app_id)
    for i in range(3):
        assert (await channel.send(Message(entries=(Entry(f"n{i}"),)))).outcome is Outcome.SENT
    assert fake.token_fetches == 1
    assert len(fake.app_messages) == 3
    token_req = next(r for r in fake.requests if "tenant_access_token" in r.path)
    assert json.loads(token_req.body) == {"app_id": app_id, "app_secret": APP_SECRET}


async def test_expired_token_is_refreshed(fake: FeishuFake, app_id: str):
    """99991663 after the token was revoked: fetch a new one and send, in one delivery."""
    channel = make(fake, app_id)
    assert (await channel.send(MESSAGE)).outcome is Outcome.SENT
    fake.revoke_tokens()
    result = await channel.send(MESSAGE)
    assert (result.outcome, result.attempts) == (Outcome.SENT, 1)
    assert fake.token_fetches == 2


async def test_receive_id_type_and_user(fake: FeishuFake, app_id: str):
    fake.chats.add("ou_user1")
    channel = make(fake, app_id, receive_id="ou_user1", receive_id_type="open_id")
    assert (await channel.send(MESSAGE)).outcome is Outcome.SENT
    assert message_requests(fake)[0].query == {"receive_id_type": "open_id"}


# -- splitting and escaping


@pytest.mark.parametrize("fmt", ["interactive", "post"])
async def test_long_batch_splits_under_30kb(fake: FeishuFake, app_id: str, fmt: str):
    result = await make(fake, app_id, format=fmt).send(long_message(150))
    assert result.outcome is Outcome.SENT, result
    assert result.sent_entries == 150
    assert result.sent_parts == len(fake.app_messages) > 1
    assert all(len(r.body) <= APP_LIMITS[fmt] for r in message_requests(fake))
    seen = [m for msg in fake.app_messages for m in re.findall(r"E\d{3}", json.dumps(msg))]
    assert seen == [f"E{i:03d}" for i in range(150)]


async def test_text_format_uses_the_150kb_limit(fake: FeishuFake, app_id: str):
    result = await make(fake, app_id, format="text").send(long_message(150))
    assert result.outcome is Outcome.SENT
    assert result.sent_parts == 1
    assert 30_000 < len(message_requests(fake)[0].body) <= APP_LIMITS["text"]


async def test_hostile_titles_in_card(fake: FeishuFake, app_id: str):
    entries = tuple(Entry(title=t, url="https://e.example/") for t in HOSTILE)
    result = await make(fake, app_id).send(Message(entries=entries))
    assert result.outcome is Outcome.SENT
    card = fake.app_messages[0]["content"]
    heads = [
        el["content"].split("](")[0].removeprefix("**[")
        for el in card["elements"]
        if el["tag"] == "markdown"
    ]
    assert [html.unescape(h) for h in heads] == [" ".join(t.split()) for t in HOSTILE]
    assert not any("<at" in el.get("content", "") for el in card["elements"])


# -- rate limits


async def test_burst_stays_under_5_per_second_per_chat(fake: FeishuFake, app_id: str):
    channel = make(fake, app_id)
    results = [await channel.send(Message(entries=(Entry(f"b{i}"),))) for i in range(30)]
    assert all(r.outcome is Outcome.SENT for r in results)
    assert fake.throttled == 0
    assert fake.chat_rate.peak == {1.0: 5}


class Unlimited(FeishuAppChannel):
    windows: ClassVar[tuple[Window, ...]] = ()
    attempts: ClassVar[int] = 1


async def test_fake_throttles_a_channel_without_windows(fake: FeishuFake, app_id: str):
    """Control: without client windows the fake answers 230020, read as RETRY."""
    channel = make(fake, app_id, cls=Unlimited)
    results = [await channel.send(Message(entries=(Entry(f"b{i}"),))) for i in range(7)]
    assert [r.outcome for r in results].count(Outcome.SENT) == 5
    assert {(r.outcome, r.code) for r in results[5:]} == {(Outcome.RETRY, "230020")}


async def test_gateway_limit_honours_reset_header(fake: FeishuFake, app_id: str):
    """HTTP 429 99991400 with x-ogw-ratelimit-reset: 3 -> wait 3 s (fake clock), then send."""
    fake.fail_next(1, 99991400)
    result = await make(fake, app_id).send(MESSAGE)
    assert (result.outcome, result.attempts) == (Outcome.SENT, 2)
    assert fake.clock.slept == [3.0]


# -- retries and classification


async def test_retry_after_5xx(fake: FeishuFake, app_id: str):
    fake.fail_next(1, "5xx")
    result = await make(fake, app_id).send(MESSAGE)
    assert (result.outcome, result.attempts, len(fake.app_messages)) == (Outcome.SENT, 2, 1)


async def test_timeout_after_accept_is_not_sent_twice(fake: FeishuFake, app_id: str):
    """The first try lands but its answer times out; the retry's uuid is deduplicated."""
    fake.fail_next(1, "accept_then_hang")
    result = await make(fake, app_id, timeout=0.3).send(MESSAGE)
    assert (result.outcome, result.attempts) == (Outcome.SENT, 2)
    assert len(fake.app_messages) == 1
    uuids = {json.loads(r.body)["uuid"] for r in message_requests(fake)}
    assert len(uuids) == 1


async def test_persistent_timeout_is_handed_back(fake: FeishuFake, app_id: str):
    fake.fail_next(3, "timeout")
    result = await make(fake, app_id, timeout=0.2).send(MESSAGE)
    assert (result.outcome, result.code, result.attempts) == (Outcome.RETRY, "timeout", 3)


async def test_bot_not_in_chat_is_gone(fake: FeishuFake, app_id: str):
    result = await make(fake, app_id, receive_id="oc_elsewhere").send(MESSAGE)
    assert (result.outcome, result.code, result.attempts) == (Outcome.GONE, "230002", 1)
    assert "out of the chat" in result.detail


async def test_user_blocked_bot_is_gone(fake: FeishuFake, app_id: str):
    fake.fail_next(1, 230053)
    result = await make(fake, app_id).send(MESSAGE)
    assert (result.outcome, result.code) == (Outcome.GONE, "230053")


@pytest.mark.parametrize(
    ("settings", "code"),
    [({"app_secret": "wrong-secret"}, "10014"), ({"app_id": "cli_unknown0000"}, "10003")],
)
async def test_bad_credentials_fail(fake: FeishuFake, app_id: str, settings: dict, code: str):
    settings = {"app_id": app_id} | settings
    result = await make(fake, **settings).send(MESSAGE)
    assert (result.outcome, result.code, result.attempts) == (Outcome.FAILED, code, 1)
    assert "wrong-secret" not in result.detail


async def test_too_large_and_bad_params_fail(fake: FeishuFake, app_id: str):
    channel = make(fake, app_id)
    big = {"receive_id": CHAT, "msg_type": "post", "content": json.dumps({"x": "y" * 31_000})}
    result = await channel.deliver(big | {"uuid": "u1"})
    assert (result.outcome, result.code) == (Outcome.FAILED, "230025")
    result = await channel.deliver({**big, "content": "{}", "uuid": "u2"})
    assert (result.outcome, result.code) == (Outcome.FAILED, "230001")


def test_classify_answers():
    assert classify(200, {}, {"code": 0, "data": {"message_id": "om_1"}}) == (
        Outcome.SENT,
        "0",
        "om_1",
    )
    assert classify(429, {}, {"code": 99991400, "msg": "limit"})[:2] == (Outcome.RETRY, "99991400")
    assert classify(400, {}, {"code": 230020})[:2] == (Outcome.RETRY, "230020")
    assert classify(400, {}, {"code": 230002})[:2] == (Outcome.GONE, "230002")
    assert classify(400, {}, {"code": 230001})[:2] == (Outcome.FAILED, "230001")
    assert classify(503, {}, None)[:2] == (Outcome.RETRY, "http_503")
    assert classify(500, {}, {"code": 1234})[:2] == (Outcome.RETRY, "1234")
    assert classify(404, {}, None)[:2] == (Outcome.FAILED, "http_404")
    assert retry_after({"X-Ogw-Ratelimit-Reset": "7"}) == 7.0
    assert retry_after({}) is None


# -- secrets and settings


async def test_secrets_never_leak(fake: FeishuFake, app_id: str):
    channel = make(fake, app_id)
    results: list[Result] = [await channel.send(MESSAGE)]
    fake.fail_next(3, "5xx")
    results.append(await channel.send(MESSAGE))
    results.append(await make(fake, app_id, app_secret="nope-" + APP_SECRET).send(MESSAGE))
    auth = message_requests(fake)[0].headers["Authorization"].removeprefix("Bearer ")
    texts = [channel.describe(), repr(channel), *(json.dumps(r.to_json()) for r in results)]
    with pytest.raises(ConfigError) as err:
        FeishuAppChannel("x", {"app_id": "a", "app_secret": APP_SECRET, "receive_id": "c",
                               "domain": "http://example.com"})  # fmt: skip
    texts.append(str(err.value))
    for text in texts:
        assert APP_SECRET not in text
        assert auth not in text
    assert "app_secret=***" in channel.describe()


def test_check_settings():
    base = {"app_id": "cli_a", "app_secret": "s", "receive_id": "oc_x"}
    assert FeishuAppChannel.check(base) == []
    assert FeishuAppChannel.check(base | {"domain": "https://open.larksuite.com"}) == []
    assert "https" in FeishuAppChannel.check(base | {"domain": "http://example.com"})[0]
    assert "missing setting 'app_secret'" in FeishuAppChannel.check({"app_id": "a"})[0]
    assert "one of" in FeishuAppChannel.check(base | {"receive_id_type": "name"})[0]
