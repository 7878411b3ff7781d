"""The bot's small parts: every text in both languages, the rate window, expression checks,
message fitting; and that commands which must start fast never import aiogram."""

from __future__ import annotations

import string
import subprocess
import sys
from pathlib import Path

import pytest

from notifier.bot.common import MAX_HTML, fit
from notifier.bot.context import RateWindow
from notifier.bot.exprs import Refusal, explain, reason_text, validate
from notifier.bot.i18n import COMMANDS, TEXTS, Html, lang_of, t
from notifier.config import BotLimits

REPO = Path(__file__).resolve().parents[2]


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_exists_in_both_languages_with_the_same_fields(key: str) -> None:
    table = TEXTS[key]
    assert set(table) == {"en", "zh"}
    assert fields(table["en"]) == fields(table["zh"])


def test_commands_fit_telegram_rules() -> None:
    for command, en, zh in COMMANDS:
        assert command.islower()
        assert len(command) <= 32
        assert 1 <= len(en) <= 256
        assert 1 <= len(zh) <= 256


def test_values_are_escaped_unless_marked_html() -> None:
    assert t("en", "tz_bad", value="<b>&") == (
        "Unknown time zone &lt;b&gt;&amp;; e.g. Asia/Shanghai, Europe/Berlin, UTC."
    )
    assert "<i>x</i>" in t("en", "help", commands=Html("<i>x</i>"))


def test_language_from_telegram() -> None:
    assert lang_of("zh-hans") == "zh"
    assert lang_of("zh-TW") == "zh"
    assert lang_of("en-US") == "en"
    assert lang_of("de") == "en"
    assert lang_of(None, "zh") == "zh"


def test_rate_window_slides() -> None:
    now = [0.0]
    window = RateWindow(2, 10.0, lambda: now[0])
    assert window.hit(1) == 0
    assert window.hit(1) == 0
    assert window.hit(1) == 10.0
    assert window.hit(2) == 0
    now[0] = 5.0
    assert window.hit(1) == 5.0
    assert window.first_warning(1)
    assert not window.first_warning(1)
    now[0] = 10.5
    assert window.hit(1) == 0


@pytest.mark.parametrize(
    ("expr", "key"),
    [
        ("", "sub_usage"),
        ("a b c d", "too_many_terms"),
        ("x" * 41, "expr_too_long"),
        ("<b>x</b>", "html_refused"),
        ("</script>", "html_refused"),
        ("!广告", "only_excluded"),
        ("   ", "sub_usage"),
        ("/(/", "expr_error"),
    ],
)
def test_validate_refuses(expr: str, key: str) -> None:
    with pytest.raises(Refusal) as refused:
        validate(expr, BotLimits(keywords=3, expr_chars=40))
    assert refused.value.key == key


def test_validate_accepts_the_example() -> None:
    rule = validate('OpenAI 英伟达 "Sam Altman" +芯片 !广告', BotLimits())
    assert [x.text for x in rule.any] == ["OpenAI", "英伟达", "Sam Altman"]
    assert [x.text for x in rule.all] == ["芯片"]
    assert [x.text for x in rule.none] == ["广告"]
    assert validate("1<2 AT&T", BotLimits()).any[1].text == "AT&T"


def test_explain_matches_like_the_engine_and_speaks_chinese() -> None:
    assert explain("英伟达 +芯片", "輝達發表新晶片").matched  # Traditional folded: 晶片 → 芯片
    assert not explain("英伟达 +芯片", "輝達發表新晶片", traditional=False).matched
    found = explain("英伟达 +芯片 !广告", "英伟达芯片广告")
    assert reason_text(found.reason, "en") == "excluded by '广告' in title"
    assert reason_text(found.reason, "zh") == "含排除词「广告」"
    assert reason_text("no keyword", "zh") == "没有命中任何关键词"
    assert reason_text("missing required '芯片'", "zh") == "缺少必须词「芯片」"


def test_fit_cuts_whole_lines() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    cut = fit(text)
    assert len(cut) <= MAX_HTML
    assert cut.endswith("\n…")
    assert all(line.startswith("line ") for line in cut.splitlines()[:-1])
    assert fit("short") == "short"


def test_check_and_test_rule_do_not_import_aiogram(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: ai\n    any: [OpenAI]\n"
        'bot:\n  token: "123:abc"\n  admins: [1]\n  limits: {keywords: 5}\n',
        encoding="utf-8",
    )
    code = (
        "import sys\n"
        "from notifier.cli import main\n"
        f"assert main(['check', {str(rules)!r}]) == 0\n"
        f"main(['test-rule', '-c', {str(rules)!r}, {str(REPO / 'examples' / 'digests')!r}])\n"
        "import notifier.pipeline.service, notifier.commands.bot, notifier.bot.options\n"
        "print([m for m in sys.modules if m.split('.')[0] == 'aiogram'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.splitlines()[-1] == "[]"
