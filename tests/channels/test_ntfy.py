"""The ntfy channel against a local fake ntfy server (tests/fakes/ntfy.py)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from html import unescape
from typing import Any

import httpx
import pytest
from markdown_it import MarkdownIt

from channels import channel_class
from channels.base import Entry, Message, Outcome
from channels.ntfy import NtfyChannel
from channels.ntfy._text import priority_for
from notifier.errors import ConfigError
from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import FakeClock

TOKEN = "tk_s3cr3tt0k3nvalue0000000000"
PASSWORD = "hunter2-very-secret"
TOPIC = "alerts-x7Kq9Zp2"

EN = Entry(
    "OpenAI ships GPT-5",
    "https://example.com/gpt5",
    summary="A new model.",
    source="The Verge",
    score=7.5,
    rule="llm",
    tags=("ai", "llm"),
)
ZH = Entry(
    "智谱发布 GLM-5 大模型",
    "https://example.cn/glm5",
    summary="性能提升 30%。",
    source="36氪",
    score=3.0,
    rule="国产模型",
    tags=("ai", "国产"),
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeNtfy]:
    async with FakeNtfy(clock=clock, wall=clock.wall) as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


def make(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient, **settings: Any
) -> NtfyChannel:
    return NtfyChannel(
        "phone",
        {"server": fake.url, "topic": TOPIC, **settings},
        clock=clock,
        sleep=clock.sleep,
        client=client,
    )


def entry(i: int, **kw: Any) -> Entry:
    return Entry(
        kw.pop("title", f"条目 {i}: item number {i} 的标题"),
        f"https://example.com/{i}",
        summary=kw.pop("summary", "摘要 summary " * 20),
        source="src",
        score=float(i % 15),
        rule="r",
        **kw,
    )


# -- normal send ------------------------------------------------------------------------------


async def test_send_publishes_json_with_markdown_cjk_tags_priority(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    channel = make(fake, clock, client, tags=["news"])
    result = await channel.send(Message((EN, ZH)))

    assert result.outcome is Outcome.SENT
    assert (result.sent_parts, result.sent_entries, result.attempts) == (1, 2, 1)
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/")
    assert request.headers["Content-Type"] == "application/json"
    assert "Authorization" not in request.headers
    assert request.json == {
        "topic": TOPIC,
        "message": (
            "**[OpenAI ships GPT\\-5](https://example.com/gpt5)**  \n"
            "A new model\\.  \n"
            "_The Verge · llm · 7\\.5_\n\n"
            "**[智谱发布 GLM\\-5 大模型](https://example.cn/glm5)**  \n"
            "性能提升 30%。  \n"
            "_36氪 · 国产模型 · 3_"
        ),
        "title": "2 new items",
        "priority": 4,
        "tags": ["news", "ai", "llm", "国产"],
        "markdown": True,
    }
    # UTF-8 on the wire, not \u escapes (3 bytes per CJK character, not 6).
    assert "智谱".encode() in request.body
    [stored] = fake.messages
    assert stored["content_type"] == "text/markdown"
    assert stored["title"] == "2 new items"
    assert result.detail == f"id {stored['id']}"


async def test_one_entry_uses_its_title_and_click_url(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    await make(fake, clock, client).send(Message((ZH,)))
    [stored] = fake.messages
    assert stored["title"] == "智谱发布 GLM-5 大模型"
    assert stored["click"] == "https://example.cn/glm5"
    assert stored["priority"] == 3


async def test_message_title_and_text_lead_the_first_payload(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    message = Message((EN,), title="今日 AI 速递", text="Two *stars*\nand a line")
    result = await make(fake, clock, client).send(message)
    assert result.sent_entries == 1
    [stored] = fake.messages
    assert stored["title"] == "今日 AI 速递"
    assert stored["message"].startswith("Two \\*stars\\* and a line\n\n**[OpenAI")


async def test_plain_text_mode(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    await make(fake, clock, client, markdown=False).send(Message((ZH,)))
    [request] = fake.requests
    assert "markdown" not in request.json
    assert request.json["message"] == (
        "• 智谱发布 GLM-5 大模型\n  https://example.cn/glm5\n"
        "  性能提升 30%。\n  36氪 · 国产模型 · 3"
    )
    assert "content_type" not in fake.messages[0]


@pytest.mark.parametrize(
    ("score", "priority"),
    [(0.0, 3), (1.0, 2), (2.9, 2), (3.0, 3), (5.9, 3), (6.0, 4), (11.9, 4), (12.0, 5), (40, 5)],
)
def test_priority_from_score(score: float, priority: int) -> None:
    assert priority_for(score) == priority


@pytest.mark.parametrize(("setting", "sent"), [("high", 4), ("min", 1), ("5", 5), (2, 2)])
async def test_priority_setting_overrides_the_score(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient, setting: Any, sent: int
) -> None:
    await make(fake, clock, client, priority=setting).send(Message((EN,)))
    assert fake.messages[0]["priority"] == sent


async def test_basic_and_bearer_auth(clock: FakeClock, client: httpx.AsyncClient) -> None:
    users = {"phil": PASSWORD}
    tokens = {TOKEN: "phil"}
    async with FakeNtfy(
        clock=clock, users=users, tokens=tokens, protected={TOPIC: {"phil"}}
    ) as fake:
        basic = make(fake, clock, client, username="phil", password=PASSWORD)
        bearer = make(fake, clock, client, token=TOKEN)
        anonymous = make(fake, clock, client)
        assert (await basic.send(Message((EN,)))).outcome is Outcome.SENT
        assert (await bearer.send(Message((EN,)))).outcome is Outcome.SENT
        denied = await anonymous.send(Message((EN,)))
    assert fake.requests[0].headers["Authorization"].startswith("Basic ")
    assert fake.requests[1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert (denied.outcome, denied.code, denied.detail) == (Outcome.FAILED, "40301", "forbidden")
    assert len(fake.messages) == 2


# -- splitting --------------------------------------------------------------------------------


def titles_in(messages: list[dict[str, Any]]) -> list[str]:
    return [t for m in messages for t in re.findall(r"\*\*\[(.+?)\]\(", m["message"])]


async def test_long_batch_splits_between_entries_within_4096_bytes(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    entries = tuple(entry(i) for i in range(60))
    result = await make(fake, clock, client).send(Message(entries))

    assert result.outcome is Outcome.SENT
    assert result.sent_entries == 60
    assert result.sent_parts == len(fake.messages) > 1
    for request in fake.requests:
        assert len(request.body) <= 4096  # even a 2023 server takes it (see the next test)
    for stored in fake.messages:
        assert len(stored["message"].encode()) <= 4096
        assert "attachment" not in stored
    # Every entry once, whole, in order.
    assert titles_in(fake.messages) == [f"条目 {i}: item number {i} 的标题" for i in range(60)]
    total = len(fake.messages)
    assert [m["title"] for m in fake.messages] == [
        f"60 new items ({i}/{total})" for i in range(1, total + 1)
    ]


async def test_a_2023_server_takes_every_request(
    clock: FakeClock, client: httpx.AsyncClient
) -> None:
    """Older servers cap the whole JSON request at the message limit (413 41303)."""
    async with FakeNtfy(clock=clock, json_limit=4096) as old:
        channel = make(old, clock, client, tags=["新闻", "ai"])
        batch = Message(tuple(entry(i, tags=("标签" * 10,)) for i in range(40)), title="标题" * 80)
        result = await channel.send(batch)
        oversized = await channel.deliver(
            {"topic": TOPIC, "message": "x" * 4000, "title": "t" * 200}
        )
    assert (result.outcome, result.sent_entries) == (Outcome.SENT, 40)
    assert (oversized.outcome, oversized.code) == (Outcome.FAILED, "41303")


async def test_smaller_server_limit(clock: FakeClock, client: httpx.AsyncClient) -> None:
    async with FakeNtfy(clock=clock, message_limit=600) as fake:
        channel = make(fake, clock, client, message_limit=600)
        result = await channel.send(Message(tuple(entry(i) for i in range(10))))
    assert result.sent_entries == 10
    assert all(len(m["message"].encode()) <= 600 for m in fake.messages)
    assert len(titles_in(fake.messages)) == 10


async def test_an_entry_too_big_alone_loses_summary_then_title_never_its_markup(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    huge = Entry("巨" * 3000, "https://example.com/" + "p" * 3000, summary="长" * 5000, score=1)
    result = await make(fake, clock, client).send(Message((huge, EN)))
    assert result.sent_entries == 2
    first = fake.messages[0]["message"]
    assert len(first.encode()) <= 4096
    html = MarkdownIt("commonmark").render(first)
    assert html.count("<strong>") == html.count("</strong>") >= 1


async def test_what_would_become_an_attachment_is_refused_by_the_fake(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    """The fake is strict: a 4097-byte body is 400 40014 (attachments off)."""
    channel = make(fake, clock, client)
    payload = {"topic": TOPIC, "message": "x" * 4097}
    result = await channel.deliver(payload)
    assert (result.outcome, result.code) == (Outcome.FAILED, "40014")
    assert result.detail == "invalid request: attachments not allowed"


async def test_40014_from_a_server_with_a_smaller_limit_splits_and_retries(
    clock: FakeClock, client: httpx.AsyncClient
) -> None:
    """message-size-limit below ours: the body would be an attachment (off: 40014)."""
    async with FakeNtfy(clock=clock, message_limit=1500) as fake:
        channel = make(fake, clock, client)  # message_limit 4096, the default
        first = await channel.send(Message(tuple(entry(i) for i in range(20))))
        refused = list(fake.errors)
        second = await channel.send(Message(tuple(entry(i) for i in range(20, 30))))
    assert (first.outcome, first.sent_entries) == (Outcome.SENT, 20)
    assert (second.outcome, second.sent_entries) == (Outcome.SENT, 10)
    # 41303 first (the JSON is over 2 x 1500 bytes), then 40014 (the message over 1500).
    assert refused
    assert set(refused) <= {(400, 40014), (413, 41303)}
    assert fake.errors == refused  # the smaller limit is kept: not refused the second time
    assert all(len(m["message"].encode()) <= 1500 for m in fake.messages)
    assert titles_in(fake.messages) == [f"条目 {i}: item number {i} 的标题" for i in range(30)]


async def test_41303_from_a_server_with_a_smaller_json_limit_splits_and_retries(
    clock: FakeClock, client: httpx.AsyncClient
) -> None:
    async with FakeNtfy(clock=clock, json_limit=2000) as fake:
        result = await make(fake, clock, client).send(Message(tuple(entry(i) for i in range(8))))
    assert (result.outcome, result.sent_entries) == (Outcome.SENT, 8)
    assert set(fake.errors) == {(413, 41303)}
    assert titles_in(fake.messages) == [f"条目 {i}: item number {i} 的标题" for i in range(8)]


async def test_the_free_text_is_sent_once_when_the_first_part_is_refused(
    clock: FakeClock, client: httpx.AsyncClient
) -> None:
    async with FakeNtfy(clock=clock, message_limit=1000) as fake:
        message = Message(tuple(entry(i) for i in range(6)), text="今日导读 lead")
        result = await make(fake, clock, client).send(message)
    assert result.sent_entries == 6
    assert sum(m["message"].count("今日导读 lead") for m in fake.messages) == 1
    assert fake.messages[0]["message"].startswith("今日导读 lead")


async def test_40014_that_splitting_cannot_fix_fails_after_a_few_tries(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    fake.fail_next(50, kind="attachments")
    result = await make(fake, clock, client).send(Message((entry(1),)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "40014")
    assert result.detail.startswith("invalid request: attachments not allowed")
    assert 2 <= len(fake.requests) <= 6


# -- escaping ---------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script> & <b>bold</b>",
    "*not emphasis* and _not either_ and **nor this**",
    "[click me](javascript:alert(1)) ![img](https://evil.example/x.png)",
    "`code` ```fence``` ~strike~ | table |",
    "# Heading\n- list item\n> quote\n1. numbered",
    "emoji 🚀🔥 and RTL: مرحبا بالعالم עברית",
    "back\\slash \\*escaped\\* <!-- comment --> &amp; &lt;",
]


@pytest.mark.parametrize("title", HOSTILE)
async def test_hostile_titles_render_as_their_own_text(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient, title: str
) -> None:
    hostile = Entry(title, "https://example.com/a(b)c", summary=title, source=title, rule="r")
    await make(fake, clock, client).send(Message((hostile, EN)))
    html = MarkdownIt("commonmark").render(fake.messages[0]["message"])
    # Exactly our two links and our own emphasis, nothing from the digest.
    assert re.findall(r'<a href="([^"]*)"', html) == [
        "https://example.com/a%28b%29c",
        "https://example.com/gpt5",
    ]
    for tag in ("<img", "<script", "<b>", "<h1", "<li", "<blockquote", "<code", "<table"):
        assert tag not in html
    assert html.count("<strong>") == 2
    assert html.count("<em>") == 2
    # The reader sees the title as written (entities aside: `&amp;` shows as `&`).
    shown = unescape(re.sub(r"<[^>]+>", "", re.search(r"<a [^>]*>(.*?)</a>", html)[1]))
    if "&amp;" not in title:
        assert shown == " ".join(title.split())


async def test_hostile_link_is_dropped(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    bad = Entry("evil", "javascript:alert(1)")
    await make(fake, clock, client).send(Message((bad,)))
    [request] = fake.requests
    assert request.json["message"] == "**evil**"
    assert "click" not in request.json


# -- rate limit -------------------------------------------------------------------------------


async def test_a_burst_never_exceeds_the_visitor_bucket(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    channel = make(fake, clock, client)
    for i in range(200):
        result = await channel.send(Message((entry(i),)))
        assert result.outcome is Outcome.SENT
    assert fake.rate_limited == 0
    assert len(fake.messages) == 200
    assert clock.now > 1_000_000.0  # the limiter waited (on the fake clock)


async def test_the_fake_bucket_bites_without_our_limiter(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    """A client without windows hits 42901 at request 61; the retry waits it out."""

    class Unlimited(NtfyChannel):
        windows = ()

    channel = Unlimited(
        "u", {"server": fake.url, "topic": TOPIC}, clock=clock, sleep=clock.sleep, client=client
    )
    for i in range(61):
        await channel.send(Message((entry(i),)))
    assert fake.rate_limited == 1
    assert len(fake.messages) == 61
    assert 10.0 in clock.slept  # the documented backoff, no Retry-After from ntfy


async def test_429_is_retry_with_backoff(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    fake.fail_next(kind="rate")
    result = await make(fake, clock, client).deliver({"topic": TOPIC, "message": "x"})
    assert (result.outcome, result.code, result.retry_after) == (Outcome.RETRY, "42901", 10.0)
    fake.fail_next(kind="quota")
    result = await make(fake, clock, client).deliver({"topic": TOPIC, "message": "x"})
    assert (result.outcome, result.code, result.retry_after) == (Outcome.RETRY, "42908", 3600.0)


# -- failures ---------------------------------------------------------------------------------


async def test_retry_after_5xx(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    fake.fail_next(2, status=502)
    result = await make(fake, clock, client).send(Message((EN,)))
    assert (result.outcome, result.attempts, result.sent_entries) == (Outcome.SENT, 3, 1)
    assert len(fake.messages) == 1


async def test_5xx_every_time_hands_back_retry(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    fake.fail_next(3, kind="internal")
    result = await make(fake, clock, client).send(Message((EN,)))
    assert (result.outcome, result.code, result.attempts) == (Outcome.RETRY, "50001", 3)
    assert result.sent_entries == 0


async def test_retry_after_timeout(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    fake.fail_next(hang=True)
    result = await make(fake, clock, client, timeout=0.2).send(Message((EN,)))
    assert (result.outcome, result.attempts) == (Outcome.SENT, 2)
    assert len(fake.messages) == 1


async def test_connection_refused_is_retry(clock: FakeClock, client: httpx.AsyncClient) -> None:
    async with FakeNtfy(clock=clock) as gone:
        url = gone.url
    channel = NtfyChannel("p", {"server": url, "topic": TOPIC}, client=client)
    result = await channel.deliver({"topic": TOPIC, "message": "x"})
    assert (result.outcome, result.code) == (Outcome.RETRY, "connection")


@pytest.mark.parametrize(
    ("kind", "code", "detail"),
    [
        ("unauthorized", "40101", "unauthorized"),
        ("forbidden", "40301", "forbidden"),
        ("priority", "40007", "invalid priority parameter"),
        ("topic", "40009", "invalid request: topic invalid"),
        ("json", "40024", "invalid request: request body must be valid JSON"),
        ("not_found", "40401", "page not found"),
    ],
)
async def test_permanent_errors_keep_the_ntfy_code(
    fake: FakeNtfy,
    clock: FakeClock,
    client: httpx.AsyncClient,
    kind: str,
    code: str,
    detail: str,
) -> None:
    fake.fail_next(kind=kind)
    result = await make(fake, clock, client).send(Message((EN,)))
    assert (result.outcome, result.code, result.detail) == (Outcome.FAILED, code, detail)
    assert result.attempts == 1


async def test_wrong_token_is_401_from_the_real_check(
    clock: FakeClock, client: httpx.AsyncClient
) -> None:
    async with FakeNtfy(clock=clock, tokens={TOKEN: "phil"}) as fake:
        result = await make(fake, clock, client, token="tk_wrong").send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "40101")


async def test_a_200_that_is_not_ntfy_is_a_failure(clock: FakeClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html="<html>captive portal</html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as mock:
        channel = NtfyChannel("p", {"server": "https://wifi.example", "topic": TOPIC}, client=mock)
        result = await channel.deliver({"topic": TOPIC, "message": "x"})
    assert (result.outcome, result.code) == (Outcome.FAILED, "200")


# -- secrets and settings ---------------------------------------------------------------------


async def test_secrets_never_appear_in_results_or_descriptions(
    fake: FakeNtfy, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    basic = make(fake, clock, client, username="phil", password=PASSWORD)
    bearer = make(fake, clock, client, token=TOKEN)
    results = []
    for channel in (basic, bearer):
        fake.fail_next(kind="unauthorized")
        results.append(await channel.send(Message((EN,))))
        fake.fail_next(3, status=503)
        results.append(await channel.send(Message((EN,))))
    texts = [channel.describe() for channel in (basic, bearer)]
    texts += [json.dumps(r.to_json()) for r in results] + [repr(r) for r in results]
    for text in texts:
        for secret in (TOKEN, PASSWORD, TOPIC):
            assert secret not in text
    assert (
        basic.describe()
        == f"phone (ntfy: server={fake.url}, topic=***, username=phil, password=***)"
    )


async def test_an_echoed_topic_is_scrubbed_from_the_detail(clock: FakeClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": 40010, "http": 400, "error": f"no {TOPIC}"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as mock:
        channel = NtfyChannel("p", {"topic": TOPIC, "token": TOKEN}, client=mock)
        result = await channel.deliver({"topic": TOPIC, "message": "x"})
    assert (result.code, result.detail) == ("40010", "no ***")


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({}, "missing setting 'topic'"),
        ({"topic": "has space"}, "setting 'topic' may hold only"),
        ({"topic": "t", "server": "ntfy.sh"}, "setting 'server' must start with http"),
        ({"topic": "t", "username": "u"}, "'username' and 'password' go together"),
        ({"topic": "t", "token": "x", "username": "u", "password": "p"}, "not both"),
        ({"topic": "t", "priority": "loud"}, "setting 'priority' must be one of"),
        ({"topic": "t", "prio": 3}, "unknown setting 'prio'"),
    ],
)
def test_check_names_the_problem_not_the_value(settings: dict[str, Any], problem: str) -> None:
    problems = NtfyChannel.check(settings)
    assert any(problem in p for p in problems), problems
    assert NtfyChannel.warnings(settings) == []
    if "topic" in settings and settings["topic"] == "has space":
        assert "has space" not in " ".join(problems)
        with pytest.raises(ConfigError) as info:
            NtfyChannel("p", settings)
        assert "has space" not in str(info.value)


def test_defaults_and_registry() -> None:
    assert channel_class("ntfy") is NtfyChannel
    channel = NtfyChannel("p", {"topic": "t"})
    assert channel.options["server"] == "https://ntfy.sh"
    assert channel.options["priority"] == "auto"
    assert channel.options["markdown"] is True
    assert channel.options["message_limit"] == 4096


def test_nothing_to_render() -> None:
    channel = NtfyChannel("p", {"topic": "t"})
    assert channel.render(Message()) == []
    [part] = channel.render(Message(text="only text"))
    assert (part.entries, part.payload["message"], part.payload["title"]) == (
        0,
        "only text",
        "notifier",
    )
