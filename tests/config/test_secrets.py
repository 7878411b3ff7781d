"""Values that come from ${VAR} never show up in an error message or a repr."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import channels
from notifier.config import ChannelSpec, check_config, load_config

SECRET = "hunter2-s3cr3t"
NUMBER = "-987654"
KNOWN = "apprise, console, dingtalk, email, fake, feishu, feishu_app, lark, ntfy, telegram, wecom"


@pytest.fixture(autouse=True)
def fake_type(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``fake`` channel type (tests/config/fake_channel.py) and secrets in the env."""
    monkeypatch.setenv("TG_TOKEN", SECRET)
    monkeypatch.setenv("SECRET", SECRET)
    monkeypatch.setenv("NUM", NUMBER)
    monkeypatch.setitem(channels.REGISTRY, "fake", "tests.config.fake_channel:FakeChannel")


BAD = """\
channels:
  tg: {type: fake, token: "${TG_TOKEN}", chat_id: "${SECRET}", mode: "${SECRET}"}
  other: {type: "${SECRET}"}
rules:
  - name: "${SECRET}"
    any: ["${SECRET}"]
    regex: ["${SECRET}("]
    keywords: '"${SECRET} x'
    fields: ["${SECRET}"]
    weights:
      title: "${NUM}"
      summary: ${NUM}
    min_score: ${NUM}
    max_items: ${NUM}
    notify: ["${SECRET}"]
  - name: "${SECRET}"
    any: [x]
frequency_words: ["${SECRET}.txt"]
"""


def test_errors_show_the_variable_not_its_value(
    problems: Callable[[str], list[str]],
):
    """Every problem is reported, naming ${VAR} where a value would be shown."""
    got = problems(BAD)
    assert got == [
        "rules.yaml:2: channel 'tg': setting 'chat_id' must be a whole number, got a string",
        "rules.yaml:2: channel 'tg': setting 'mode' must be one of html, text",
        f"rules.yaml:3: channel 'other': unknown channel type '${{SECRET}}' (known: {KNOWN})",
        "rules.yaml:7: regex: invalid regex '${SECRET}(': missing ), unterminated subpattern",
        'rules.yaml:8: keywords: column 1: unterminated quote: add the closing "',
        "rules.yaml:9: fields: '${SECRET}' is not an item field; "
        "fields are title, summary, source, section",
        "rules.yaml:11: weights.title: must be a number, got a string "
        "(write ${NUM} without quotes for a number)",
        "rules.yaml:12: weights.summary: must be a positive number",
        "rules.yaml:13: min_score: must be a number >= 0",
        "rules.yaml:14: max_items: must be a whole number > 0, got a number",
        "rules.yaml:15: notify: '${SECRET}' is not a declared channel; "
        "channels: console, other, tg",
        "rules.yaml:16: duplicate rule name '${SECRET}' (first at line 5)",
        "rules.yaml:18: frequency_words: cannot read '${SECRET}.txt': No such file or directory",
    ]
    for message in got:
        assert SECRET not in message
        assert NUMBER not in message


def test_reprs_mask_channel_settings(write: Callable[..., str]):
    """A loaded config's repr and its channels' reprs show setting names, never values."""
    config = load_config(
        write(
            """\
            channels:
              tg: {type: fake, token: "${TG_TOKEN}", chat_id: 42, mode: html}
            rules:
              - {name: x, any: [a], notify: [tg, console]}
            """
        )
    )
    spec = config.channels["tg"]
    assert spec.settings["token"] == SECRET  # the adapter gets the real value
    assert repr(spec) == (
        "ChannelSpec(name='tg', type='fake', settings={'token': '***', 'chat_id': '***', "
        "'mode': '***'})"
    )
    assert repr(config) == "Config(path='rules.yaml', rules=<1 rules>, channels=['tg', 'console'])"
    assert SECRET not in repr(config)
    assert SECRET not in str(config)
    assert "42" not in repr(config.channels)


def test_unset_variable_is_reported_at_its_line(problems: Callable[[str], list[str]]):
    """An unset ${VAR} is named, once, at its line; the value using it is not re-reported."""
    got = problems(
        """\
        channels:
          tg: {type: fake, token: "${MISSING}"}
        rules:
          - name: x
            any: ["${MISSING}", ok]
            min_score: ${MISSING}
            notify: [tg]
        """
    )
    assert got == [
        "rules.yaml:2: environment variable MISSING is not set",
        "rules.yaml:5: environment variable MISSING is not set",
        "rules.yaml:6: environment variable MISSING is not set",
    ]


def test_malformed_references(problems: Callable[[str], list[str]]):
    """${} with a bad name, and an unclosed ${, are errors at their line."""
    got = problems(
        """\
        rules:
          - name: x
            any: ["${1BAD}", "${OPEN"]
        """
    )
    assert got == [
        "rules.yaml:3: malformed ${...}: write ${NAME} or ${NAME:-default}",
        "rules.yaml:3: unclosed ${: write ${NAME} or ${NAME:-default}",
    ]


def test_channel_type_problems_without_values(problems: Callable[[str], list[str]]):
    """Unknown and missing settings are named; their values never are."""
    got = problems(
        """\
        channels:
          tg:
            type: fake
            tokn: "${SECRET}"
        rules:
          - {name: x, any: [a], notify: tg}
        """
    )
    assert got == [
        "rules.yaml:2: channel 'tg': missing setting 'token': the bot token",
        "rules.yaml:4: channel 'tg': unknown setting 'tokn' (did you mean 'token'?)",
    ]


def test_cross_check_points_at_the_setting(problems: Callable[[str], list[str]]):
    """A type's cross_check() runs after the schema, and points at its setting's line."""
    got = problems(
        """\
        channels:
          mail:
            type: fake
            token: x
            user: "${SECRET}"
        rules:
          - {name: x, any: [a]}
        """
    )
    assert got == ["rules.yaml:5: channel 'mail': give user and password together"]


def test_an_adapter_that_cannot_load_is_one_problem(
    problems: Callable[[str], list[str]], monkeypatch: pytest.MonkeyPatch
):
    """A registered type whose module is missing is reported at its type: line."""
    monkeypatch.setitem(channels.REGISTRY, "gone", "tests.config.no_such_module:Gone")
    got = problems("channels:\n  g:\n    type: gone\nrules:\n  - {name: x, any: [a]}\n")
    assert got == [
        "rules.yaml:3: channel 'g': cannot load the gone adapter "
        "(ModuleNotFoundError: No module named 'tests.config.no_such_module')"
    ]


def test_channel_spec_equality_ignores_location():
    """ChannelSpec compares by name, type and settings."""
    assert ChannelSpec("c", "console") == ChannelSpec("c", "console", {}, None)


def test_check_config_on_missing_file(in_tmp: object):
    """A missing file is one error without a line."""
    config, errors = check_config("nope.yaml")
    assert config is None
    assert [str(e) for e in errors] == ["nope.yaml: cannot read: No such file or directory"]


def test_an_adapter_that_fails_is_one_problem_without_its_message(
    problems: Callable[[str], list[str]], monkeypatch: pytest.MonkeyPatch
):
    """An exception inside an adapter's check is reported by type: its text may hold a value."""
    from tests.config.fake_channel import FakeChannel

    def explode(cls: type, values: object) -> list[tuple[str | None, str]]:
        raise ValueError(f"bad value {SECRET}")

    monkeypatch.setattr(FakeChannel, "cross_check", classmethod(explode))
    got = problems(
        'channels:\n  f: {type: fake, token: "${SECRET}"}\nrules:\n  - {name: x, any: [a]}\n'
    )
    assert got == [
        "rules.yaml:2: channel 'f': the fake adapter failed on these settings (ValueError)"
    ]
