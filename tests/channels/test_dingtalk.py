"""The DingTalk adapter against a fake robot that signs, counts, measures and bans as DingTalk."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import types
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from markdown_it import MarkdownIt

from channels import channel_class
from channels.base import Entry, Message, Outcome, Result
from channels.dingtalk import DingTalkChannel
from channels.ratelimit import RateLimiter
from notifier.errors import ConfigError
from tests.fakes.dingtalk import TOO_LONG, FakeDingTalk
from tests.fakes.server import FakeClock, serve

TOKEN = "c0ffee7e57d1n9ta1k70ken"
SECRET = "SEC5ec2e7f00dba11e7b0a7"

CN = Entry(
    "OpenAI 发布 GPT-5.1：更快的推理",
    url="https://openai.com/index/gpt-5-1/",
    summary="新模型在编码与数学上提升明显。",
    source="36氪",
    rule="llm",
    score=8.5,
    tags=("模型",),
)
EN = Entry(
    "Anthropic ships Claude tools for Excel",
    url="https://www.anthropic.com/news/excel",
    summary="Agents can now edit spreadsheets.",
    source="Hacker News",
    rule="agents",
    score=6.0,
)
HOSTILE = [
    '<b>bold</b> & <font color="warning">red</font> <@all>',
    "**not bold** *nor italic* _nor this_ __init__ snake_case",
    "[fake link](https://evil.example) ]( [ ] ![img](x)",
    "`rm -rf /` ```fenced``` \\[math\\]",
    "# not a heading",
    "> not a quote",
    "1. not a list",
    "- not a bullet",
    "&lt;escaped&gt; &amp; AT&T",
    "🚀 emoji 👩‍💻 and 中文 混排",
    "مرحبا بالعالم — RTL עברית",
    "line\nbreak\r\nand\ttabs\u0000nul",
]


@pytest.fixture
async def env() -> AsyncIterator[types.SimpleNamespace]:
    """A fake robot (signed) on loopback and a factory of channels pointed at it."""
    clock = FakeClock()
    fake = FakeDingTalk(clock=clock, wall=clock.wall)
    robot = fake.add_robot(TOKEN, secret=SECRET)
    made: list[DingTalkChannel] = []
    async with serve(fake.app) as base:

        def make(**settings: Any) -> DingTalkChannel:
            values = {"webhook": f"{base}/robot/send?access_token={TOKEN}", "secret": SECRET}
            values.update(settings)
            channel = DingTalkChannel(
                "team", values, clock=clock, sleep=clock.sleep, wall=clock.wall
            )
            made.append(channel)
            return channel

        try:
            yield types.SimpleNamespace(fake=fake, robot=robot, clock=clock, make=make, base=base)
        finally:
            fake.release()
            for channel in made:
                await channel.aclose()


def structure(text: str) -> dict[str, Any]:
    """What a CommonMark renderer makes of ``text``: links, headings, emphasis, raw HTML."""
    tokens = MarkdownIt("commonmark").parse(text)
    inline = [t for tok in tokens if tok.children for t in tok.children]
    return {
        "links": [t.attrGet("href") for t in inline if t.type == "link_open"],
        "headings": sum(t.type == "heading_open" for t in tokens),
        "strong": sum(t.type == "strong_open" for t in inline),
        "em": sum(t.type == "em_open" for t in inline),
        "code": sum(t.type in ("code_inline", "fence", "code_block") for t in [*tokens, *inline]),
        "html": [t.content for t in [*tokens, *inline] if t.type.startswith("html")],
        "lists": sum(t.type in ("bullet_list_open", "ordered_list_open") for t in tokens),
        "images": sum(t.type == "image" for t in inline),
    }


# -- a normal send ---------------------------------------------------------------------------


async def test_send_markdown_exact_payload_signed(env: types.SimpleNamespace) -> None:
    """Chinese and English entries go out as one signed markdown message, exactly so."""
    channel = env.make()
    result = await channel.send(Message((CN, EN), title="AI 日报 2025-11-09"))
    assert result.outcome is Outcome.SENT
    assert (result.sent_parts, result.sent_entries, result.attempts) == (1, 2, 1)
    assert env.robot.sent == [
        {
            "msgtype": "markdown",
            "markdown": {
                "title": "AI 日报 2025-11-09",
                "text": "### AI 日报 2025-11-09\n\n"
                "**1.** [OpenAI 发布 GPT-5.1：更快的推理](https://openai.com/index/gpt-5-1/)  \n"
                "> 新模型在编码与数学上提升明显。  \n"
                "> 36氪 · llm · 8.5 · #模型\n\n"
                "**2.** [Anthropic ships Claude tools for Excel]"
                "(https://www.anthropic.com/news/excel)  \n"
                "> Agents can now edit spreadsheets.  \n"
                "> Hacker News · agents · 6",
            },
        }
    ]
    request = env.fake.requests[0]
    assert set(request.query) == {"access_token", "timestamp", "sign"}
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    # Sent as raw UTF-8 (no \uXXXX), so the byte count is the one the limit applies to.
    assert "发布".encode() in request.body


async def test_unsigned_robot_gets_no_signature(env: types.SimpleNamespace) -> None:
    """Without a secret the URL carries no timestamp or sign; the preview falls back."""
    env.fake.add_robot("open-robot")
    channel = env.make(webhook=f"{env.base}/robot/send?access_token=open-robot", secret=None)
    assert await channel.send(Message((EN,)))
    assert set(env.fake.requests[0].query) == {"access_token"}
    sent = env.fake.robots["open-robot"].sent[0]["markdown"]
    assert sent["title"] == EN.title  # no message title: the first entry's
    assert sent["text"].startswith("**1.** [Anthropic")


async def test_action_card_has_a_button_per_linked_entry(env: types.SimpleNamespace) -> None:
    """actionCard keeps the markdown body and adds one button per linked entry."""
    unlinked = Entry("没有链接的条目", summary="仅摘要")
    channel = env.make(format="actionCard")
    assert await channel.send(Message((CN, unlinked, EN), title="早报"))
    card = env.robot.sent[0]["actionCard"]
    assert env.robot.sent[0]["msgtype"] == "actionCard"
    assert card["btnOrientation"] == "0"
    assert card["btns"] == [
        {"title": "1. OpenAI 发布 GPT-5.1：更快的推理", "actionURL": CN.url},
        {"title": "3. Anthropic ships Claude too…", "actionURL": EN.url},
    ]
    assert card["text"].startswith("### 早报\n\n**1.** [OpenAI")


async def test_empty_message_sends_nothing(env: types.SimpleNamespace) -> None:
    result = await env.make().send(Message())
    assert result.outcome is Outcome.SENT
    assert result.sent_parts == 0
    assert env.fake.requests == []


async def test_free_text_only_message(env: types.SimpleNamespace) -> None:
    assert await env.make().send(Message(title="提示", text="今天没有匹配的条目。\n明天见"))
    text = env.robot.sent[0]["markdown"]["text"]
    assert text == "### 提示\n\n今天没有匹配的条目。  \n明天见"


# -- splitting -------------------------------------------------------------------------------


def _batch(count: int) -> tuple[Entry, ...]:
    return tuple(
        Entry(
            f"第 {i} 条：大模型 Agent 新进展 {i}",
            url=f"https://example.com/news/{i}",
            summary=("这是一段很长的中文摘要，包含 English words 与数字 123。" * 12),
            source="机器之心",
            rule="agents",
            score=float(i % 10),
        )
        for i in range(1, count + 1)
    )


@pytest.mark.parametrize("fmt", ["markdown", "actionCard"])
async def test_long_batch_splits_on_entry_boundaries(env: types.SimpleNamespace, fmt: str) -> None:
    """150 long CJK entries: every request ≤ 20000 bytes, every entry once, whole, in order."""
    entries = _batch(150)
    channel = env.make(format=fmt)
    result = await channel.send(Message(entries, title="长批次", text="开头的说明"))
    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 150
    assert result.sent_parts == len(env.robot.sent) > 1
    assert all(len(r.body) <= 20_000 for r in env.fake.requests)
    texts = [p[fmt]["text"] for p in env.robot.sent]
    links = [href for t in texts for href in structure(t)["links"]]
    assert links == [e.url for e in entries]  # each entry once, in order
    for entry in entries:  # ...and whole: its block is in a single payload
        block = f"**{entry.title.split('：')[0].split()[1]}.** [{entry.title}]({entry.url})"
        assert sum(block in t for t in texts) == 1
    assert all(t.startswith("### 长批次\n\n") for t in texts)
    assert "开头的说明" in texts[0]
    assert not any("开头的说明" in t for t in texts[1:])
    if fmt == "actionCard":
        assert all(len(p["actionCard"]["btns"]) <= 5 for p in env.robot.sent)


async def test_an_entry_too_long_alone_is_shortened_not_broken(
    env: types.SimpleNamespace,
) -> None:
    """A 60 KB summary is cut with … so that the link and markup stay whole."""
    huge = Entry("巨型条目", url="https://example.com/huge", summary="长" * 20_000, rule="x")
    assert await env.make().send(Message((EN, huge, CN)))
    assert all(len(r.body) <= 20_000 for r in env.fake.requests)
    texts = [p["markdown"]["text"] for p in env.robot.sent]
    assert [h for t in texts for h in structure(t)["links"]] == [EN.url, huge.url, CN.url]
    huge_text = next(t for t in texts if "巨型条目" in t)
    assert "长…  \n> x" in huge_text


# -- escaping --------------------------------------------------------------------------------


async def test_hostile_titles_cannot_break_the_markup(env: types.SimpleNamespace) -> None:
    """Markup in digest text stays text: one link per entry, no HTML, no stray emphasis."""
    entries = tuple(
        Entry(t, url=f"https://example.com/{i}", summary=t, source=t)
        for i, t in enumerate(HOSTILE)
    )
    assert await env.make().send(Message(entries, title="<b>[标题]</b> *x*"))
    text = env.robot.sent[0]["markdown"]["text"]
    shape = structure(text)
    assert shape["links"] == [e.url for e in entries]
    assert shape["headings"] == 1  # ours
    assert shape["strong"] == len(entries)  # the **n.** numbers only
    assert (shape["em"], shape["code"], shape["lists"], shape["images"]) == (0, 0, 0, 0)
    assert shape["html"] == []
    assert text.count("\n\n") == len(entries)  # newlines in titles did not add blocks
    for kept in ("🚀 emoji 👩‍💻 and 中文 混排", "＆lt;escaped＆gt; ＆amp; AT&T", "snake_case"):
        assert kept in text
    assert "\u2068مرحبا بالعالم — RTL עברית\u2069" in text  # RTL isolated
    assert "\x00" not in text
    assert '**1.** [＜b>bold＜/b> & ＜font color="warning">red＜/font> ＜@all>]' in text
    assert "[\u200b# not a heading]" in text


# -- rate limit ------------------------------------------------------------------------------


async def test_a_burst_of_50_never_triggers_the_ban(env: types.SimpleNamespace) -> None:
    """50 messages at once: every minute holds ≤ 20, so the robot is never locked."""
    channel = env.make()
    results = await asyncio.gather(*(channel.send(Message((EN,))) for _ in range(50)))
    assert all(r.outcome is Outcome.SENT and r.attempts == 1 for r in results)
    assert len(env.robot.sent) == 50
    assert env.robot.bans == 0
    assert env.robot.peak <= 20
    assert env.clock.slept  # the fake clock, not real time, did the waiting


async def test_the_fake_bans_the_21st_and_the_adapter_backs_off(
    env: types.SimpleNamespace,
) -> None:
    """Control: without the limiter the 21st send is refused (130101) and locks the robot."""
    channel = env.make()
    channel.limiter = RateLimiter(())
    results = [await channel.send(Message((EN,))) for _ in range(21)]
    assert env.robot.bans == 1
    throttled = results[-1]
    assert throttled.outcome is Outcome.RETRY
    assert (throttled.code, throttled.retry_after, throttled.attempts) == ("130101", 600.0, 1)
    assert "send too fast" in throttled.detail
    env.clock.now += 300  # still locked five minutes later
    assert (await channel.send(Message((EN,)))).code == "130101"


@pytest.mark.parametrize(
    ("body", "code", "retry_after"),
    [
        ({"errcode": 410100, "errmsg": "发送速度太快而限流"}, "410100", 600.0),
        ({"status": 1111, "wait": 5, "punish": "deny", "source": "x5"}, "1111", 60.0),
    ],
)
async def test_throttle_answers_are_retried_later(
    env: types.SimpleNamespace, body: dict[str, Any], code: str, retry_after: float
) -> None:
    env.fake.fail_next(body=body)
    result = await env.make().send(Message((EN,)))
    assert (result.outcome, result.code, result.retry_after) == (Outcome.RETRY, code, retry_after)
    assert env.robot.sent == []


# -- transient failures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 502},
        {"status": 503},
        {"errcode": -1, "errmsg": "系统繁忙"},
    ],
)
async def test_transient_failure_is_retried(
    env: types.SimpleNamespace, failure: dict[str, Any]
) -> None:
    env.fake.fail_next(**failure)
    result = await env.make().send(Message((CN,)))
    assert result.outcome is Outcome.SENT
    assert result.attempts == 2
    assert len(env.robot.sent) == 1


async def test_timeout_is_retried(env: types.SimpleNamespace) -> None:
    env.fake.fail_next(hang=True)
    result = await env.make(timeout=0.2).send(Message((CN,)))
    assert result.outcome is Outcome.SENT
    assert result.attempts == 2
    assert len(env.robot.sent) == 1


async def test_persistent_5xx_hands_back_a_retry(env: types.SimpleNamespace) -> None:
    env.fake.fail_next(3, status=500)
    result = await env.make().send(Message((CN,)))
    assert (result.outcome, result.code, result.attempts) == (Outcome.RETRY, "http 500", 3)


async def test_connection_refused_is_a_retry() -> None:
    channel = DingTalkChannel(
        "dead", {"webhook": f"http://127.0.0.1:9/robot/send?access_token={TOKEN}"}
    )
    channel.attempts = 1
    try:
        result = await channel.send(Message((EN,)))
    finally:
        await channel.aclose()
    assert result.outcome is Outcome.RETRY
    assert "request failed" in result.detail
    assert TOKEN not in result.detail


# -- permanent failures ----------------------------------------------------------------------


async def test_wrong_secret_is_sign_not_match(env: types.SimpleNamespace) -> None:
    result = await env.make(secret="SECwrongwrongwrong").send(Message((EN,)))
    assert (result.outcome, result.code, result.attempts) == (Outcome.FAILED, "310000", 1)
    assert result.detail.startswith("sign not match: check `secret`")


async def test_clock_off_by_two_hours_is_invalid_timestamp(env: types.SimpleNamespace) -> None:
    channel = env.make()
    channel._wall = lambda: env.clock.wall() - 7200
    result = await channel.send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "310000")
    assert result.detail.startswith("invalid timestamp: this host's clock")


async def test_missing_keyword_is_failed_with_advice(env: types.SimpleNamespace) -> None:
    env.robot.keywords = ("AI早报",)
    result = await env.make().send(Message((EN,), title="Daily"))
    assert (result.outcome, result.code) == (Outcome.FAILED, "310000")
    assert result.detail.startswith("keywords not in content: the robot has custom keywords")
    assert "`keywords` setting" in result.detail
    assert "more:" not in result.detail


async def test_keywords_setting_puts_one_in_every_message(env: types.SimpleNamespace) -> None:
    env.robot.keywords = ("AI早报",)
    result = await env.make(keywords=["AI早报", "告警"]).send(Message(_batch(60), title="Daily"))
    assert result.outcome is Outcome.SENT
    assert len(env.robot.sent) > 1
    for payload in env.robot.sent:
        assert payload["markdown"]["text"].startswith("### AI早报 Daily\n\n")
        assert payload["markdown"]["title"] == "AI早报 Daily"


async def test_keyword_already_in_the_title_is_not_repeated(env: types.SimpleNamespace) -> None:
    env.robot.keywords = ("日报",)
    assert await env.make(keywords="日报").send(Message((CN,), title="AI 日报"))
    assert env.robot.sent[0]["markdown"]["text"].startswith("### AI 日报\n\n")


async def test_unknown_token_is_failed_not_gone(env: types.SimpleNamespace) -> None:
    channel = env.make(webhook=f"{env.base}/robot/send?access_token=nosuchtoken")
    result = await channel.send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "300005")
    assert result.detail == "token is not exist (check the access_token of `webhook`)"
    assert "nosuchtoken" not in result.detail


@pytest.mark.parametrize("code", [400013, 400102, 400106])
async def test_robot_or_group_gone(env: types.SimpleNamespace, code: int) -> None:
    env.fake.fail_next(errcode=code, errmsg="机器人不存在")
    result = await env.make().send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.GONE, str(code))


async def test_a_payload_over_20000_bytes_is_refused_by_the_fake(
    env: types.SimpleNamespace,
) -> None:
    """If the adapter's limit were wrong the service would say so: FAILED, its own code."""
    channel = env.make()
    channel.max_body = 40_000
    result = await channel.send(Message(_batch(40)))
    assert (result.outcome, result.code) == (Outcome.FAILED, str(TOO_LONG))
    assert result.detail == "message too long, exceed 20000 bytes"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"msgtype": "bogus", "bogus": {}}, "400105"),
        ({"msgtype": "markdown", "markdown": {"title": "only a title"}}, "40035"),
    ],
)
async def test_bad_request_is_failed_with_the_service_code(
    env: types.SimpleNamespace, payload: dict[str, Any], code: str
) -> None:
    result = await env.make().deliver(payload)
    assert (result.outcome, result.code) == (Outcome.FAILED, code)


async def test_http_4xx_without_json_is_failed(env: types.SimpleNamespace) -> None:
    env.fake.fail_next(status=404)
    result = await env.make().send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "http 404")


async def test_gateway_429_without_retry_after_waits_a_minute(
    env: types.SimpleNamespace,
) -> None:
    env.fake.fail_next(status=429)
    result = await env.make().send(Message((EN,)))
    assert (result.outcome, result.code, result.retry_after) == (Outcome.RETRY, "http 429", 60.0)
    assert result.attempts == 1  # a minute is longer than the inline retries wait


@pytest.mark.parametrize(
    ("failure", "detail"),
    [
        ({"status": 200}, "the answer is not the robot's JSON"),
        ({"body": {"ok": True}}, "the answer has no errcode"),
    ],
)
async def test_an_answer_that_is_not_the_robots_is_failed(
    env: types.SimpleNamespace, failure: dict[str, Any], detail: str
) -> None:
    env.fake.fail_next(**failure)
    result = await env.make().send(Message((EN,)))
    assert (result.outcome, result.detail) == (Outcome.FAILED, detail)


# -- secrets and settings --------------------------------------------------------------------


def _secret_free(text: str) -> bool:
    return TOKEN not in text and SECRET not in text and "sign=" not in text


async def test_secrets_never_leak(
    env: types.SimpleNamespace, caplog: pytest.LogCaptureFixture
) -> None:
    """No token, secret or signature in results, describe(), repr or httpx's log lines."""
    caplog.set_level(logging.DEBUG)
    channel = env.make(format="actionCard", keywords=["AI"])
    described = "team (dingtalk: webhook=***, secret=***, format=actionCard, keywords=['AI'])"
    assert channel.describe() == described
    env.fake.fail_next(errcode=310000, errmsg=f"sign not match {TOKEN} {SECRET}")
    results: list[Result] = [await channel.send(Message((EN,)))]
    env.fake.fail_next(hang=True)
    channel.options["timeout"] = 0.1
    channel.attempts = 1
    results.append(await channel.send(Message((EN,))))
    for result in results:
        assert _secret_free(json.dumps(result.to_json(), ensure_ascii=False))
        assert _secret_free(repr(result))
    assert _secret_free(repr(channel))
    assert "HTTP Request: POST" in caplog.text  # httpx did log the requests...
    assert _secret_free(caplog.text)  # ...with the query masked


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({}, "missing setting 'webhook'"),
        ({"webhook": TOKEN}, "must be the robot's webhook URL"),
        ({"webhook": f"https://oapi.dingtalk.com/robot/send?token={TOKEN}"}, "no access_token="),
        ({"webhook": "https://x/robot/send?access_token=t", "keywords": [1]}, "'keywords'"),
        ({"webhook": "https://x/robot/send?access_token=t", "format": "feed"}, "'format'"),
    ],
)
def test_bad_settings_are_reported_without_values(settings: dict[str, Any], problem: str) -> None:
    problems = DingTalkChannel.check(settings)
    assert any(problem in p for p in problems)
    with pytest.raises(ConfigError) as info:
        DingTalkChannel("team", settings)
    assert TOKEN not in str(info.value)


def test_registered_and_light() -> None:
    """Registered by type; importing the robot adapters pulls in no heavy SDK."""
    assert channel_class("dingtalk") is DingTalkChannel
    assert DingTalkChannel.windows[0].count == 20
    code = (
        "import sys, channels.dingtalk, channels.wecom; "
        "print([m for m in ('aiogram', 'lark_oapi', 'apprise') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_an_injected_client_is_used_and_not_closed(env: types.SimpleNamespace) -> None:
    seen: list[httpx.Request] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request)

    hooks: dict[str, list[Callable[..., Any]]] = {"request": [hook]}
    async with httpx.AsyncClient(event_hooks=hooks) as client:
        channel = DingTalkChannel(
            "team",
            {"webhook": f"{env.base}/robot/send?access_token={TOKEN}", "secret": SECRET},
            client=client,
            wall=env.clock.wall,
        )
        assert await channel.send(Message((EN,)))
        await channel.aclose()
        assert not client.is_closed
    assert len(seen) == 1
