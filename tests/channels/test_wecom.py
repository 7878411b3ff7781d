"""The WeCom adapter against a fake robot that checks keys, byte limits and 20/minute as WeCom."""

from __future__ import annotations

import asyncio
import json
import logging
import types
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from markdown_it import MarkdownIt

from channels import channel_class
from channels.base import Entry, Message, Outcome, Result
from channels.ratelimit import RateLimiter
from channels.wecom import WeComChannel
from notifier.errors import ConfigError
from tests.fakes.server import FakeClock, serve
from tests.fakes.wecom import FakeWeCom

KEY = "693a91f6-7b1c-4bc4-97a0-0ec2sifa5aaa"

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
FONT = ['<font color="comment">', "</font>"]


@pytest.fixture
async def env() -> AsyncIterator[types.SimpleNamespace]:
    """A fake robot on loopback and a factory of channels pointed at it."""
    clock = FakeClock()
    fake = FakeWeCom(clock=clock)
    robot = fake.add_robot(KEY)
    made: list[WeComChannel] = []
    async with serve(fake.app) as base:

        def make(**settings: Any) -> WeComChannel:
            values = {"webhook": f"{base}/cgi-bin/webhook/send?key={KEY}", **settings}
            channel = WeComChannel("group", values, clock=clock, sleep=clock.sleep)
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


def contents(robot: Any) -> list[str]:
    return [p[p["msgtype"]]["content"] for p in robot.sent]


# -- normal sends ----------------------------------------------------------------------------

EXPECTED = {
    "markdown": "### AI 日报 2025-11-09\n\n"
    "**1.** [OpenAI 发布 GPT-5.1：更快的推理](https://openai.com/index/gpt-5-1/)\n"
    "> 新模型在编码与数学上提升明显。\n"
    '> <font color="comment">36氪 · llm · 8.5 · #模型</font>\n\n'
    "**2.** [Anthropic ships Claude tools for Excel](https://www.anthropic.com/news/excel)\n"
    "> Agents can now edit spreadsheets.\n"
    '> <font color="comment">Hacker News · agents · 6</font>',
    "markdown_v2": "### AI 日报 2025-11-09\n\n"
    "**1.** [OpenAI 发布 GPT-5.1：更快的推理](https://openai.com/index/gpt-5-1/)\n"
    "> 新模型在编码与数学上提升明显。\n"
    "> 36氪 · llm · 8.5 · #模型\n\n"
    "**2.** [Anthropic ships Claude tools for Excel](https://www.anthropic.com/news/excel)\n"
    "> Agents can now edit spreadsheets.\n"
    "> Hacker News · agents · 6",
    "text": "AI 日报 2025-11-09\n\n"
    "1. OpenAI 发布 GPT-5.1：更快的推理\n新模型在编码与数学上提升明显。\n"
    "36氪 · llm · 8.5 · #模型\nhttps://openai.com/index/gpt-5-1/\n\n"
    "2. Anthropic ships Claude tools for Excel\nAgents can now edit spreadsheets.\n"
    "Hacker News · agents · 6\nhttps://www.anthropic.com/news/excel",
}


@pytest.mark.parametrize("fmt", ["markdown", "markdown_v2", "text"])
async def test_send_exact_payload(env: types.SimpleNamespace, fmt: str) -> None:
    """Chinese and English entries in one message, exactly as rendered for each format."""
    channel = env.make(format=fmt)
    result = await channel.send(Message((CN, EN), title="AI 日报 2025-11-09"))
    assert result.outcome is Outcome.SENT
    assert (result.sent_parts, result.sent_entries, result.attempts) == (1, 2, 1)
    assert env.robot.sent == [{"msgtype": fmt, fmt: {"content": EXPECTED[fmt]}}]
    request = env.fake.requests[0]
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "发布".encode() in request.body  # raw UTF-8, never \uXXXX


async def test_markdown_is_the_default(env: types.SimpleNamespace) -> None:
    assert await env.make().send(Message((CN,)))
    assert env.robot.sent[0]["msgtype"] == "markdown"


async def test_send_news_exact_payload(env: types.SimpleNamespace) -> None:
    assert await env.make(format="news").send(Message((CN, EN), title="标题不进图文"))
    assert env.robot.sent == [
        {
            "msgtype": "news",
            "news": {
                "articles": [
                    {
                        "title": CN.title,
                        "url": CN.url,
                        "description": "新模型在编码与数学上提升明显。\n36氪 · llm · 8.5 · #模型",
                    },
                    {
                        "title": EN.title,
                        "url": EN.url,
                        "description": "Agents can now edit spreadsheets.\n"
                        "Hacker News · agents · 6",
                    },
                ]
            },
        }
    ]


async def test_news_groups_of_8_and_unlinked_runs_keep_order(env: types.SimpleNamespace) -> None:
    """Articles need a link: unlinked entries go as markdown, between the news, in order."""
    linked = [Entry(f"新闻 {i}", url=f"https://example.com/{i}") for i in range(13)]
    bare = [Entry(f"无链接 {i}", summary="只有摘要") for i in range(2)]
    entries = (*linked[:10], *bare, *linked[10:])
    result = await env.make(format="news").send(Message(entries, text="今日导读"))
    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 15
    kinds = [p["msgtype"] for p in env.robot.sent]
    assert kinds == ["markdown", "news", "news", "markdown", "news"]
    assert env.robot.sent[0]["markdown"]["content"] == "今日导读"
    seen: list[str] = []
    for payload in env.robot.sent[1:]:
        if payload["msgtype"] == "news":
            assert 1 <= len(payload["news"]["articles"]) <= 8
            seen += [a["title"] for a in payload["news"]["articles"]]
        else:
            assert payload["markdown"]["content"].startswith("**11.** 无链接 0\n")
            seen += ["无链接 0", "无链接 1"]
    assert seen == [e.title for e in entries]


async def test_news_fields_are_cut_to_their_byte_limits(env: types.SimpleNamespace) -> None:
    entry = Entry("超长标题" * 40, url="https://example.com/x", summary="很长的摘要" * 100)
    assert await env.make(format="news").send(Message((entry,)))
    article = env.robot.sent[0]["news"]["articles"][0]
    assert len(article["title"].encode()) <= 128
    assert article["title"].endswith("…")
    assert len(article["description"].encode()) <= 512


async def test_empty_message_sends_nothing(env: types.SimpleNamespace) -> None:
    result = await env.make().send(Message())
    assert result.outcome is Outcome.SENT
    assert env.fake.requests == []


# -- splitting -------------------------------------------------------------------------------


def _batch(count: int) -> tuple[Entry, ...]:
    return tuple(
        Entry(
            f"第 {i} 条：大模型 Agent 新进展 {i}",
            url=f"https://example.com/news/{i}",
            summary="这是一段很长的中文摘要，包含 English words 与数字 123。" * 6,
            source="量子位",
            rule="agents",
        )
        for i in range(1, count + 1)
    )


@pytest.mark.parametrize(
    ("fmt", "limit"), [("markdown", 4096), ("markdown_v2", 4096), ("text", 2048)]
)
async def test_long_batch_splits_on_entry_boundaries(
    env: types.SimpleNamespace, fmt: str, limit: int
) -> None:
    """80 long CJK entries: every content ≤ its UTF-8 byte limit, each entry once, in order."""
    entries = _batch(80)
    result = await env.make(format=fmt).send(Message(entries, title="长批次"))
    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 80
    texts = contents(env.robot)
    assert len(texts) == result.sent_parts > 1
    assert all(len(t.encode("utf-8")) <= limit for t in texts)
    for entry in entries:  # every entry whole, in exactly one payload
        assert sum(entry.title in t and str(entry.url) in t for t in texts) == 1
    if fmt != "text":
        links = [h for t in texts for h in structure(t)["links"]]
        assert links == [e.url for e in entries]
    else:
        urls = [line for t in texts for line in t.splitlines() if line.startswith("https://")]
        assert urls == [e.url for e in entries]


async def test_an_entry_too_long_alone_is_shortened_not_broken(
    env: types.SimpleNamespace,
) -> None:
    huge = Entry("巨型条目", url="https://example.com/huge", summary="长" * 5000, rule="x")
    assert await env.make().send(Message((EN, huge, CN)))
    texts = contents(env.robot)
    assert all(len(t.encode()) <= 4096 for t in texts)
    assert [h for t in texts for h in structure(t)["links"]] == [EN.url, huge.url, CN.url]
    assert any('长…\n> <font color="comment">x</font>' in t for t in texts)


@pytest.mark.parametrize(("fmt", "limit"), [("markdown", 4096), ("text", 2048)])
async def test_the_fake_refuses_content_over_the_limit(
    env: types.SimpleNamespace, fmt: str, limit: int
) -> None:
    """With the adapter's limit forced higher, the service's own 40058 comes back as FAILED."""
    channel = env.make(format=fmt)
    channel.limits = {**channel.limits, fmt: limit * 4}
    result = await channel.send(Message(_batch(40)))
    assert (result.outcome, result.code, result.attempts) == (Outcome.FAILED, "40058", 1)
    assert result.detail == f"{fmt}.content exceed max length {limit}. invalid Request Parameter"


# -- escaping --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "markdown_v2"])
async def test_hostile_titles_cannot_break_the_markup(
    env: types.SimpleNamespace, fmt: str
) -> None:
    """Markup in digest text stays text: one link per entry, only our HTML, no stray emphasis."""
    entries = tuple(
        Entry(t, url=f"https://example.com/{i}", summary=t, source=t)
        for i, t in enumerate(HOSTILE)
    )
    assert await env.make(format=fmt).send(Message(entries, title="<b>[标题]</b> *x*"))
    (text,) = contents(env.robot)
    shape = structure(text)
    assert shape["links"] == [e.url for e in entries]
    assert shape["headings"] == 1
    assert shape["strong"] == len(entries)
    assert shape["html"] == (FONT * len(entries) if fmt == "markdown" else [])
    assert (shape["em"], shape["code"], shape["lists"], shape["images"]) == (0, 0, 0, 0)
    assert text.count("\n\n") == len(entries)
    for kept in ("🚀 emoji 👩‍💻 and 中文 混排", "＆lt;escaped＆gt; ＆amp; AT&T", "snake_case"):
        assert kept in text
    assert "\u2068مرحبا بالعالم — RTL עברית\u2069" in text
    assert "<@all>" not in text
    assert "\\[" not in text


async def test_hostile_titles_in_text_cannot_mention_anyone(env: types.SimpleNamespace) -> None:
    entries = tuple(Entry(t) for t in HOSTILE)
    assert await env.make(format="text").send(Message(entries))
    (text,) = contents(env.robot)
    assert "<@" not in text
    assert '1. ＜b>bold＜/b> & ＜font color="warning">red＜/font> ＜@all>' in text
    assert "**not bold** *nor italic*" in text  # plain text is shown as is
    assert len(text.split("\n\n")) == len(entries)


# -- rate limit ------------------------------------------------------------------------------


async def test_a_burst_of_50_never_exceeds_20_a_minute(env: types.SimpleNamespace) -> None:
    channel = env.make()
    results = await asyncio.gather(*(channel.send(Message((EN,))) for _ in range(50)))
    assert all(r.outcome is Outcome.SENT for r in results)
    assert all(r.attempts == 1 for r in results)
    assert len(env.robot.sent) == 50
    assert env.robot.throttled == 0
    assert env.robot.peak <= 20
    assert env.clock.slept


async def test_the_fake_refuses_the_21st_and_counts_refusals(env: types.SimpleNamespace) -> None:
    """Control: without the limiter the 21st is 45009 (RETRY in 60 s), and refusals count."""
    channel = env.make()
    channel.limiter = RateLimiter(())
    results = [await channel.send(Message((EN,))) for _ in range(21)]
    refused = results[-1]
    assert (refused.outcome, refused.code, refused.retry_after) == (Outcome.RETRY, "45009", 60.0)
    assert refused.detail == "api freq out of limit"
    env.clock.now += 30  # 20 more attempts, all refused...
    assert {(await channel.send(Message((EN,)))).code for _ in range(20)} == {"45009"}
    env.clock.now += 30.5  # ...and once the 20 sent ones have left the window,
    assert (await channel.send(Message((EN,)))).code == "45009"  # the refusals still count
    assert env.robot.throttled == 22
    assert len(env.robot.sent) == 20


# -- transient failures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 502},
        {"errcode": -1, "errmsg": "system busy"},
        {"errcode": 45033, "errmsg": "api concurrent out of limit"},
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


async def test_a_failure_mid_message_reports_what_went_out(env: types.SimpleNamespace) -> None:
    """The robot is removed after the first part: GONE, with the first part's entries counted."""

    async def remove_robot(response: httpx.Response) -> None:
        env.fake.robots.pop(KEY, None)

    entries = _batch(30)
    async with httpx.AsyncClient(event_hooks={"response": [remove_robot]}) as client:
        channel = WeComChannel(
            "group",
            {"webhook": f"{env.base}/cgi-bin/webhook/send?key={KEY}"},
            client=client,
            clock=env.clock,
            sleep=env.clock.sleep,
        )
        parts = channel.render(Message(entries))
        result = await channel.send(Message(entries))
        await channel.aclose()
        assert not client.is_closed  # an injected client belongs to the caller
    assert len(parts) > 2
    assert (result.outcome, result.code) == (Outcome.GONE, "93000")
    assert (result.sent_parts, result.sent_entries) == (1, parts[0].entries)
    assert len(env.robot.sent) == 1


# -- permanent failures ----------------------------------------------------------------------


async def test_unknown_key_is_gone_and_the_hint_is_dropped(env: types.SimpleNamespace) -> None:
    channel = env.make(webhook=f"{env.base}/cgi-bin/webhook/send?key=removed-robot-key")
    result = await channel.send(Message((EN,)))
    assert (result.outcome, result.code, result.attempts) == (Outcome.GONE, "93000", 1)
    assert result.detail == (
        "invalid webhook url (the key is wrong or the robot was removed from the group)"
    )


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"msgtype": "markdown", "markdown": {"content": "   "}}, "44004"),
        ({"msgtype": "bogus", "bogus": {"content": "x"}}, "40008"),
        (
            {
                "msgtype": "news",
                "news": {"articles": [{"title": "t", "url": "https://x.cn"}] * 9},
            },
            "45008",
        ),
        ({"msgtype": "news", "news": {"articles": [{"title": "t", "url": "x.cn"}]}}, "45034"),
    ],
)
async def test_bad_requests_are_failed_with_the_service_code(
    env: types.SimpleNamespace, payload: dict[str, Any], code: str
) -> None:
    result = await env.make().deliver(payload)
    assert (result.outcome, result.code) == (Outcome.FAILED, code)
    assert "hint" not in result.detail


async def test_html_error_page_is_failed(env: types.SimpleNamespace) -> None:
    env.fake.fail_next(status=403)
    result = await env.make().send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "http 403")


# -- secrets and settings --------------------------------------------------------------------


async def test_secrets_never_leak(
    env: types.SimpleNamespace, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel = env.make(format="news")
    assert channel.describe() == "group (wecom: webhook=***, format=news)"
    env.fake.fail_next(errcode=40001, errmsg=f"invalid secret {KEY}")
    results: list[Result] = [await channel.send(Message((EN,)))]
    env.fake.fail_next(hang=True)
    channel.options["timeout"] = 0.1
    channel.attempts = 1
    results.append(await channel.send(Message((EN,))))
    for result in results:
        assert KEY not in json.dumps(result.to_json(), ensure_ascii=False)
        assert KEY not in repr(result)
    assert results[0].detail == "invalid secret ***"
    assert KEY not in repr(channel)
    assert "HTTP Request: POST" in caplog.text
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({}, "missing setting 'webhook'"),
        ({"webhook": KEY}, "must be the robot's webhook URL"),
        ({"webhook": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?k={KEY}"}, "no key="),
        ({"webhook": "https://x/cgi-bin/webhook/send?key=k", "format": "card"}, "'format'"),
    ],
)
def test_bad_settings_are_reported_without_values(settings: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in WeComChannel.check(settings))
    with pytest.raises(ConfigError) as info:
        WeComChannel("group", settings)
    assert KEY not in str(info.value)


def test_registered() -> None:
    assert channel_class("wecom") is WeComChannel
    assert WeComChannel.windows[0].count == 20
