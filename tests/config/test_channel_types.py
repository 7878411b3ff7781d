"""The real channel types under ``channels:``: checked by their adapters, located, secret-free."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest

import channels
from notifier.commands.check import run
from notifier.config import inspect_config, load_config
from tests.config.samples import EVERY_TYPE

#: Secret values, as the environment gives them; no part may show up in any message.
SECRETS = {
    "TG_TOKEN": "not-a-token-TGSECRET",
    "TG_HALF": "AAE-TGSECRET",
    "FEISHU_HOOK": "http://example.com/open-apis/bot/v2/hook/FSSECRET",
    "FEISHU_TOKEN": "FSSECRET",
    "FEISHU_SECRET": "FSSIGNSECRET",
    "DING_HOOK": "https://oapi.dingtalk.com/robot/send?token=DTSECRET",
    "DING_TOKEN": "DTSECRET",
    "DING_SECRET": "SECDTSIGNSECRET",
    "WECOM_KEY": "WCSECRET",
    "SMTP_PASSWORD": "SMTPSECRET",
    "NTFY_TOPIC": "bad topic NTSECRET",
    "NTFY_TOKEN": "tk_NTSECRET",
    "APPRISE_URL": "json://APSECRET@host/x",
}


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def assert_secret_free(*texts: str) -> None:
    """Every secret above holds ``SECRET``: no message may show any part of one."""
    assert all("SECRET" in value for value in SECRETS.values())
    for text in texts:
        assert "SECRET" not in text, text


def test_every_type_is_known_and_checked_by_its_adapter(write: Callable[..., str]):
    """One registry: the config knows exactly the adapters' types, with their settings."""
    config = load_config(write(EVERY_TYPE))
    assert sorted({spec.type for spec in config.channels.values()}) == sorted(channels.REGISTRY)
    assert config.channels["dt"].settings["keywords"] == ["AI"]
    assert config.warnings == ()


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (
            'tg: {type: telegram, token: "${TG_TOKEN}", chat_id: "-100123"}',
            "rules.yaml:2: channel 'tg': setting 'token' must look like 123456:ABC-DEF "
            "(from @BotFather)",
        ),
        (
            'fs: {type: feishu, webhook: "${FEISHU_HOOK}"}',
            "rules.yaml:2: channel 'fs': setting 'webhook' must be an https URL",
        ),
        (
            'fs: {type: feishu, webhook: "${FEISHU_TOKEN}", secret: "${FEISHU_SECRET}",\n'
            "    color: pink}",
            "rules.yaml:3: channel 'fs': setting 'color' must be one of blue, wathet, turquoise, "
            "green, yellow, orange, red, carmine, violet, purple, indigo, grey, default",
        ),
        (
            'dt: {type: dingtalk, webhook: "${DING_HOOK}", secret: "${DING_SECRET}"}',
            "rules.yaml:2: channel 'dt': setting 'webhook' has no access_token= (copy the whole "
            "URL, like https://oapi.dingtalk.com/robot/send?access_token=…)",
        ),
        (
            "dt:\n"
            "    type: dingtalk\n"
            '    webhook: "https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}"\n'
            '    secret: "${DING_SECRET}"\n'
            "    keywords: [AI, 3]",
            "rules.yaml:6: channel 'dt': setting 'keywords' must be a list of words",
        ),
        (
            "wc:\n"
            "    type: wecom\n"
            '    webhook: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?k=${WECOM_KEY}"',
            "rules.yaml:4: channel 'wc': setting 'webhook' has no key= (copy the whole URL, "
            "like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…)",
        ),
        (
            "mail:\n"
            "    type: email\n"
            "    host: smtp.example.com\n"
            "    sender: bot@example.com\n"
            "    recipients: [a@example.com]\n"
            '    password: "${SMTP_PASSWORD}"',
            "rules.yaml:7: channel 'mail': settings 'username' and 'password' go together",
        ),
        (
            "mail:\n"
            "    type: email\n"
            "    host: smtp.example.com\n"
            "    sender: bot@example.com\n"
            '    recipients: [a@example.com, "${SMTP_PASSWORD}"]',
            "rules.yaml:6: channel 'mail': setting 'recipients' item 2 is not an email address",
        ),
        (
            'nt: {type: ntfy, topic: "${NTFY_TOPIC}", token: "${NTFY_TOKEN}"}',
            "rules.yaml:2: channel 'nt': setting 'topic' may hold only letters, digits, - and _ "
            "(1-64)",
        ),
        (
            "nt:\n    type: ntfy\n    topic: ok\n    password: ${NTFY_TOKEN}",
            "rules.yaml:5: channel 'nt': settings 'username' and 'password' go together",
        ),
        (
            'ap: {type: apprise, urls: ["${APPRISE_URL}", "${NTFY_TOPIC}"]}',
            "rules.yaml:2: channel 'ap': setting 'urls' item 2 is not an Apprise URL "
            "(scheme://...)",
        ),
        (
            "fa:\n"
            "    type: feishu_app\n"
            "    app_id: cli_x\n"
            '    app_secret: "${FEISHU_SECRET}"\n'
            "    receive_id: oc_x\n"
            '    domain: "http://${FEISHU_TOKEN}.example.com"',
            "rules.yaml:7: channel 'fa': setting 'domain' must be an https URL",
        ),
    ],
    ids=[
        "telegram-token",
        "feishu-webhook",
        "lark-color",
        "dingtalk-webhook",
        "dingtalk-keywords",
        "wecom-webhook",
        "email-password",
        "email-recipients",
        "ntfy-topic",
        "ntfy-password",
        "apprise-urls",
        "feishu_app-domain",
    ],
)
def test_problems_point_at_the_setting_and_never_show_secrets(
    secrets: None, problems: Callable[[str], list[str]], channel: str, expected: str
):
    """Each adapter's own check, at its setting's line; no secret in any message."""
    got = problems(f"channels:\n  {channel}\nrules:\n  - {{name: x, any: [a]}}\n")
    assert got == [expected]
    assert_secret_free(*got)


def test_unknown_type_suggests_the_closest(problems: Callable[[str], list[str]]):
    """A misspelt type names the closest known one and lists them all."""
    got = problems("channels:\n  t: {type: telgram, token: x}\nrules:\n  - {name: x, any: [a]}\n")
    known = ", ".join(sorted(channels.REGISTRY))
    assert got == [
        f"rules.yaml:2: channel 't': unknown channel type 'telgram'; did you mean 'telegram'? "
        f"(known: {known})"
    ]


def test_unknown_setting_of_a_real_type(problems: Callable[[str], list[str]]):
    """An unknown setting is reported at its own line, with a suggestion."""
    got = problems(
        "channels:\n  n:\n    type: ntfy\n    topic: t\n    prio: 3\n"
        "rules:\n  - {name: x, any: [a]}\n"
    )
    assert got == ["rules.yaml:5: channel 'n': unknown setting 'prio' (did you mean 'priority'?)"]


WARNED = """\
channels:
  tg:
    type: telegram
    token: "123456:${TG_HALF}"
    chat_id: "-100123"
    api_server: http://tg.example.org
  mail:
    type: email
    host: smtp.example.com
    sender: bot@example.com
    recipients: [a@example.com]
    username: bot
    password: "${SMTP_PASSWORD}"
    security: none
  ap:
    type: apprise
    urls: ["feishu://${FEISHU_TOKEN}/${FEISHU_SECRET}"]
rules:
  - {name: x, any: [a], notify: [tg, mail, ap]}
"""

WARNINGS = [
    "rules.yaml:6: warning: channel 'tg': api_server is plain http: the bot token would "
    "travel unencrypted",
    "rules.yaml:14: warning: channel 'mail': security: none sends the SMTP password in clear text",
    "rules.yaml:17: warning: channel 'ap': urls item 1: Apprise reports feishu errors that arrive "
    "as HTTP 200 (bad signature, keyword, rate limit) as success; use type: feishu",
]


def test_warnings_are_located_and_secret_free(secrets: None, write: Callable[..., str]):
    """Adapters' warnings come with the config, at their setting's line."""
    report = inspect_config(write(WARNED))
    assert report.errors == []
    assert report.config is not None
    assert [str(w) for w in report.config.warnings] == WARNINGS
    assert [str(w) for w in report.warnings] == WARNINGS
    assert_secret_free(*WARNINGS)


def test_check_prints_warnings_and_exits_0(
    secrets: None, write: Callable[..., str], capsys: pytest.CaptureFixture[str]
):
    """`notifier check`: warnings on stderr as file:line: warning: ..., exit status 0."""
    write(WARNED)
    assert run(argparse.Namespace(config="rules.yaml")) == 0
    out, err = capsys.readouterr()
    assert out == "rules.yaml: OK — 1 rule, 4 channels, 3 warnings\n"
    assert err.splitlines() == WARNINGS


def test_check_prints_warnings_among_problems(
    secrets: None, write: Callable[..., str], capsys: pytest.CaptureFixture[str]
):
    """With problems too, every line is shown in file order, and the exit status is 1."""
    write(WARNED.replace("notify: [tg, mail, ap]", "notify: [tg, mail, ap, nope]"))
    assert run(argparse.Namespace(config="rules.yaml")) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == WARNINGS
    assert err[3].startswith("rules.yaml:19: notify: 'nope' is not a declared channel")
    assert err[4:] == ["rules.yaml: 1 problem"]
    assert_secret_free(*err)
