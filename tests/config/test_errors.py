"""Every problem of a bad rules.yaml, each as ``file:line: message``, all at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from notifier.config import check_config, load_config
from notifier.errors import ConfigError

Problems = Callable[[str], list[str]]
KNOWN = "apprise, console, dingtalk, email, feishu, feishu_app, lark, ntfy, telegram, wecom"


def test_yaml_syntax_error_has_its_line(problems: Problems):
    """A syntax error is one problem, at the line PyYAML found it."""
    assert problems("rules:\n  - {name: x, any: [a, b}\n") == [
        "rules.yaml:2: YAML syntax error: expected ',' or ']', but got '}'"
    ]


def test_unterminated_quote_names_where_it_started(problems: Problems):
    """The context line is given when it differs from the problem line."""
    assert problems("rules:\n  - name: 'x\n") == [
        "rules.yaml:3: YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar started at line 2)"
    ]


def test_tab_indentation(in_tmp: Path):
    """Tabs get a plain explanation."""
    (in_tmp / "rules.yaml").write_text("rules:\n  - name: x\n\tany: [a]\n", encoding="utf-8")
    _, errors = check_config("rules.yaml")
    assert [str(e) for e in errors] == [
        "rules.yaml:3: YAML syntax error: a tab character; YAML indents with spaces only"
    ]


def test_crlf_errors_keep_their_lines(in_tmp: Path):
    """CRLF files report the same lines as LF files."""
    (in_tmp / "rules.yaml").write_bytes(b"rules:\r\n  - name: x\r\n    notfy: [a]\r\n")
    _, errors = check_config("rules.yaml")
    assert [str(e) for e in errors] == [
        "rules.yaml:3: unknown field 'notfy' (did you mean 'notify'?)",
        "rules.yaml:2: rule 'x' has no terms: give any:, all:, regex: or keywords:",
    ][::-1]


def test_not_utf8(in_tmp: Path):
    """A file in another encoding is reported with the line of the first bad byte."""
    (in_tmp / "rules.yaml").write_bytes("rules:\n  - name: 英伟达\n".encode("gbk"))
    _, errors = check_config("rules.yaml")
    assert [str(e) for e in errors] == ["rules.yaml:2: not UTF-8 text"]


@pytest.mark.parametrize("text", ["", "# nothing yet\n"])
def test_empty_config(problems: Problems, text: str):
    """An empty file says what to write."""
    assert problems(text) == [
        "rules.yaml:1: the config is empty: write rules: (see the example rules.yaml)"
    ]


def test_top_level(problems: Problems):
    """The top must be a mapping of known keys, with rules somewhere."""
    assert problems("- a\n") == ["rules.yaml:1: the config must be a mapping, got a list"]
    assert problems("settings: {}\nrulez: []\n") == [
        "rules.yaml:1: no rules: add rules: or frequency_words:",
        "rules.yaml:2: unknown top-level key 'rulez' (did you mean 'rules'?)",
    ]


def test_many_rule_problems_at_once(problems: Problems):
    """Each bad value is reported at its own line; nothing stops at the first."""
    got = problems(
        """\
        rules:
          - OpenAI
          - name: ""
            any: [a]
          - any: [a]
          - name: z
            any: OpenAI ChatGPT
          - name: y
            any:
              - 2025
              - {term: a, pattern: b}
              - {wieght: 2}
              - {term: a, weight: -1}
              - {term: b, weight: true}
              - {term: c, fields: [titel]}
            regex: [{term: x}, 'GPT-(']
          - name: w
            any: [a]
            fields: []
            min_score: abc
            max_items: 1.5
            tags: [1]
            notify: []
          - name: v
            any: [a]
            keywords: ""
            weights: {titel: 2, summary: x, title: 0}
          - name: u
          - name: t
            none: [广告]
        """
    )
    assert got == [
        "rules.yaml:2: rules[0] must be a mapping, got a string",
        "rules.yaml:3: name: must not be empty",
        "rules.yaml:5: rule has no name: (give it one, e.g. name: openai)",
        "rules.yaml:7: any: must be a list, got a string (for the one-line syntax use keywords:)",
        "rules.yaml:10: any: must be a string, got a number (quote it)",
        "rules.yaml:11: any: each mapping needs exactly one term: (a word) or pattern: (a regex)",
        "rules.yaml:12: unknown key 'wieght' (did you mean 'weight'?)",
        "rules.yaml:12: any: each mapping needs exactly one term: (a word) or pattern: (a regex)",
        "rules.yaml:13: any.weight: must be a positive number, got -1",
        "rules.yaml:14: any.weight: must be a number, got true/false",
        "rules.yaml:15: any.fields: 'titel' is not an item field (did you mean 'title'?); "
        "fields are title, summary, source, section",
        "rules.yaml:16: unknown key 'term'",
        "rules.yaml:16: regex: each mapping needs exactly one pattern:",
        "rules.yaml:16: regex: invalid regex 'GPT-(': "
        "missing ), unterminated subpattern at position 4",
        "rules.yaml:19: fields: give at least one of title, summary, source, section",
        "rules.yaml:20: min_score: must be a number, got a string",
        "rules.yaml:21: max_items: must be a whole number > 0, got 1.5",
        "rules.yaml:22: tags: must be a string, got a number (quote it)",
        "rules.yaml:23: notify: give at least one target, e.g. [console]",
        "rules.yaml:26: keywords: must not be empty",
        "rules.yaml:27: weights: 'titel' is not an item field (did you mean 'title'?); "
        "fields are title, summary, source, section",
        "rules.yaml:27: weights.summary: must be a number, got a string",
        "rules.yaml:27: weights.title: must be a positive number, got 0",
        "rules.yaml:28: rule 'u' has no terms: give any:, all:, regex: or keywords:",
        "rules.yaml:29: rule 't' only excludes: add any:, all:, regex: or keywords: to look for",
    ]


def test_unknown_rule_field_suggests_the_closest(problems: Problems):
    """The example from the docs."""
    assert problems("rules:\n  - name: x\n    any: [a]\n    notfy: [console]\n") == [
        "rules.yaml:4: unknown field 'notfy' (did you mean 'notify'?)"
    ]


def test_duplicate_rule_names_name_both_lines(problems: Problems):
    """The second definition is reported, with the line of the first."""
    got = problems(
        """\
        rules:
          - name: openai
            any: [OpenAI]
          - name: chips
            any: [芯片]
          - name: openai
            any: [ChatGPT]
        """
    )
    assert got == ["rules.yaml:6: duplicate rule name 'openai' (first at line 2)"]


def test_duplicate_keys(problems: Problems):
    """A key written twice in one mapping is an error (YAML would keep the last silently)."""
    got = problems("rules:\n  - name: a\n    any: [x]\n    any: [y]\n")
    assert got == ["rules.yaml:4: duplicate key 'any' (first at line 3)"]


def test_keywords_errors_give_line_and_column(problems: Problems):
    """An expression error points at the line, and the column inside the expression."""
    got = problems(
        """\
        rules:
          - name: a
            keywords: 'OpenAI "Sam Altman'
          - name: b
            keywords: 'x /GPT-(/'
          - name: c
            keywords: '!广告'
        """
    )
    assert got == [
        'rules.yaml:3: keywords: column 8: unterminated quote: add the closing "',
        "rules.yaml:5: keywords: column 3: invalid regex: "
        "missing ), unterminated subpattern at position 4",
        "rules.yaml:6: rule 'c' only excludes: add any:, all:, regex: or keywords: to look for",
    ]


def test_keywords_merge_with_lists_so_only_excluded_is_fine_there(problems: Problems):
    """`keywords: '!广告'` next to `any:` is a complete rule."""
    assert problems("rules:\n  - {name: a, any: [x], keywords: '!广告'}\n") == []


def test_settings_and_channels(problems: Problems):
    """Settings and channels are checked like rules."""
    got = problems(
        """\
        settings:
          fold_traditional: maybe
          field_weight: {}
          field_weights: [1]
        channels:
          a: console
          b: {}
          c: {type: consol}
          d: {type: console, color: red}
        rules:
          - {name: x, any: [a], notify: [console, e]}
        """
    )
    assert got == [
        "rules.yaml:2: fold_traditional: must be true or false, got a string",
        "rules.yaml:3: unknown setting 'field_weight' (did you mean 'field_weights'?)",
        "rules.yaml:4: field_weights must be a mapping, got a list",
        "rules.yaml:6: channel 'a' must be a mapping, got a string",
        f"rules.yaml:7: channel 'b' has no type: (known types: {KNOWN})",
        "rules.yaml:8: channel 'c': unknown channel type 'consol'; did you mean 'console'? "
        f"(known: {KNOWN})",
        "rules.yaml:9: channel 'd': unknown setting 'color' (known: stream)",
        "rules.yaml:11: notify: 'e' is not a declared channel; channels: a, b, c, console, d",
    ]


def test_frequency_words_problems(problems: Problems, write: Callable[..., str]):
    """Unreadable files are reported at their rules.yaml line; bad ones at their own."""
    write("OpenAI\n@x\n", "bad.txt")
    got = problems(
        """\
        frequency_words:
          - missing.txt
          - {pth: x}
          - {path: bad.txt, notify: [nope]}
          - {path: bad.txt, fields: [titel]}
          - bad.txt
          - 3
        """
    )
    assert got == [
        "rules.yaml:2: frequency_words: cannot read 'missing.txt': No such file or directory",
        "rules.yaml:3: unknown key 'pth' (did you mean 'path'?)",
        "rules.yaml:3: frequency_words: an entry needs path:",
        "rules.yaml:4: notify: 'nope' is not a declared channel; channels: console",
        "rules.yaml:5: fields: 'titel' is not an item field (did you mean 'title'?); "
        "fields are title, summary, source, section",
        "rules.yaml:7: frequency_words: must be a string, got a number (quote it)",
        "bad.txt:2: '@x': @N takes a positive whole number, e.g. @5",
    ]


def test_load_config_raises_the_first_problem(write: Callable[..., str]):
    """load_config raises the first problem as a ConfigError with path and line."""
    write("rules:\n  - name: x\n    any: [a]\n    min_score: -1\n    notfy: []\n")
    with pytest.raises(ConfigError) as info:
        load_config("rules.yaml")
    assert str(info.value) == "rules.yaml:4: min_score: must be a number >= 0, got -1"
    assert (info.value.path, info.value.line) == ("rules.yaml", 4)


def test_frequency_words_not_utf8(problems: Problems, in_tmp: Path):
    """A keyword file in another encoding is reported at its own first bad line."""
    (in_tmp / "gbk.txt").write_bytes("OpenAI\n\n英伟达\n".encode("gbk"))
    assert problems("frequency_words: [gbk.txt]\n") == ["gbk.txt:3: not UTF-8 text"]
