"""The apprise channel against local fakes: Apprise's json:// and ntfy:// plugins on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from markdown_it import MarkdownIt

from channels import channel_class
from channels.apprise_channel import AppriseChannel, secret_parts
from channels.base import Entry, Message, Outcome
from tests.fakes.ntfy import FakeNtfy
from tests.fakes.server import FakeClock, Recorded, record, serve

TOKEN = "Zq8sEcReTtOkEn42"
EN = Entry(
    "OpenAI ships GPT-5",
    "https://example.com/gpt5",
    summary="A new model.",
    source="The Verge",
    score=7.5,
    rule="llm",
)
ZH = Entry(
    "智谱发布 GLM-5 大模型", "https://example.cn/glm5", "性能提升 30%。", "36氪", rule="国产"
)


class JsonHook:
    """A webhook for Apprise's json:// plugin: records requests, answers scripted statuses."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.requests: list[Recorded] = []
        self.times: list[float] = []
        self.statuses: list[int] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        rec = await record(request)
        self.requests.append(rec)
        self.times.append(self.clock())
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response({"ok": status == 200}, status=status)

    def apprise_url(self, path: str = f"hook/{TOKEN}") -> str:
        return self.url.replace("http://", "json://") + f"/{path}"

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r.json for r in self.requests]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def hook(clock: FakeClock) -> AsyncIterator[JsonHook]:
    fake = JsonHook(clock)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    async with serve(app) as url:
        fake.url = url
        yield fake


@pytest.fixture
async def ntfy(clock: FakeClock) -> AsyncIterator[FakeNtfy]:
    async with FakeNtfy(clock=clock, tokens={"tk_" + TOKEN: "phil"}) as fake:
        yield fake


def ntfy_url(fake: FakeNtfy, topic: str = "alerts") -> str:
    return fake.url.replace("http://", "ntfy://") + f"/{topic}"


def make(clock: FakeClock, *urls: str, **settings: Any) -> AppriseChannel:
    return AppriseChannel(
        "extra",
        {"urls": list(urls), **settings},
        clock=clock,
        sleep=clock.sleep,
        throttle=False,
    )


# -- normal sends -----------------------------------------------------------------------------


async def test_markdown_service_gets_escaped_markdown(hook: JsonHook, clock: FakeClock) -> None:
    channel = make(clock, hook.apprise_url())
    result = await channel.send(Message((EN, ZH), title="今日 AI 速递"))
    await channel.aclose()

    assert (result.outcome, result.sent_entries, result.detail) == (Outcome.SENT, 2, "1 url(s)")
    [request] = hook.requests
    assert (request.method, request.path) == ("POST", f"/hook/{TOKEN}")
    assert request.json == {
        "version": "1.0",
        "title": "今日 AI 速递",
        "message": (
            "**[OpenAI ships GPT\\-5](https://example.com/gpt5)**  \n"
            "A new model\\.  \n"
            "_The Verge · llm · 7\\.5_\n\n"
            "**[智谱发布 GLM\\-5 大模型](https://example.cn/glm5)**  \n"
            "性能提升 30%。  \n"
            "_36氪 · 国产_"
        ),
        "attachments": [],
        "type": "info",
    }


async def test_text_service_gets_plain_text(ntfy: FakeNtfy, clock: FakeClock) -> None:
    """Apprise's ntfy plugin takes text: no backslashes reach the phone."""
    channel = make(clock, ntfy_url(ntfy))
    result = await channel.send(Message((ZH,)))
    await channel.aclose()
    assert result.outcome is Outcome.SENT
    [stored] = ntfy.messages
    assert stored["title"] == "智谱发布 GLM-5 大模型"
    assert stored["message"] == (
        "• 智谱发布 GLM-5 大模型\n  https://example.cn/glm5\n  性能提升 30%。\n  36氪 · 国产"
    )


async def test_several_urls_each_get_it(hook: JsonHook, ntfy: FakeNtfy, clock: FakeClock) -> None:
    channel = make(clock, hook.apprise_url(), ntfy_url(ntfy))
    result = await channel.send(Message((EN,)))
    await channel.aclose()
    assert (result.outcome, result.detail) == (Outcome.SENT, "2 url(s)")
    assert len(hook.requests) == len(ntfy.messages) == 1


# -- splitting --------------------------------------------------------------------------------


async def test_long_batch_splits_under_the_plugin_limit(hook: JsonHook, clock: FakeClock) -> None:
    entries = tuple(
        Entry(f"条目 {i} item", f"https://example.com/{i}", "摘要 summary " * 40, "src")
        for i in range(200)
    )
    channel = make(clock, hook.apprise_url())
    result = await channel.send(Message(entries))
    await channel.aclose()
    total = len(hook.requests)
    assert total > 1
    assert (result.sent_parts, result.sent_entries) == (total, 200)
    titles: list[str] = []
    for n, body in enumerate(hook.bodies, start=1):
        assert len(body["message"]) <= 32768  # the JSON plugin's body_maxlen, in characters
        assert body["title"] == f"200 new items ({n}/{total})"
        titles += re.findall(r"\*\*\[条目 (\d+) item\]", body["message"])
    assert titles == [str(i) for i in range(200)]


async def test_entry_too_big_alone_is_shrunk_whole(hook: JsonHook, clock: FakeClock) -> None:
    huge = Entry("巨" * 40000, "https://example.com/x", "长" * 40000)
    channel = make(clock, hook.apprise_url())
    result = await channel.send(Message((huge, EN)))
    await channel.aclose()
    assert result.sent_entries == 2
    for body in hook.bodies:
        assert len(body["message"]) <= 32768
        html = MarkdownIt("commonmark").render(body["message"])
        assert html.count("<strong>") == html.count("</strong>") >= 1


# -- escaping ---------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script> & <b>bold</b>",
    "*not emphasis* _nor_ **this** [link](javascript:alert(1)) ![x](https://evil.example/i)",
    "`code` # heading\n- list\n> quote | table | ~x~",
    "emoji 🚀 RTL: مرحبا עברית",
]


@pytest.mark.parametrize("title", HOSTILE)
async def test_hostile_titles(
    hook: JsonHook, ntfy: FakeNtfy, clock: FakeClock, title: str
) -> None:
    hostile = Entry(title, "https://example.com/a(b)", summary=title, source=title)
    channel = make(clock, hook.apprise_url(), ntfy_url(ntfy))
    await channel.send(Message((hostile, EN)))
    await channel.aclose()
    html = MarkdownIt("commonmark").render(hook.bodies[0]["message"])
    assert re.findall(r'<a href="([^"]*)"', html) == [
        "https://example.com/a%28b%29",
        "https://example.com/gpt5",
    ]
    for tag in ("<script", "<img", "<b>", "<h1", "<li", "<blockquote", "<code"):
        assert tag not in html
    # The text-only service shows the title as written, without escapes.
    assert ntfy.messages[0]["message"].startswith("• " + " ".join(title.split()) + "\n")


# -- outcomes ---------------------------------------------------------------------------------


async def test_500_then_success_is_retried(hook: JsonHook, clock: FakeClock) -> None:
    hook.statuses = [500]
    channel = make(clock, hook.apprise_url())
    result = await channel.send(Message((EN,)))
    await channel.aclose()
    assert (result.outcome, result.attempts) == (Outcome.SENT, 2)
    assert len(hook.requests) == 2


async def test_500_every_time_is_retry(hook: JsonHook, clock: FakeClock) -> None:
    hook.statuses = [500, 503, 502]
    channel = make(clock, hook.apprise_url())
    result = await channel.send(Message((EN,)))
    await channel.aclose()
    assert (result.outcome, result.code, result.attempts) == (Outcome.RETRY, "502", 3)
    assert result.detail == "0 of 1 url(s) delivered; urls[0] (JSON): error 502"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(401, Outcome.FAILED), (404, Outcome.FAILED), (429, Outcome.RETRY), (408, Outcome.RETRY)],
)
async def test_http_status_classification(
    hook: JsonHook, clock: FakeClock, status: int, outcome: Outcome
) -> None:
    hook.statuses = [status]
    channel = make(clock, hook.apprise_url())
    result = await channel.deliver(channel.render(Message((EN,)))[0].payload)
    await channel.aclose()
    assert (result.outcome, result.code) == (outcome, str(status))


async def test_ntfy_codes_through_apprise(ntfy: FakeNtfy, clock: FakeClock) -> None:
    channel = make(clock, ntfy_url(ntfy))
    payload = channel.render(Message((EN,)))[0].payload
    ntfy.fail_next(kind="rate")
    assert (await channel.deliver(payload)).code == "42901"
    ntfy.fail_next(kind="forbidden")
    result = await channel.deliver(payload)
    assert (result.outcome, result.code) == (Outcome.FAILED, "40301")
    await channel.aclose()


async def test_connection_refused_is_retry(clock: FakeClock) -> None:
    async with serve(web.Application()) as url:
        closed = url
    channel = make(clock, closed.replace("http://", "json://") + "/x")
    result = await channel.deliver(channel.render(Message((EN,)))[0].payload)
    await channel.aclose()
    assert (result.outcome, result.code) == (Outcome.RETRY, "connection")


async def test_a_retry_skips_the_urls_that_took_it(clock: FakeClock) -> None:
    hooks = [JsonHook(clock), JsonHook(clock)]
    apps = []
    for fake in hooks:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", fake.handle)
        apps.append(app)
    hooks[1].statuses = [503]
    async with serve(apps[0]) as one, serve(apps[1]) as two:
        hooks[0].url, hooks[1].url = one, two
        channel = make(clock, hooks[0].apprise_url(), hooks[1].apprise_url())
        result = await channel.send(Message((EN,)))
        await channel.aclose()
    assert (result.outcome, result.attempts) == (Outcome.SENT, 2)
    assert (len(hooks[0].requests), len(hooks[1].requests)) == (1, 2)


async def test_mixed_failures_prefer_retry(hook: JsonHook, clock: FakeClock) -> None:
    hook.statuses = [401, 500]
    channel = make(clock, hook.apprise_url("a"), hook.apprise_url("b"))
    result = await channel.deliver(channel.render(Message((EN,)))[0].payload)
    await channel.aclose()
    assert (result.outcome, result.code) == (Outcome.RETRY, "500")
    assert result.detail == (
        "0 of 2 url(s) delivered; urls[0] (JSON): error 401; urls[1] (JSON): error 500"
    )


async def test_a_url_apprise_cannot_parse_is_a_failure(clock: FakeClock) -> None:
    channel = make(clock, "nosuchservice://whatever")
    result = await channel.send(Message((EN,)))
    await channel.aclose()
    assert (result.outcome, result.code, result.detail) == (
        Outcome.FAILED,
        "bad-url",
        "0 of 1 url(s) delivered; urls[0]: not valid",
    )


# -- rate limit -------------------------------------------------------------------------------


async def test_a_burst_keeps_to_20_a_minute(hook: JsonHook, clock: FakeClock) -> None:
    channel = make(clock, hook.apprise_url())
    for i in range(45):
        assert (await channel.send(Message((Entry(f"n{i}"),)))).outcome is Outcome.SENT
    await channel.aclose()
    assert len(hook.times) == 45
    assert max(sum(1 for t in hook.times if s <= t < s + 60) for s in hook.times) <= 20


# -- secrets, check, import cost --------------------------------------------------------------


async def test_secrets_stay_out_of_results_descriptions_and_logs(
    ntfy: FakeNtfy, hook: JsonHook, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    topic = "topic" + TOKEN
    urls = [ntfy_url(ntfy, topic), hook.apprise_url() + f"?secret={TOKEN}x"]
    channel = make(clock, *urls)
    assert channel.describe() == "extra (apprise: urls=***)"
    ntfy.fail_next(kind="forbidden")
    hook.statuses = [401]
    with caplog.at_level(logging.DEBUG, logger="apprise"):
        result = await channel.send(Message((EN,)))
    await channel.aclose()
    assert result.outcome is Outcome.FAILED
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Failed to send ntfy notification" in logged  # Apprise did log the failure...
    for text in (logged, repr(result), json.dumps(result.to_json()), channel.describe()):
        assert TOKEN not in text  # ...with the topic and tokens redacted


def test_secret_parts() -> None:
    parts = secret_parts("ntfy://user:pa55word@ntfy.example.com/mytopic?token=tk_abc1")
    assert {"user", "pa55word", "ntfy.example.com", "mytopic", "tk_abc1"} <= set(parts)


def test_check_and_warnings() -> None:
    assert AppriseChannel.check({"urls": "json://host/x"}) == []
    assert AppriseChannel.check({"urls": ["json://h/x", "not a url"]}) == [
        "setting 'urls' item 2 is not an Apprise URL (scheme://...)"
    ]
    assert AppriseChannel.check({}) == ["missing setting 'urls': Apprise URL(s)"]
    warnings = AppriseChannel.warnings(
        {"urls": ["feishu://tok", "json://h/x", "dingtalk://s@t/", "wecombot://key", "lark://t"]}
    )
    assert [w.split(":")[0] for w in warnings] == [
        "urls item 1",
        "urls item 3",
        "urls item 4",
        "urls item 5",
    ]
    assert warnings[0].endswith("as success; use type: feishu")
    assert warnings[2].endswith("use type: wecom")
    assert "tok" not in " ".join(warnings)
    assert AppriseChannel.warnings({"urls": "ntfy://topic"}) == []


def test_module_import_does_not_load_apprise() -> None:
    code = (
        "import sys, channels.apprise_channel as m; "
        "m.AppriseChannel.check({'urls': ['feishu://x']}); "
        "m.AppriseChannel.warnings({'urls': ['feishu://x']}); "
        "print('apprise' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_registry() -> None:
    assert channel_class("apprise") is AppriseChannel
