"""Feishu/Lark custom-bot webhook channel against the local fake (tests/fakes/feishu.py)."""

from __future__ import annotations

import html
import json
import logging
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
import pytest

from channels import channel_class
from channels.base import Entry, Message, Outcome, Result
from channels.feishu import FeishuAppChannel, FeishuChannel, LarkChannel
from channels.feishu.common import escape_card, neutralize_text
from channels.feishu.webhook import classify_hook, sign
from channels.ratelimit import Window
from notifier.errors import ConfigError
from tests.fakes.feishu import HOOK_LIMIT, FeishuFake, hook_sign
from tests.fakes.server import FakeClock, serve

TOKEN = "3f1c2b9e-0d1a-4c59-9e0b-7b0f6a1f2c3d"
SECRET = "SECk8s9q0w1e2r3tYUIO"

ENTRIES = (
    Entry(
        title="OpenAI 发布 GPT-5：推理能力大幅提升",
        url="https://example.com/a?x=1&y=2",
        summary="新模型在数学与代码基准上领先。",
        source="机器之心",
        score=8.5,
        rule="大模型",
        tags=("OpenAI", "GPT"),
    ),
    Entry(
        title="Nvidia unveils Blackwell Ultra",
        url="https://example.com/b",
        summary="Shipping in Q3.",
        source="The Verge",
        score=6.0,
        rule="chips",
    ),
)
MESSAGE = Message(entries=ENTRIES, title="AI 日报 2025-11-09", text="今日 2 条匹配")

EXPECTED_CARD = {
    "config": {"wide_screen_mode": True},
    "header": {
        "title": {"tag": "plain_text", "content": "AI 日报 2025-11-09"},
        "template": "blue",
    },
    "elements": [
        {"tag": "markdown", "content": "今日 2 条匹配"},
        {"tag": "hr"},
        {
            "tag": "markdown",
            "content": "**[OpenAI 发布 GPT&#45;5：推理能力大幅提升](https://example.com/a?x=1&y=2)**\n"
            "新模型在数学与代码基准上领先。\n"
            "<font color='grey'>机器之心 · 8.5 · 大模型 · &#35;OpenAI &#35;GPT</font>",
        },
        {"tag": "hr"},
        {
            "tag": "markdown",
            "content": "**[Nvidia unveils Blackwell Ultra](https://example.com/b)**\n"
            "Shipping in Q3.\n"
            "<font color='grey'>The Verge · 6.0 · chips</font>",
        },
    ],
}
EXPECTED_POST = {
    "zh_cn": {
        "title": "AI 日报 2025-11-09",
        "content": [
            [{"tag": "text", "text": "今日 2 条匹配"}],
            [{"tag": "text", "text": ""}],
            [
                {
                    "tag": "a",
                    "text": "OpenAI 发布 GPT-5：推理能力大幅提升",
                    "href": "https://example.com/a?x=1&y=2",
                }
            ],
            [{"tag": "text", "text": "新模型在数学与代码基准上领先。"}],
            [{"tag": "text", "text": "机器之心 · 8.5 · 大模型 · #OpenAI #GPT"}],
            [{"tag": "text", "text": ""}],
            [
                {
                    "tag": "a",
                    "text": "Nvidia unveils Blackwell Ultra",
                    "href": "https://example.com/b",
                }
            ],
            [{"tag": "text", "text": "Shipping in Q3."}],
            [{"tag": "text", "text": "The Verge · 6.0 · chips"}],
        ],
    }
}
EXPECTED_TEXT = {
    "text": "AI 日报 2025-11-09\n\n今日 2 条匹配\n\n"
    "OpenAI 发布 GPT-5：推理能力大幅提升\n新模型在数学与代码基准上领先。\n"
    "机器之心 · 8.5 · 大模型 · #OpenAI #GPT\nhttps://example.com/a?x=1&y=2\n\n"
    "Nvidia unveils Blackwell Ultra\nShipping in Q3.\nThe Verge · 6.0 · chips\n"
    "https://example.com/b"
}

HOSTILE = [
    '<at user_id="all">所有人</at> 紧急',
    "AT&T < Verizon > Sprint & <b>bold</b>",
    "**not bold** __nor this__ *x* _y_",
    "[click](https://evil.example) ![img](img_v2_x)",
    "`rm -rf /` ```code``` \\ backslash",
    "emoji 🚀🔥 and ZWJ 👩‍💻",
    "RTL: مرحبا بالعالم \u202eevil\u202c",
    "<font color='red'>red</font> :OK: ~~strike~~ # heading",
    "1. looks like a list",
    "&#42; pre-escaped &amp; entity",
    "line\nbreak\r\n# heading after a newline",
    "$x$ | table | {braces} + plus - minus!",
]


# -- fixtures


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FeishuFake]:
    fake = FeishuFake(clock)
    fake.add_bot(TOKEN)
    async with serve(fake.app()) as base:
        fake.base = base
        yield fake
        fake.release()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def hook_url(fake: FeishuFake, token: str = TOKEN) -> str:
    return f"{fake.base}/open-apis/bot/v2/hook/{token}"


def make(
    fake: FeishuFake, http: httpx.AsyncClient, cls: type[FeishuChannel] = FeishuChannel, **kw: Any
) -> FeishuChannel:
    settings = {"webhook": hook_url(fake)} | kw
    clock = fake.clock
    return cls("team", settings, clock=clock, sleep=clock.sleep, client=http, wall=clock.wall)


def bodies(fake: FeishuFake) -> list[bytes]:
    return [r.body for r in fake.requests if "/bot/v2/hook/" in r.path]


# -- rendering and a normal send


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("interactive", {"msg_type": "interactive", "card": EXPECTED_CARD}),
        ("post", {"msg_type": "post", "content": {"post": EXPECTED_POST}}),
        ("text", {"msg_type": "text", "content": EXPECTED_TEXT}),
    ],
)
async def test_send_exact_payload(fake: FeishuFake, http: httpx.AsyncClient, fmt: str, expected):
    """Each format renders exactly as specified (CJK kept as UTF-8) and the fake accepts it."""
    result = await make(fake, http, format=fmt).send(MESSAGE)
    assert result.outcome is Outcome.SENT, result
    assert (result.code, result.sent_parts, result.sent_entries, result.attempts) == ("0", 1, 2, 1)
    assert fake.hook_messages == [(TOKEN, expected)]
    raw = bodies(fake)[0]
    assert "机器之心".encode() in raw  # not \u-escaped: the limit counts these bytes
    assert fake.requests[0].headers["Content-Type"].startswith("application/json")


async def test_signed_send_verified(fake: FeishuFake, http: httpx.AsyncClient):
    """With a secret, timestamp and sign go in the body and the fake verifies them."""
    fake.add_bot("signed", secret=SECRET)
    result = await make(fake, http, webhook=hook_url(fake, "signed"), secret=SECRET).send(MESSAGE)
    assert result.outcome is Outcome.SENT
    body = fake.hook_messages[0][1]
    assert body["timestamp"] == str(int(fake.clock.wall()))
    assert body["sign"] == hook_sign(body["timestamp"], SECRET)


def test_sign_matches_the_documented_vector():
    """HMAC keyed by ts\\nsecret over an empty message (not the DingTalk scheme)."""
    assert sign("100", "demo") == "jquNHnVOwmDRfw+vqTIrY5dooJAgi5EcRtLsQE4wfXg="
    assert hook_sign("100", "demo") == sign("100", "demo")


async def test_bare_token_and_hosts(fake: FeishuFake, http: httpx.AsyncClient):
    """A bare token is joined to the host: Feishu by default, Lark for ``lark``."""
    feishu = FeishuChannel("f", {"webhook": TOKEN})
    lark = LarkChannel("l", {"webhook": TOKEN})
    assert feishu._url == f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}"
    assert lark._url == f"https://open.larksuite.com/open-apis/bot/v2/hook/{TOKEN}"
    result = await make(fake, http, webhook=TOKEN, host=fake.base).send(MESSAGE)
    assert result.outcome is Outcome.SENT


async def test_own_client_is_closed(fake: FeishuFake):
    """Without an injected client the channel makes one and closes it in aclose()."""
    channel = FeishuChannel("t", {"webhook": hook_url(fake)}, clock=fake.clock)
    assert (await channel.send(MESSAGE)).outcome is Outcome.SENT
    client = channel._client
    await channel.aclose()
    assert client is not None
    assert client.is_closed


def test_empty_message_renders_nothing():
    assert FeishuChannel("t", {"webhook": TOKEN}).render(Message()) == []


# -- splitting


def long_message(n: int = 120) -> Message:
    summary = "英伟达发布新一代数据中心芯片，推理性能提升显著，" * 12  # CJK: 3 bytes each
    entries = tuple(
        Entry(
            title=f"E{i:03d} 大模型行业动态：OpenAI、Anthropic 与 Google 的最新进展 <{i}>",
            url=f"https://news.example.com/article/{i}?utm_source=digest&ref=feishu",
            summary=summary,
            source="量子位",
            score=7.25,
            rule="AI",
            tags=("LLM", "芯片"),
        )
        for i in range(n)
    )
    return Message(entries=entries, title="AI 日报", text="长批次测试")


@pytest.mark.parametrize("fmt", ["interactive", "post", "text"])
@pytest.mark.parametrize("secret", [None, SECRET])
async def test_long_batch_splits_on_entry_boundaries(
    fake: FeishuFake, http: httpx.AsyncClient, fmt: str, secret: str | None
):
    """120 long entries: several bodies, each ≤ 20 KB (signed too), all entries in order."""
    fake.add_bot("b", secret=secret)
    channel = make(fake, http, webhook=hook_url(fake, "b"), format=fmt, secret=secret)
    message = long_message()
    result = await channel.send(message)
    assert result.outcome is Outcome.SENT, result
    assert result.sent_entries == 120
    assert result.sent_parts == len(fake.hook_messages) > 1
    assert all(len(b) <= HOOK_LIMIT for b in bodies(fake))
    seen = [m for _, body in fake.hook_messages for m in re.findall(r"E\d{3}", json.dumps(body))]
    assert seen == [f"E{i:03d}" for i in range(120)]  # every entry once, never split
    first = json.dumps(fake.hook_messages[0][1], ensure_ascii=False)
    assert f"AI 日报 (1/{result.sent_parts})" in first
    assert "长批次测试" in first


async def test_huge_entry_is_shortened_not_dropped(fake: FeishuFake, http: httpx.AsyncClient):
    """An entry over the limit by itself is cut down until it fits, and still goes out."""
    entry = Entry(title="<巨>" * 3000, url="https://example.com/x", summary="长" * 50_000)
    result = await make(fake, http).send(Message(entries=(entry,)))
    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 1
    assert len(bodies(fake)[0]) <= HOOK_LIMIT
    assert "巨" in json.dumps(fake.hook_messages[0][1], ensure_ascii=False)


async def test_failure_mid_batch_counts_what_went_out(fake: FeishuFake, http: httpx.AsyncClient):
    """Part 1 delivered, part 2 refused: the result says how many entries were sent."""
    channel = make(fake, http)
    parts = channel.render(long_message(40))
    fake.fail_next(1, "pass")
    fake.fail_next(1, 19021)
    result = await channel.send(long_message(40))
    assert (result.outcome, result.code, result.sent_parts) == (Outcome.FAILED, "19021", 1)
    assert result.sent_entries == parts[0].entries


# -- escaping


def card_titles(body: dict[str, Any]) -> list[str]:
    out = []
    for el in body["card"]["elements"]:
        if el["tag"] == "markdown" and el["content"].startswith("**"):
            match = re.match(r"\*\*\[(.*)\]\((.*)\)\*\*$", el["content"].split("\n")[0])
            assert match, el["content"]
            out.append(match.group(1))
    return out


async def test_hostile_titles_in_card(fake: FeishuFake, http: httpx.AsyncClient):
    """Card markdown: every markup character becomes an entity; the title reads as written."""
    entries = tuple(Entry(title=t, url="https://e.example/x(1)", summary=t) for t in HOSTILE)
    result = await make(fake, http).send(Message(entries=entries, title="<b>标题</b>"))
    assert result.outcome is Outcome.SENT
    body = fake.hook_messages[0][1]
    for title, shown in zip(HOSTILE, card_titles(body), strict=True):
        bare = re.sub(r"&#\d+;", "", shown)
        assert not set(bare) & set("<>*_[]()`~#:!&\\|$\"'+-/"), shown
        assert html.unescape(shown) == " ".join(title.split())
    contents = " ".join(el.get("content", "") for el in body["card"]["elements"])
    assert "<at" not in contents
    assert "<font color='red'>" not in contents
    assert "(https://e.example/x%281%29)" in contents  # a URL cannot close the link early
    assert body["card"]["header"]["title"]["content"] == "<b>标题</b>"  # plain_text header


async def test_hostile_titles_in_post(fake: FeishuFake, http: httpx.AsyncClient):
    """Post text nodes are shown verbatim: titles go through unchanged, one per node."""
    entries = tuple(Entry(title=t, url="https://e.example/") for t in HOSTILE)
    result = await make(fake, http, format="post").send(Message(entries=entries))
    assert result.outcome is Outcome.SENT
    paragraphs = fake.hook_messages[0][1]["content"]["post"]["zh_cn"]["content"]
    links = [p[0]["text"] for p in paragraphs if p[0]["tag"] == "a"]
    assert links == [" ".join(t.split()) for t in HOSTILE]


async def test_hostile_titles_in_text(fake: FeishuFake, http: httpx.AsyncClient):
    """Text messages: no <at>, **bold** or [link] survives; the text still reads the same."""
    entries = tuple(Entry(title=t) for t in HOSTILE)
    result = await make(fake, http, format="text").send(Message(entries=entries))
    assert result.outcome is Outcome.SENT
    text = fake.hook_messages[0][1]["content"]["text"]
    assert "<at" not in text
    assert "<b>" not in text
    assert "**" not in text
    assert re.search(r"\[(?!\u200b)", text) is None
    for title in HOSTILE:
        assert " ".join(title.split()) in text.replace("\u200b", "")


def test_escape_helpers():
    assert escape_card("a*b_c [x](y) <at id=all>") == (
        "a&#42;b&#95;c &#91;x&#93;&#40;y&#41; &#60;at id=all&#62;"
    )
    assert escape_card("2. second", line_start=True) == "2&#46; second"
    assert escape_card("2.5") == "2.5"
    assert escape_card("多行\n文本") == "多行 文本"
    assert neutralize_text('<at user_id="all">') == '<\u200bat user_id="all">'


# -- rate limits


async def test_burst_never_exceeds_the_windows(fake: FeishuFake, http: httpx.AsyncClient):
    """130 messages queued at once: the fake sees at most 5 per second and 100 per minute.

    Sent one after another: with a fake clock, concurrent sends would let the clock run
    ahead of requests still in flight, which no real clock does.
    """
    channel = make(fake, http)
    results = [await channel.send(Message(entries=(Entry(f"burst {i}"),))) for i in range(130)]
    assert all(r.outcome is Outcome.SENT for r in results)
    assert fake.throttled == 0
    assert len(fake.hook_messages) == 130
    assert fake.hook_rate.peak == {1.0: 5, 60.0: 100}


class Unlimited(FeishuChannel):
    windows: ClassVar[tuple[Window, ...]] = ()
    attempts: ClassVar[int] = 1


async def test_fake_throttles_a_channel_without_windows(fake: FeishuFake, http: httpx.AsyncClient):
    """Control: without client-side windows the fake answers 11232, read as RETRY."""
    channel = make(fake, http, cls=Unlimited)
    results = [await channel.send(MESSAGE) for _ in range(8)]
    assert [r.outcome for r in results].count(Outcome.SENT) == 5
    assert {(r.outcome, r.code) for r in results[5:]} == {(Outcome.RETRY, "11232")}
    assert "frequency limited" in results[-1].detail


# -- retries and classification


async def test_retry_after_5xx(fake: FeishuFake, http: httpx.AsyncClient, clock: FakeClock):
    fake.fail_next(1, "5xx")
    result = await make(fake, http).send(MESSAGE)
    assert (result.outcome, result.attempts, len(fake.hook_messages)) == (Outcome.SENT, 2, 1)
    assert clock.slept == [1.0]  # backoff on the fake clock, nothing slept for real


async def test_retry_after_timeout(fake: FeishuFake, http: httpx.AsyncClient):
    fake.fail_next(1, "timeout")
    result = await make(fake, http, timeout=0.2).send(MESSAGE)
    assert (result.outcome, result.attempts, len(fake.hook_messages)) == (Outcome.SENT, 2, 1)


async def test_persistent_5xx_is_handed_back(fake: FeishuFake, http: httpx.AsyncClient):
    fake.fail_next(3, "5xx")
    result = await make(fake, http).send(MESSAGE)
    assert (result.outcome, result.code, result.attempts) == (Outcome.RETRY, "http_502", 3)
    assert result.sent_entries == 0


async def test_connection_refused_is_transient(http: httpx.AsyncClient):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = FeishuChannel("t", {"webhook": f"http://127.0.0.1:{port}/open-apis/bot/v2/hook/{TOKEN}"},
                            client=http)  # fmt: skip
    result = await channel.deliver(channel.render(MESSAGE)[0].payload)
    assert (result.outcome, result.code) == (Outcome.RETRY, "network")
    assert TOKEN not in result.detail


async def test_too_many_request_9499_is_transient(fake: FeishuFake, http: httpx.AsyncClient):
    """9499 "too many request" came with HTTP 400 in the wild: still a rate limit."""
    fake.fail_next(1, (9499, "too many request", 400))
    channel = make(fake, http)
    result = await channel.deliver(channel.render(MESSAGE)[0].payload)
    assert (result.outcome, result.code) == (Outcome.RETRY, "9499")


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("unknown_token", "19001"),
        ("wrong_secret", "19021"),
        ("stale_clock", "19021"),
        ("missing_keyword", "19024"),
        ("too_large", "9499"),
        ("bad_msg_type", "19002"),
        ("bad_card", "9499"),
    ],
)
async def test_permanent_errors(fake: FeishuFake, http: httpx.AsyncClient, setup: str, code: str):
    """Each refusal the fake derives from the request is FAILED with Feishu's own code."""
    fake.add_bot("signed", secret=SECRET)
    fake.add_bot("kw", keywords=("告警",))
    payload: dict[str, Any] | None = None
    kw: dict[str, Any] = {}
    if setup == "unknown_token":
        kw = {"webhook": hook_url(fake, "nope")}
    elif setup == "wrong_secret":
        kw = {"webhook": hook_url(fake, "signed"), "secret": "SECwrong"}
    elif setup == "stale_clock":
        kw = {"webhook": hook_url(fake, "signed"), "secret": SECRET}
    elif setup == "missing_keyword":
        kw = {"webhook": hook_url(fake, "kw")}
    elif setup == "too_large":
        payload = {"msg_type": "text", "content": {"text": "x" * 21_000}}
    elif setup == "bad_msg_type":
        payload = {"msg_type": "markdown", "content": {"text": "x"}}
    else:
        payload = {"msg_type": "interactive", "card": {"elements": [{"tag": "script"}]}}
    channel = make(fake, http, **kw)
    if setup == "stale_clock":
        channel._wall = lambda: fake.clock.wall() - 7200
    result = await (channel.deliver(payload) if payload else channel.send(MESSAGE))
    assert (result.outcome, result.code) == (Outcome.FAILED, code), result
    assert result.attempts <= 1
    assert fake.hook_messages == []


def test_classify_answers():
    """Legacy StatusCode-only success, business codes in HTTP 200, odd bodies."""
    assert classify_hook(200, b'{"Extra":null,"StatusCode":0,"StatusMessage":"success"}')[0] is (
        Outcome.SENT
    )
    assert classify_hook(200, b'{"code":11232,"msg":"frequency limited"}')[:2] == (
        Outcome.RETRY,
        "11232",
    )
    assert classify_hook(400, b'{"code":9499,"msg":"Bad Request"}')[:2] == (Outcome.FAILED, "9499")
    assert classify_hook(502, b"<html>")[:2] == (Outcome.RETRY, "http_502")
    assert classify_hook(404, b"not found")[:2] == (Outcome.FAILED, "http_404")
    assert classify_hook(200, b"{}")[:2] == (Outcome.FAILED, "http_200")
    hint = classify_hook(200, b'{"code":19024,"msg":"Key Words Not Found"}')[2]
    assert hint.startswith("Key Words Not Found (")
    assert "keyword" in hint


# -- secrets, settings, registry


async def test_secrets_never_leak(fake: FeishuFake, http: httpx.AsyncClient):
    """Token and secret stay out of describe(), repr, results and config errors."""
    fake.add_bot("tok-leak", secret=SECRET)
    channel = make(fake, http, webhook=hook_url(fake, "tok-leak"), secret=SECRET + "x")
    results: list[Result] = [await channel.send(MESSAGE)]  # 19021
    fake.fail_next(3, "5xx")
    results.append(await make(fake, http, webhook=hook_url(fake, "tok-leak")).send(MESSAGE))
    texts = [channel.describe(), repr(channel), *(json.dumps(r.to_json()) for r in results)]
    for bad in ({"webhook": f"ftp://h/open-apis/bot/v2/hook/{TOKEN}"}, {"webhook": f"{TOKEN}/x"}):
        with pytest.raises(ConfigError) as err:
            FeishuChannel("t", bad | {"secret": SECRET})
        texts.append(str(err.value))
    assert channel.describe() == "team (feishu: webhook=***, secret=***)"
    for text in texts:
        assert "tok-leak" not in text
        assert SECRET not in text
        assert TOKEN not in text


async def test_httpx_log_lines_hide_the_token(
    fake: FeishuFake, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    """httpx logs each request URL at INFO; the webhook token is masked there."""
    with caplog.at_level(logging.INFO, logger="httpx"):
        assert (await make(fake, http).send(MESSAGE)).outcome is Outcome.SENT
    assert "/open-apis/bot/v2/hook/***" in caplog.text
    assert TOKEN not in caplog.text


def test_check_settings():
    assert FeishuChannel.check({"webhook": TOKEN}) == []
    assert (
        FeishuChannel.check({"webhook": f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}"})
        == []
    )
    assert "missing setting 'webhook'" in FeishuChannel.check({})[0]
    assert (
        "https"
        in FeishuChannel.check({"webhook": "http://example.com/open-apis/bot/v2/hook/x"})[0]
    )
    assert (
        "/open-apis/bot/v2/hook/"
        in FeishuChannel.check({"webhook": "https://open.feishu.cn/x"})[0]
    )
    assert "one of" in FeishuChannel.check({"webhook": TOKEN, "format": "markdown"})[0]
    assert LarkChannel.check({"webhook": TOKEN}) == []


def test_registry_and_lazy_imports():
    """Types resolve by name, and importing the adapters pulls in no heavy SDK."""
    assert channel_class("feishu") is FeishuChannel
    assert channel_class("lark") is LarkChannel
    assert channel_class("feishu_app") is FeishuAppChannel
    code = (
        "import sys; from channels import channel_class; "
        "[channel_class(t) for t in ('feishu', 'lark', 'feishu_app')]; "
        "assert not {'lark_oapi', 'aiogram', 'apprise', 'requests'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
