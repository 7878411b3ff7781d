"""Loading a good rules.yaml: what the Config holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import notifier.config
from notifier.config import ChannelSpec, Config, Settings, check_config, load_config
from notifier.rules.model import DEFAULT_FIELD_WEIGHTS, Location, Term

FULL = """\
settings:
  fold_traditional: false
  field_weights: {title: 4, summary: 1}
channels:
  console: {type: console}
rules:
  - name: openai
    any: [OpenAI, ChatGPT, "Sam Altman", {term: GPT-5, weight: 2, fields: [title]}]
    all: []
    none: [广告]
    regex: ['GPT-\\d+(\\.\\d+)?', {pattern: 'o\\d', weight: 0.5}]
    keywords: 'Codex +GPT !推广 /Sora\\s?\\d/'
    fields: [title, summary]
    weights: {summary: 2}
    min_score: 2
    tags: [ai]
    notify: [console]
    max_items: 10
  - name: chips
    keywords: 英伟达 NVIDIA 芯片
"""


def test_every_key_of_a_rule(write: Callable[..., str]):
    """A rule with every key reads into the shared Rule model."""
    config = load_config(write(FULL))
    rule = config.rule("openai")
    assert rule.any == (
        Term("OpenAI"),
        Term("ChatGPT"),
        Term("Sam Altman"),
        Term("GPT-5", weight=2.0, fields=("title",)),
        Term("GPT-\\d+(\\.\\d+)?", regex=True),
        Term("o\\d", regex=True, weight=0.5),
        Term("Codex"),
        Term("Sora\\s?\\d", regex=True),
    )
    assert rule.all == (Term("GPT"),)
    assert rule.none == (Term("广告"), Term("推广"))
    assert rule.fields == ("title", "summary")
    assert rule.field_weights == {"title": 4.0, "summary": 2.0, "source": 1.0, "section": 1.0}
    assert (rule.min_score, rule.tags, rule.notify, rule.max_items) == (
        2.0,
        ("ai",),
        ("console",),
        10,
    )
    assert rule.location == Location("rules.yaml", 7)
    assert config.settings == Settings(
        fold_traditional=False,
        field_weights={"title": 4.0, "summary": 1.0, "source": 1.0, "section": 1.0},
    )


def test_defaults(write: Callable[..., str]):
    """A minimal rule gets the model's defaults; console exists without channels:."""
    config = load_config(write("rules:\n  - name: x\n    any: [OpenAI]\n"))
    (rule,) = config.rules
    assert rule.fields == ("title", "summary")
    assert rule.field_weights == DEFAULT_FIELD_WEIGHTS
    assert (rule.min_score, rule.tags, rule.notify, rule.max_items) == (
        0.0,
        (),
        ("console",),
        None,
    )
    assert config.settings == Settings()
    assert config.settings.fold_traditional is True
    assert config.channels == {"console": ChannelSpec("console", "console")}


def test_single_strings_for_notify_tags_fields(write: Callable[..., str]):
    """notify, tags and fields take one string as well as a list."""
    config = load_config(
        write("rules:\n  - {name: x, any: [a], notify: console, tags: ai, fields: title}\n")
    )
    rule = config.rules[0]
    assert (rule.notify, rule.tags, rule.fields) == (("console",), ("ai",), ("title",))


def test_crlf_and_bom_just_work(in_tmp: Path):
    """A Windows-edited file (CRLF, BOM) loads, and lines are still right."""
    (in_tmp / "rules.yaml").write_bytes(
        "\ufeffrules:\r\n  - name: a\r\n    any: [x]\r\n  - name: b\r\n    any: [y]\r\n".encode()
    )
    config = load_config("rules.yaml")
    assert [r.location for r in config.rules] == [
        Location("rules.yaml", 2),
        Location("rules.yaml", 4),
    ]


def test_anchors_and_merge_keys(write: Callable[..., str]):
    """YAML anchors, aliases and << merges work."""
    config = load_config(
        write(
            """\
            rules:
              - &base {name: a, any: [x], tags: [t], notify: [console]}
              - {<<: *base, name: b}
            """
        )
    )
    assert [(r.name, r.tags) for r in config.rules] == [("a", ("t",)), ("b", ("t",))]


def test_frequency_words_files(write: Callable[..., str], in_tmp: Path):
    """TrendRadar files are read relative to rules.yaml; options apply to their rules."""
    (in_tmp / "kw").mkdir()
    write("OpenAI\n\n英伟达\n!广告\n", "kw/fw.txt")
    write("Kimi\n", "kw/other.txt")
    write(
        """\
        rules:
          - {name: OpenAI, any: [OpenAI]}
        frequency_words:
          - fw.txt
          - {path: other.txt, fields: [title, summary], tags: [tr]}
        """,
        "kw/rules.yaml",
    )
    config = load_config("kw/rules.yaml")
    names = [r.name for r in config.rules]
    assert names == ["OpenAI", "OpenAI (kw/fw.txt:1)", "英伟达", "Kimi"]
    assert config.rule("英伟达").none == (Term("广告"),)
    assert config.rule("英伟达").location == Location("kw/fw.txt", 3)
    assert config.rule("Kimi").fields == ("title", "summary")
    assert config.rule("Kimi").tags == ("tr",)


def test_frequency_only_config(write: Callable[..., str]):
    """A config may have only frequency_words (a lone path is fine too)."""
    write("DeepSeek\n", "fw.txt")
    config = load_config(write("frequency_words: fw.txt\n"))
    assert [r.name for r in config.rules] == ["DeepSeek"]


def test_interpolation(write: Callable[..., str], monkeypatch: pytest.MonkeyPatch):
    """${VAR} and ${VAR:-default} fill strings before validation; numbers stay numbers."""
    monkeypatch.setenv("WORD", "OpenAI")
    monkeypatch.setenv("SCORE", "2")
    monkeypatch.setenv("EMPTY", "")
    config = load_config(
        write(
            """\
            rules:
              - name: r-${WORD}
                any: ["${WORD}", "${UNSET_X:-ChatGPT}", "${EMPTY:-Sora}", "cost $${HOME}"]
                min_score: ${SCORE}
                max_items: ${UNSET_Y:-3}
            """
        )
    )
    rule = config.rules[0]
    assert rule.name == "r-OpenAI"
    assert [t.text for t in rule.any] == ["OpenAI", "ChatGPT", "Sora", "cost ${HOME}"]
    assert (rule.min_score, rule.max_items) == (2.0, 3)


def test_check_config_returns_config_and_no_errors(write: Callable[..., str]):
    """check_config gives (config, []) for a good file."""
    config, errors = check_config(write("rules:\n  - {name: x, any: [a]}\n"))
    assert isinstance(config, Config)
    assert errors == []


def test_config_rule_lookup_raises_keyerror(write: Callable[..., str]):
    """Config.rule names a missing rule in a KeyError."""
    config = load_config(write("rules:\n  - {name: x, any: [a]}\n"))
    with pytest.raises(KeyError):
        config.rule("nope")


def test_public_names():
    """The package exports exactly its documented API."""
    assert sorted(notifier.config.__all__) == [
        "BotLimits",
        "BotSpec",
        "ChannelSpec",
        "Config",
        "ConfigReport",
        "ServerSpec",
        "Settings",
        "SourceSpec",
        "WebhookSpec",
        "check_config",
        "default_config_path",
        "inspect_config",
        "load_config",
        "sqlite_path",
    ]


def test_console_stream_setting(write: Callable[..., str]):
    """The console type takes stream: stdout|stderr, like the console adapter."""
    config = load_config(
        write(
            "channels:\n  err: {type: console, stream: stderr}\nrules:\n  - {name: x, any: [a]}\n"
        )
    )
    assert config.channels["err"].settings == {"stream": "stderr"}
    _, errors = check_config(
        write("channels:\n  err: {type: console, stream: file}\nrules:\n  - {name: x, any: [a]}\n")
    )
    assert [str(e) for e in errors] == [
        "rules.yaml:2: channel 'err': setting 'stream' must be one of stdout, stderr"
    ]
