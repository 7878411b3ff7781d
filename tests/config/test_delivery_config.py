"""``delivery:`` at the top level, in a channel and in a rule, read into policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from notifier.config import inspect_config, load_config
from notifier.delivery.policy import Mode, Policy

Problems = Callable[[str], list[str]]
RULES = "rules:\n  - {name: x, any: [a], notify: [console, tg, phone]}\n"
ONE = "rules:\n  - {name: x, any: [a]}\n"

MERGED = """\
delivery:
  mode: digest
  at: [9:00, "18:00", "09:00"]
  timezone: Asia/Shanghai
  quiet: 23:00-07:00
  max_per_hour: 20
channels:
  tg:
    type: console
    delivery: {mode: instant, max_per_hour: null, max_items: 5, backlog: 0}
  phone:
    type: console
    delivery: digest
    stream: stderr
"""


def test_channel_over_top_level_over_defaults(write: Callable[..., str]):
    """Each key a channel gives wins; the rest comes from the top level, then Policy()."""
    config = load_config(write(MERGED + RULES))
    top = Policy(
        mode=Mode.DIGEST,
        at=(dt.time(9, 0), dt.time(18, 0)),
        timezone="Asia/Shanghai",
        quiet=(dt.time(23, 0), dt.time(7, 0)),
        max_per_hour=20,
    )
    assert config.delivery == {
        "tg": Policy(
            mode=Mode.INSTANT,
            at=top.at,
            timezone="Asia/Shanghai",
            quiet=top.quiet,
            max_per_hour=None,
            max_items=5,
            backlog=0,
        ),
        "phone": top,
        "console": top,
    }
    assert config.policy("tg").max_items == 5
    # delivery: is the service's, not a setting the adapter sees.
    assert config.channels["phone"].settings == {"stream": "stderr"}
    assert config.channels["tg"].settings == {}


def test_every_channel_has_a_policy(write: Callable[..., str]):
    """Without any delivery: every channel gets Policy()."""
    config = load_config(write("channels:\n  tg: {type: console}\n" + ONE))
    assert config.delivery == {"tg": Policy(), "console": Policy()}
    assert config.policy("nope") == Policy()


def test_null_overrides_clear_top_level_values(write: Callable[..., str]):
    """A channel can switch off quiet hours, the hourly cap or the time zone."""
    config = load_config(
        write(
            "delivery: {quiet: '22:00-06:00', max_per_hour: 3, timezone: Europe/Berlin}\n"
            "channels:\n"
            "  tg: {type: console, delivery: {quiet: null, max_per_hour: null, timezone: null}}\n"
            + ONE
        )
    )
    assert config.delivery["tg"] == Policy()
    assert config.delivery["console"].quiet == (dt.time(22, 0), dt.time(6, 0))


def test_rule_delivery(write: Callable[..., str]):
    """A rule's delivery: instant|digest lands in Rule.delivery."""
    config = load_config(
        write(
            "rules:\n  - {name: a, any: [x], delivery: digest}\n"
            "  - {name: b, any: [y], delivery: instant}\n  - {name: c, any: [z]}\n"
        )
    )
    assert [r.delivery for r in config.rules] == ["digest", "instant", None]


BAD = """\
delivery:
  mode: digets
  at: ["9am", "10:00"]
  timezone: Asia/Shanghia
  quiet: "23:00"
  max_per_hour: 0
  max_items: many
  backlog: -1
  when: now
channels:
  tg:
    type: console
    delivery:
      at: []
      quiet: 07:00-07:00
      timezone: Mars/Olympus
  phone: {type: console, delivery: sometimes}
  other: {type: console, delivery: [a]}
rules:
  - {name: x, any: [a], delivery: instnat}
"""


def test_every_problem_at_its_line(problems: Problems):
    """Each bad delivery value at its own line, with the channel named."""
    assert problems(BAD) == [
        "rules.yaml:2: delivery: mode: must be instant or digest, got 'digets' "
        "(did you mean 'digest'?)",
        "rules.yaml:3: delivery: at: '9am' is not a time of day; write HH:MM, e.g. '09:00'",
        "rules.yaml:4: delivery: timezone: unknown time zone 'Asia/Shanghia' "
        "(did you mean 'Asia/Shanghai'?)",
        "rules.yaml:5: delivery: quiet: write START-END, e.g. '23:00-07:00', got '23:00'",
        "rules.yaml:6: delivery: max_per_hour: must be a whole number > 0, got 0",
        "rules.yaml:7: delivery: max_items: must be a whole number > 0, got a string",
        "rules.yaml:8: delivery: backlog: must be a whole number >= 0, got -1",
        "rules.yaml:9: delivery: unknown setting 'when' (known: mode, at, timezone, quiet, "
        "max_per_hour, max_items, backlog, language)",
        "rules.yaml:14: channel 'tg': delivery: at: give at least one time, "
        "e.g. ['09:00', '18:00']",
        "rules.yaml:15: channel 'tg': delivery: quiet: start and end are the same time; "
        "write START-END, e.g. '23:00-07:00'",
        "rules.yaml:16: channel 'tg': delivery: timezone: unknown time zone 'Mars/Olympus' "
        "(an IANA name, e.g. Asia/Shanghai, Europe/Berlin, UTC)",
        "rules.yaml:17: channel 'phone': delivery: must be instant or digest, got 'sometimes'",
        "rules.yaml:18: channel 'other': delivery must be a mapping, got a list",
        "rules.yaml:20: delivery: must be instant or digest, got 'instnat' "
        "(did you mean 'instant'?)",
    ]


def test_time_zone_from_a_variable(problems: Problems, monkeypatch: pytest.MonkeyPatch):
    """A bad zone from ${VAR} is named as written, with no guess from its value."""
    monkeypatch.setenv("TZ_NAME", "Asia/Shanghia")
    assert problems('delivery: {timezone: "${TZ_NAME}"}\n' + ONE) == [
        "rules.yaml:1: delivery: timezone: unknown time zone '${TZ_NAME}'"
    ]


def test_case_insensitive_zone_suggestion(problems: Problems):
    """asia/shanghai suggests the IANA spelling."""
    assert problems("delivery: {timezone: asia/shanghai}\n" + ONE) == [
        "rules.yaml:1: delivery: timezone: unknown time zone 'asia/shanghai' "
        "(did you mean 'Asia/Shanghai'?)"
    ]


@pytest.mark.parametrize(
    ("config", "warned"),
    [
        (
            "delivery: {at: '08:00'}\n",
            ["rules.yaml:1: warning: delivery: at: applies in digest mode only (mode: digest)"],
        ),
        ("delivery: {at: '08:00'}\nchannels:\n  tg: {type: console, delivery: digest}\n", []),
        ("delivery: {at: '08:00'}\nrules:\n  - {name: y, any: [b], delivery: digest}\n", []),
    ],
)
def test_at_without_digest_mode_warns(write: Callable[..., str], config: str, warned: list[str]):
    """at: alone does nothing unless some channel or rule delivers in digest mode."""
    text = config if "rules:" in config else config + ONE
    report = inspect_config(write(text))
    assert report.config is not None
    assert [str(w) for w in report.warnings] == warned


def test_language_of_the_pushes(write: Callable[..., str], problems: Problems):
    """``language: zh`` (top level or a channel's) makes a target's push headings Chinese;
    only en and zh are known."""
    config = load_config(
        write(
            "delivery: {language: zh}\n"
            "channels:\n  tg: {type: console, delivery: {language: en}}\n" + ONE
        )
    )
    assert config.policy("tg").language == "en"
    assert config.policy("console").language == "zh"
    assert (
        load_config(write("channels:\n  tg: {type: console}\n" + ONE)).policy("tg").language
        == "en"
    )
    assert problems("delivery: {language: cn}\n" + ONE) == [
        "rules.yaml:1: delivery: language: must be en or zh, got 'cn'"
    ]
