"""``bot:``: the Telegram bot's token, server, admins, limits, language, webhook."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from notifier.config import BotLimits, inspect_config, load_config

Problems = Callable[[str], list[str]]
RULES = "rules:\n  - {name: x, any: [a]}\n"
TOKEN = "123456:AAE-secret_part_of_the_token"


def test_no_bot_section(write: Callable[..., str]) -> None:
    assert load_config(write(RULES)).bot is None


def test_defaults(write: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    bot = load_config(write(RULES + "bot:\n  token: ${TELEGRAM_BOT_TOKEN}\n")).bot
    assert bot is not None
    assert bot.token == TOKEN
    assert bot.api_server == "https://api.telegram.org"
    assert bot.admins == ()
    assert bot.limits == BotLimits(subscriptions=20, keywords=10, expr_chars=200, commands=20)
    assert bot.language == "en"
    assert bot.webhook is None
    assert bot.preview_days == 3
    assert TOKEN not in repr(bot)
    assert "secret_part" not in repr(bot)


def test_every_setting(write: Callable[..., str]) -> None:
    config = load_config(
        write(
            RULES
            + f"""\
bot:
  token: "{TOKEN}"
  api_server: http://127.0.0.1:8081/
  admins: [42, "77"]
  language: zh
  preview_days: 7
  limits:
    subscriptions: 5
    keywords: 3
    expression_length: 100
    commands_per_minute: 10
  webhook:
    url: https://bot.example.com:8443/tg/hook
    secret_token: s3cret_TOKEN-1
    listen: 0.0.0.0:9000
"""
        )
    )
    bot = config.bot
    assert bot is not None
    assert bot.api_server == "http://127.0.0.1:8081"
    assert bot.admins == (42, 77)
    assert bot.language == "zh"
    assert bot.preview_days == 7
    assert bot.limits == BotLimits(5, 3, 100, 10)
    hook = bot.webhook
    assert hook is not None
    assert (hook.url, hook.secret, hook.host, hook.port, hook.path) == (
        "https://bot.example.com:8443/tg/hook",
        "s3cret_TOKEN-1",
        "0.0.0.0",
        9000,
        "/tg/hook",
    )
    assert "s3cret" not in repr(bot)
    assert config.warnings == ()  # plain http on this machine is fine


def test_problems_are_reported_at_their_line(problems: Problems) -> None:
    found = problems(
        RULES
        + """\
bot:
  token: not-a-token
  api_server: ftp://x
  admins: [42, -1]
  language: fr
  preview_days: 0
  limits: {subscriptions: 0, keywords: many, expresion_length: 5}
  webhook: {url: "http://bot.example.com/hook"}
  tokn: x
"""
    )
    assert found == [
        "rules.yaml:4: bot: token: must look like 123456:ABC-DEF (@BotFather)",
        "rules.yaml:5: bot: api_server: must be an http(s) URL, e.g. https://api.telegram.org",
        "rules.yaml:6: bot: admins: each must be a Telegram user id (a number > 0), got -1",
        "rules.yaml:7: bot: language: must be en or zh, got 'fr'",
        "rules.yaml:8: bot: preview_days: must be a whole number > 0, got 0",
        "rules.yaml:9: bot: limits: unknown setting 'expresion_length' "
        "(did you mean 'expression_length'?)",
        "rules.yaml:9: bot: limits: subscriptions: must be a whole number > 0, got 0",
        "rules.yaml:10: bot: webhook: url: must be an https:// URL (Telegram requires it)",
        "rules.yaml:11: bot: unknown setting 'tokn' (did you mean 'token'?)",
    ]


def test_token_required_and_never_shown(problems: Problems, monkeypatch: pytest.MonkeyPatch):
    assert problems(RULES + "bot:\n  admins: [1]\n") == [
        "rules.yaml:3: bot: token: required (the bot's token from @BotFather)"
    ]
    monkeypatch.setenv("BAD_TOKEN", "secret-value-without-colon")
    found = problems(RULES + "bot:\n  token: ${BAD_TOKEN}\n")
    assert found == ["rules.yaml:4: bot: token: must look like 123456:ABC-DEF (@BotFather)"]
    assert problems(RULES + "bot:\n  token: ${MISSING}\n")[0].startswith("rules.yaml:4:")


def test_webhook_rules(problems: Problems) -> None:
    base = RULES + f'bot:\n  token: "{TOKEN}"\n  webhook:\n'
    assert problems(base + "    url: https://bot.example.com:8080/x\n") == [
        "rules.yaml:6: bot: webhook: url: Telegram only delivers to ports 443, 80, 88, 8443"
    ]
    assert problems(base + "    secret_token: abc\n") == [
        "rules.yaml:6: bot: webhook: url: required (the public HTTPS URL)"
    ]
    found = problems(base + "    url: https://b.example\n    secret_token: 'has space'\n")
    assert found == [
        "rules.yaml:7: bot: webhook: secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and - only"
    ]
    assert problems(base + "    url: https://b.example\n    listen: 'x:y'\n") == [
        "rules.yaml:7: bot: webhook: listen: write HOST:PORT, e.g. 127.0.0.1:8443, got 'x:y'"
    ]


def test_warnings(write: Callable[..., str]) -> None:
    text = (
        RULES
        + f'bot:\n  token: "{TOKEN}"\n  api_server: http://bot-api.example\n'
        + "  webhook: {url: https://b.example/hook}\n"
    )
    report = inspect_config(write(text))
    assert report.errors == []
    assert [str(w) for w in report.warnings] == [
        "rules.yaml:5: warning: bot: api_server is plain http: the token would travel unencrypted",
        "rules.yaml:6: warning: bot: webhook: no secret_token: anyone who learns the URL can "
        "send fake updates",
    ]


def test_notifier_check_validates_it(write: Callable[..., str], in_tmp: Path) -> None:
    write(RULES + f'bot:\n  token: "{TOKEN}"\n  language: de\n')
    run = subprocess.run(
        [sys.executable, "-m", "notifier", "check", "rules.yaml"],
        capture_output=True,
        text=True,
        cwd=in_tmp,
        check=False,
    )
    assert run.returncode == 1
    assert "rules.yaml:5: bot: language: must be en or zh, got 'de'" in run.stdout + run.stderr
    assert TOKEN not in run.stdout + run.stderr
