"""``frequency_words: [{path, first_group_only: true}]``: read, validated, and optional."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest

from notifier.commands.check import run
from notifier.config import load_config

Problems = Callable[[str], list[str]]


def test_first_group_only_marks_the_file_rules(write: Callable[..., str]) -> None:
    write("OpenAI\n\n英伟达\n", "fw.txt")
    write("Kimi\n", "other.txt")
    write(
        """\
        rules:
          - {name: mine, any: [x]}
        frequency_words:
          - {path: fw.txt, first_group_only: true}
          - other.txt
          - {path: other.txt, first_group_only: false, tags: [t]}
        """
    )
    config = load_config("rules.yaml")
    by_name = {r.name: r.exclusive for r in config.rules}
    assert by_name["OpenAI"] == by_name["英伟达"] == "fw.txt"
    assert by_name["mine"] is None
    assert by_name["Kimi"] is None
    assert by_name["Kimi (other.txt:1)"] is None


def test_first_group_only_must_be_a_boolean(problems: Problems, write: Callable[..., str]):
    write("OpenAI\n", "fw.txt")
    got = problems(
        """\
        frequency_words:
          - {path: fw.txt, first_group_only: yes please}
          - {path: fw.txt, first_grup_only: true}
        """
    )
    assert got == [
        "rules.yaml:2: first_group_only: must be true or false, got a string",
        "rules.yaml:3: unknown key 'first_grup_only' (did you mean 'first_group_only'?)",
    ]


def test_check_command_reports_it(
    write: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    write("OpenAI\n", "fw.txt")
    write("frequency_words:\n  - path: fw.txt\n    first_group_only: 1\n")
    assert run(argparse.Namespace(config="rules.yaml")) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "rules.yaml:3: first_group_only: must be true or false, got a number"
    )
