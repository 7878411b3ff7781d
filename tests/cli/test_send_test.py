"""`notifier send-test TARGET`, end to end against the local fakes of the services.

Each fake runs on its own event loop in a background thread (``serve_in_thread``): the
command runs ``asyncio.run`` itself, in the test's thread or in another process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from notifier.cli import main
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.server import serve, serve_in_thread
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram
from tests.fakes.wecom import FakeWeCom

REPO = Path(__file__).resolve().parents[2]
WECOM_KEY = "wc-693a91f6-SECRET-key"
DING_TOKEN = "dt-SECRET-access-token-0123"
DING_SECRET = "SECdingtalk-SECRET-sign"
GROUP = -100_777


@pytest.fixture
def wecom() -> Iterator[tuple[FakeWeCom, str]]:
    fake = FakeWeCom()
    fake.add_robot(WECOM_KEY)
    with serve_in_thread(lambda: serve(fake.app)) as url:
        yield fake, url
    fake.release()


@pytest.fixture
def dingtalk() -> Iterator[tuple[FakeDingTalk, str]]:
    fake = FakeDingTalk()
    fake.add_robot(DING_TOKEN, secret=DING_SECRET, keywords=("AI",))
    with serve_in_thread(lambda: serve(fake.app)) as url:
        yield fake, url
    fake.release()


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with serve_in_thread(FakeTelegram) as tg:
        tg.add_chat(GROUP, "supergroup")
        yield tg


@pytest.fixture
def config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, dict[str, str]], str]:
    """Write rules.yaml with these channels (secrets in the env); return its path."""

    def write(channels: str, env: dict[str, str]) -> str:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        path = tmp_path / "rules.yaml"
        text = "channels:\n" + textwrap.indent(textwrap.dedent(channels), "  ")
        path.write_text(text + "rules:\n  - {name: x, any: [a]}\n", encoding="utf-8")
        return str(path)

    return write


def lines(out: str) -> dict[str, str]:
    """``key: value`` lines of the human output."""
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def test_wecom_sample_entry(
    wecom: tuple[FakeWeCom, str], config: Callable[..., str], capsys: pytest.CaptureFixture[str]
):
    """Without --text a sample entry goes out; the outcome is printed; exit 0."""
    fake, url = wecom
    path = config(
        'group: {type: wecom, webhook: "${WECOM_HOOK}"}\n',
        {"WECOM_HOOK": f"{url}/cgi-bin/webhook/send?key={WECOM_KEY}"},
    )
    assert main(["send-test", "group", "-c", path]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert lines(out) == {
        "target": "group (wecom: webhook=***)",
        "outcome": "sent",
        "code": "-",
        "detail": "ok",
        "parts": "1 sent (1 of 1 entries)",
        "attempts": "1",
    }
    [sent] = fake.robots[WECOM_KEY].sent
    assert sent["msgtype"] == "markdown"
    content = sent["markdown"]["content"]
    assert content.startswith("### notifier test")
    assert "(https://example.com/notifier-test)" in content


def test_dingtalk_text_signed_with_keyword(
    dingtalk: tuple[FakeDingTalk, str],
    config: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
):
    """--text is sent as the message; the fake verifies the signature and keyword."""
    fake, url = dingtalk
    path = config(
        """\
        team:
          type: dingtalk
          webhook: "${DING_HOOK}"
          secret: "${DING_SECRET}"
          keywords: [AI]
        """,
        {"DING_HOOK": f"{url}/robot/send?access_token={DING_TOKEN}", "DING_SECRET": DING_SECRET},
    )
    assert main(["send-test", "team", "--text", "你好，notifier", "-c", path, "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result == {
        "outcome": "sent",
        "target": "team",
        "code": None,
        "detail": "ok",
        "retry_after": None,
        "new_address": None,
        "sent_parts": 1,
        "sent_entries": 0,
        "attempts": 1,
        "entries": 0,
    }
    [sent] = fake.robots[DING_TOKEN].sent
    assert sent["msgtype"] == "markdown"
    assert "你好，notifier" in sent["markdown"]["text"]
    assert sent["markdown"]["title"].startswith("AI ")  # the keyword, added by the adapter
    assert {"access_token", "timestamp", "sign"} <= set(fake.requests[0].query)


def test_dingtalk_bad_token_is_failed_with_the_service_code(
    dingtalk: tuple[FakeDingTalk, str],
    config: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
):
    """A permanent error: exit 1, the service's own code and message; no secret shown."""
    _, url = dingtalk
    path = config(
        'team: {type: dingtalk, webhook: "${DING_HOOK}"}\n',
        {"DING_HOOK": f"{url}/robot/send?access_token=wrong-SECRET-token"},
    )
    assert main(["send-test", "team", "-c", path]) == 1
    out = capsys.readouterr().out
    got = lines(out)
    assert got["outcome"] == "failed"
    assert got["code"] == "300005"
    assert "token is not exist" in got["detail"]
    assert got["parts"] == "0 sent (0 of 1 entries)"
    assert got["attempts"] == "1"  # FAILED is not retried
    assert "SECRET" not in out


def test_telegram_sent_and_bad_token(
    telegram: FakeTelegram, config: Callable[..., str], capsys: pytest.CaptureFixture[str]
):
    """Telegram through aiogram: the fake accepts the HTML; a wrong token is 401."""
    channels = """\
        news: {type: telegram, token: "${TG_TOKEN}", chat_id: "-100777", api_server: "${TG_API}"}
        """
    path = config(channels, {"TG_TOKEN": DEFAULT_TOKEN, "TG_API": telegram.url})
    assert main(["send-test", "news", "-c", path, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["outcome"], result["sent_entries"], result["attempts"]) == ("sent", 1, 1)
    [sent] = telegram.sent
    assert sent.chat_id == GROUP
    assert sent.text.startswith("notifier test")
    assert "https://example.com/notifier-test" in json.dumps(sent.entities)

    wrong = "987654:AAE-SECRET-wrong-token"
    path = config(channels, {"TG_TOKEN": wrong, "TG_API": telegram.url})
    assert main(["send-test", "news", "-c", path]) == 1
    out = capsys.readouterr().out
    got = lines(out)
    assert (got["outcome"], got["code"]) == ("failed", "401")
    assert got["detail"].startswith("Unauthorized")
    assert "SECRET" not in out
    assert len(telegram.sent) == 1


def test_unknown_target_suggests_and_exits_2(
    config: Callable[..., str], capsys: pytest.CaptureFixture[str]
):
    """A target that is not declared: exit 2, with the closest name and the list."""
    path = config("team: {type: console}\n", {})
    assert main(["send-test", "teem", "-c", path]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"{path}: unknown target 'teem'; did you mean 'team'? (targets: console, team)\n"


def test_config_errors_exit_2(config: Callable[..., str], capsys: pytest.CaptureFixture[str]):
    """A config with problems is reported as `notifier check` does, exit 2; nothing sent."""
    path = config('t: {type: telegram, token: "${TG_BAD}", chat_id: "1"}\n', {"TG_BAD": "SECRET"})
    assert main(["send-test", "t", "-c", path]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"{path}:2: channel 't': setting 'token' must look like 123456:ABC-DEF (from @BotFather)",
        f"{path}: 1 problem",
    ]
    assert main(["send-test", "t", "-c", str(Path(path).parent / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_console_target(config: Callable[..., str], capsys: pytest.CaptureFixture[str]):
    """The console target prints the message itself, then the outcome."""
    path = config("term: {type: console}\n", {})
    assert main(["send-test", "term", "--text", "hello", "-c", path]) == 0
    out = capsys.readouterr().out
    assert out.startswith("notifier test\nhello\ntarget:   term (console)\noutcome:  sent\n")


def test_subprocess_end_to_end(wecom: tuple[FakeWeCom, str], tmp_path: Path):
    """`python -m notifier send-test` in another process, the fake in this one."""
    fake, url = wecom
    path = tmp_path / "rules.yaml"
    path.write_text(
        'channels:\n  group: {type: wecom, webhook: "${WECOM_HOOK}", format: text}\n'
        "rules:\n  - {name: x, any: [a]}\n",
        encoding="utf-8",
    )
    env = dict(os.environ, WECOM_HOOK=f"{url}/cgi-bin/webhook/send?key={WECOM_KEY}")
    done = subprocess.run(
        [sys.executable, "-m", "notifier", "send-test", "group", "--text", "hi", "-c", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "outcome:  sent" in done.stdout
    assert "SECRET" not in done.stdout + done.stderr
    [sent] = fake.robots[WECOM_KEY].sent
    assert sent == {"msgtype": "text", "text": {"content": "notifier test\n\nhi"}}
