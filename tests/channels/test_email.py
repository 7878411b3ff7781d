"""The email channel against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import importlib.util
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from channels import channel_class
from channels.base import Entry, Message, Outcome
from channels.smtp import EmailChannel
from notifier.errors import ConfigError
from tests.fakes.server import FakeClock

# aiosmtpd warns about its own deprecated attribute on every successful AUTH.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Session.login_data is deprecated:DeprecationWarning"
)

USER, PASSWORD = "bot@example.com", "p@ss-w0rd-secret"
RECIPIENTS = ["alice@example.com", "张三 <zhang@example.cn>"]
EN = Entry(
    "OpenAI ships GPT-5",
    "https://example.com/gpt5",
    "A new model.",
    "The Verge",
    score=7.5,
    rule="llm",
)
ZH = Entry(
    "智谱发布 GLM-5 大模型", "https://example.cn/glm5", "性能提升 30%。", "36氪", rule="国产"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """aiosmtpd handler: keeps every message; scripted replies per recipient / step."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.times: list[float] = []
        self.rcpt_replies: dict[str, str] = {}
        self.mail_replies: list[str] = []
        self.data_replies: list[str] = []
        self.hang_next = 0
        self.released = threading.Event()

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.hang_next:
            self.hang_next -= 1
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 5)
        if self.mail_replies:
            return self.mail_replies.pop(0)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.clock is not None:
            self.times.append(self.clock())
        return "250 2.0.0 Ok: queued as 4F2A"

    def parsed(self, index: int = 0) -> email.message.EmailMessage:
        raw = self.messages[index][2]
        return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a certificate for the TLS tests")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def tls_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mailbox(clock: FakeClock) -> Mailbox:
    return Mailbox(clock)


def run(controller: Controller, mailbox: Mailbox) -> Iterator[int]:
    controller.start()
    try:
        yield controller.port
    finally:
        mailbox.released.set()
        controller.stop()


@pytest.fixture
def plain(mailbox: Mailbox) -> Iterator[int]:
    """Plaintext SMTP with AUTH allowed (the reference's test setup)."""
    yield from run(
        Controller(
            mailbox,
            hostname="127.0.0.1",
            port=free_port(),
            authenticator=authenticate,
            auth_require_tls=False,
        ),
        mailbox,
    )


@pytest.fixture
def starttls(mailbox: Mailbox, certificate: tuple[Path, Path]) -> Iterator[int]:
    """Submission as on port 587: STARTTLS first, AUTH only over TLS."""
    yield from run(
        Controller(
            mailbox,
            hostname="127.0.0.1",
            port=free_port(),
            authenticator=authenticate,
            tls_context=tls_context(certificate),
            require_starttls=True,
            auth_require_tls=True,
        ),
        mailbox,
    )


@pytest.fixture
def implicit_tls(mailbox: Mailbox, certificate: tuple[Path, Path]) -> Iterator[int]:
    """SMTPS as on port 465 (aiosmtpd only counts STARTTLS as TLS for its AUTH rule)."""
    yield from run(
        Controller(
            mailbox,
            hostname="127.0.0.1",
            port=free_port(),
            authenticator=authenticate,
            ssl_context=tls_context(certificate),
            auth_require_tls=False,
        ),
        mailbox,
    )


def make(port: int, clock: FakeClock | None = None, **settings: Any) -> EmailChannel:
    values = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": f"AI 速递 <{USER}>",
        "recipients": RECIPIENTS,
        **settings,
    }
    if clock is None:
        return EmailChannel("mail", values)
    return EmailChannel("mail", values, clock=clock, sleep=clock.sleep)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # CRLF on the wire


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


# -- normal sends -----------------------------------------------------------------------------


async def test_starttls_auth_multipart_cjk(
    starttls: int, mailbox: Mailbox, certificate: tuple[Path, Path]
) -> None:
    channel = make(
        starttls,
        security="starttls",
        username=USER,
        password=PASSWORD,
        ca_file=str(certificate[0]),
        subject_prefix="[notifier]",
    )
    message = Message((EN, ZH), title="今日 AI 速递", text="Two items today.\n第二行")
    result = await channel.send(message)

    assert (result.outcome, result.sent_entries, result.sent_parts) == (Outcome.SENT, 2, 1)
    assert result.detail == "2.0.0 Ok: queued as 4F2A"
    [(mail_from, rcpt_tos, raw)] = mailbox.messages
    assert mail_from == USER
    assert rcpt_tos == ["alice@example.com", "zhang@example.cn"]
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]  # RFC 2047 headers on the wire
    parsed = mailbox.parsed()
    assert parsed["Subject"] == "[notifier] 今日 AI 速递"
    assert parsed["From"] == f"AI 速递 <{USER}>"
    assert parsed["To"] == "alice@example.com, 张三 <zhang@example.cn>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Message-ID"].endswith("@example.com>")
    assert parsed["Date"]
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert text_of(parsed) == (
        "今日 AI 速递\n\nTwo items today.\n第二行\n\n"
        "1. OpenAI ships GPT-5\n   https://example.com/gpt5\n   A new model.\n"
        "   The Verge · llm · score 7.5\n\n"
        "2. 智谱发布 GLM-5 大模型\n   https://example.cn/glm5\n   性能提升 30%。\n   36氪 · 国产\n"
    )
    html = html_of(parsed)
    assert '<h2 style="font-size:18px">今日 AI 速递</h2>' in html
    assert "<p>Two items today.<br>\n第二行</p>" in html
    assert (
        '<li style="margin:0 0 14px"><a href="https://example.cn/glm5">'
        "<strong>智谱发布 GLM-5 大模型</strong></a><br>\n性能提升 30%。<br>\n"
        '<span style="color:#777;font-size:13px">36氪 · 国产</span></li>'
    ) in html


async def test_implicit_tls(
    implicit_tls: int, mailbox: Mailbox, certificate: tuple[Path, Path]
) -> None:
    channel = make(
        implicit_tls,
        security="tls",
        username=USER,
        password=PASSWORD,
        ca_file=str(certificate[0]),
    )
    result = await channel.send(Message((ZH,)))
    assert result.outcome is Outcome.SENT
    assert mailbox.parsed()["Subject"] == "智谱发布 GLM-5 大模型"


async def test_plaintext_without_auth_or_prefix(plain: int, mailbox: Mailbox) -> None:
    result = await make(plain).send(Message((EN, ZH)))
    assert result.outcome is Outcome.SENT
    assert mailbox.parsed()["Subject"] == "2 new items"


# -- escaping ---------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert('x')</script> & \"quotes\" <b>bold</b>",
    '<a href="https://evil.example">phish</a> <img src=x onerror=alert(1)>',
    "*markdown* _under_ [link](https://evil.example) `code` # heading",
    "emoji 🚀🔥 RTL: مرحبا עברית &amp; &lt;",
]


@pytest.mark.parametrize("title", HOSTILE)
async def test_hostile_titles_are_text_in_html_and_plain(
    plain: int, mailbox: Mailbox, title: str
) -> None:
    hostile = Entry(title, 'https://example.com/a"><script>', summary=title, source=title)
    evil_link = Entry("no link", "javascript:alert(1)")
    await make(plain).send(Message((hostile, evil_link)))
    parsed = mailbox.parsed()
    parser = Links()
    parser.feed(html_of(parsed))
    assert parser.hrefs == ["https://example.com/a%22%3E%3Cscript%3E"]
    assert set(parser.tags) <= {
        "html",
        "head",
        "meta",
        "body",
        "h2",
        "ol",
        "li",
        "a",
        "strong",
        "br",
        "span",
    }
    assert title in "".join(parser.text)  # the reader sees exactly the title
    assert f"1. {title}" in text_of(parsed)  # plain text: nothing to escape


async def test_header_injection_is_impossible(plain: int, mailbox: Mailbox) -> None:
    sneaky = Entry("subject\r\nBcc: victim@example.com\r\n\r\nbody", "https://example.com")
    result = await make(plain).send(Message((sneaky,)))
    assert result.outcome is Outcome.SENT
    parsed = mailbox.parsed()
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "subject Bcc: victim@example.com body"
    assert mailbox.messages[0][1] == ["alice@example.com", "zhang@example.cn"]


# -- splitting --------------------------------------------------------------------------------


def many(n: int) -> tuple[Entry, ...]:
    return tuple(
        Entry(f"第 {i} 条 item {i}", f"https://example.com/{i}", "摘要 summary " * 30, "src")
        for i in range(n)
    )


async def test_an_ordinary_batch_is_one_email(plain: int, mailbox: Mailbox) -> None:
    result = await make(plain).send(Message(many(100)))
    assert (result.sent_parts, result.sent_entries) == (1, 100)
    assert len(mailbox.messages) == 1


async def test_a_huge_batch_splits_between_entries(
    plain: int, mailbox: Mailbox, clock: FakeClock
) -> None:
    result = await make(plain, clock, split_bytes=20_000).send(Message(many(120)))
    total = len(mailbox.messages)
    assert total > 1
    assert (result.sent_parts, result.sent_entries) == (total, 120)
    numbers: list[int] = []
    for index in range(total):
        parsed = mailbox.parsed(index)
        assert parsed["Subject"] == f"120 new items ({index + 1}/{total})"
        html = html_of(parsed)
        assert len(html.encode()) <= 20_000
        titles = re.findall(r"<strong>第 (\d+) 条 item \1</strong>", html)
        start = re.search(r'<ol start="(\d+)"', html)
        assert start is not None
        assert int(start[1]) == len(numbers) + 1
        numbers += [int(t) for t in titles]
        plain_numbers = re.findall(r"^(\d+)\. 第 (\d+) 条", text_of(parsed), flags=re.M)
        assert [int(b) for _, b in plain_numbers] == [int(t) for t in titles]
        assert [int(a) - 1 for a, _ in plain_numbers] == [int(t) for t in titles]
    assert numbers == list(range(120))


# -- rate limit -------------------------------------------------------------------------------


async def test_a_burst_keeps_to_20_a_minute(
    plain: int, mailbox: Mailbox, clock: FakeClock
) -> None:
    channel = make(plain, clock)
    for i in range(45):
        assert (await channel.send(Message((Entry(f"n{i}"),)))).outcome is Outcome.SENT
    times = mailbox.times
    assert len(times) == 45
    assert max(sum(1 for t in times if s <= t < s + 60) for s in times) <= 20


# -- classification ---------------------------------------------------------------------------


async def test_bad_password_is_535(starttls: int, certificate: tuple[Path, Path]) -> None:
    channel = make(
        starttls,
        security="starttls",
        username=USER,
        password="wrong-pass",
        ca_file=str(certificate[0]),
    )
    result = await channel.send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "535")
    assert result.detail == "535 5.7.8 Authentication credentials invalid"
    assert result.attempts == 1


async def test_plaintext_against_a_starttls_server_is_530(starttls: int) -> None:
    result = await make(starttls).send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "530")
    assert "STARTTLS" in result.detail


async def test_auth_without_tls_offered_is_a_failure(starttls: int) -> None:
    """aiosmtpd hides AUTH before TLS; with security none there is nothing to log in to."""
    result = await make(starttls, username=USER, password=PASSWORD).send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "smtp")
    assert PASSWORD not in result.detail


async def test_untrusted_certificate_is_a_tls_failure(starttls: int) -> None:
    channel = make(starttls, security="starttls", username=USER, password=PASSWORD)
    result = await channel.send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "tls")
    assert "CERTIFICATE_VERIFY_FAILED" in result.detail


async def test_implicit_tls_against_a_plaintext_port_is_a_tls_failure(plain: int) -> None:
    result = await make(plain, security="tls").send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "tls")


@pytest.mark.parametrize(
    ("step", "reply", "outcome", "code"),
    [
        ("mail", "421 4.7.0 Too many connections, try later", Outcome.RETRY, "421"),
        ("mail", "450 4.2.0 Mailbox busy", Outcome.RETRY, "450"),
        (
            "mail",
            "538 5.7.11 Encryption required for requested authentication mechanism",
            Outcome.FAILED,
            "538",
        ),
        ("mail", "553 5.7.1 Sender address rejected: not owned by user", Outcome.FAILED, "553"),
        ("data", "451 4.3.0 Local error in processing", Outcome.RETRY, "451"),
        ("data", "452 4.3.1 Insufficient system storage", Outcome.RETRY, "452"),
        ("data", "554 5.7.1 Message rejected as spam", Outcome.FAILED, "554"),
    ],
)
async def test_smtp_replies_are_classified_with_their_code(
    plain: int,
    mailbox: Mailbox,
    clock: FakeClock,
    step: str,
    reply: str,
    outcome: Outcome,
    code: str,
) -> None:
    (mailbox.mail_replies if step == "mail" else mailbox.data_replies).append(reply)
    result = await make(plain, clock).send(Message((EN,)))
    assert (result.outcome, result.code) == (outcome, code)
    assert result.detail == reply
    assert result.attempts == 1  # 4xx waits 60 s: handed back to the pipeline, not slept
    assert result.retry_after == (60.0 if outcome is Outcome.RETRY else None)


async def test_every_recipient_refused(plain: int, mailbox: Mailbox) -> None:
    mailbox.rcpt_replies = {
        "alice@example.com": "550 5.1.1 <alice@example.com>: Recipient address rejected",
        "zhang@example.cn": "553 5.1.3 Bad recipient address syntax",
    }
    result = await make(plain).send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.FAILED, "550")
    assert "alice@example.com: 550" in result.detail
    assert "zhang@example.cn: 553" in result.detail
    assert mailbox.messages == []


async def test_every_recipient_greylisted_is_retry(plain: int, mailbox: Mailbox) -> None:
    mailbox.rcpt_replies = {
        "alice@example.com": "451 4.7.1 Greylisted, try again later",
        "zhang@example.cn": "451 4.7.1 Greylisted, try again later",
    }
    result = await make(plain).send(Message((EN,)))
    assert (result.outcome, result.code, result.retry_after) == (Outcome.RETRY, "451", 60.0)


async def test_one_recipient_refused_others_delivered(plain: int, mailbox: Mailbox) -> None:
    mailbox.rcpt_replies = {"zhang@example.cn": "550 5.1.1 User unknown"}
    result = await make(plain).send(Message((EN,)))
    assert (result.outcome, result.code) == (Outcome.SENT, "550")
    assert result.detail == "accepted by 1 of 2; refused zhang@example.cn: 550 5.1.1 User unknown"
    assert mailbox.messages[0][1] == ["alice@example.com"]


async def test_timeout_then_retry_succeeds(plain: int, mailbox: Mailbox, clock: FakeClock) -> None:
    mailbox.hang_next = 1
    result = await make(plain, clock, timeout=0.3).send(Message((EN,)))
    assert (result.outcome, result.attempts) == (Outcome.SENT, 2)
    assert len(mailbox.messages) == 1
    mailbox.released.set()


async def test_connection_refused_is_retry() -> None:
    result = await make(free_port()).deliver(make(1).render(Message((EN,)))[0].payload)
    assert (result.outcome, result.code) == (Outcome.RETRY, "connection")


# -- settings and secrets ---------------------------------------------------------------------


async def test_password_never_leaks(starttls: int, certificate: tuple[Path, Path]) -> None:
    channel = make(
        starttls,
        security="starttls",
        username=USER,
        password=PASSWORD,
        ca_file=str(certificate[0]),
    )
    assert PASSWORD not in channel.describe()
    assert "password=***" in channel.describe()
    bad = make(
        starttls,
        security="starttls",
        username=USER,
        password=PASSWORD + "x",
        ca_file=str(certificate[0]),
    )
    failure = await bad.send(Message((EN,)))
    assert PASSWORD not in repr(failure)
    assert PASSWORD not in str(failure.to_json())
    with pytest.raises(ConfigError) as info:
        EmailChannel(
            "m", {"host": "h", "sender": "a@b", "recipients": ["c@d"], "password": PASSWORD}
        )
    assert PASSWORD not in str(info.value)


def test_default_ports_by_security() -> None:
    base = {"host": "smtp.example.com", "sender": "a@example.com", "recipients": "b@example.com"}
    assert EmailChannel("m", base).port == 587
    assert EmailChannel("m", {**base, "security": "tls"}).port == 465
    assert EmailChannel("m", {**base, "security": "none"}).port == 25
    assert EmailChannel("m", {**base, "port": 2525}).port == 2525
    channel = EmailChannel("m", base)
    assert channel.options["recipients"] == ["b@example.com"]
    assert channel.options["security"] == "starttls"
    assert channel.options["subject_prefix"] is None


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"sender": "a@b", "recipients": ["c@d"]}, "missing setting 'host'"),
        ({"host": "h", "sender": "nobody", "recipients": ["c@d"]}, "'sender' must be an email"),
        ({"host": "h", "sender": "a@b", "recipients": ["c@d", "oops"]}, "item 2 is not"),
        ({"host": "h", "sender": "a@b", "recipients": []}, "needs at least one address"),
        ({"host": "h", "sender": "a@b", "recipients": ["c@d"], "username": "u"}, "go together"),
        ({"host": "h", "sender": "a@b", "recipients": ["c@d"], "security": "ssl"}, "one of"),
    ],
)
def test_check(settings: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in EmailChannel.check(settings)), EmailChannel.check(settings)


def test_warnings() -> None:
    settings = {
        "host": "h",
        "sender": "a@b",
        "recipients": ["c@d"],
        "security": "none",
        "username": "u",
        "password": "p",
    }
    assert EmailChannel.warnings(settings) == [
        "security: none sends the SMTP password in clear text"
    ]
    assert EmailChannel.warnings({**settings, "security": "starttls"}) == []


def test_registry_and_no_shadowed_stdlib_email() -> None:
    assert channel_class("email") is EmailChannel
    assert importlib.util.find_spec("channels.email") is None
    assert "site-packages" not in str(email.__file__)
    assert Path(email.__file__).parent.parent == Path(socket.__file__).parent


def test_nothing_to_render() -> None:
    assert make(25).render(Message()) == []
