"""``add_rule`` / ``remove_rule`` as text edits: comments kept, the result checked as
``notifier check`` checks it, refusals leave the file byte for byte as it was."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from notifier.config import inspect_config
from notifier.mcp import rules_file
from notifier.mcp.state import ToolFailure

CONFIG = """\
# top comment
channels:
  console: {type: console}   # always there

rules:
  # labs: the big model companies
  - name: labs
    any: [OpenAI, Anthropic]   # inline comment
    tags: [ai]

  # chips
  - name: chips
    any:
      - 英伟达
      - GPU
# closing comment
"""


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    path.chmod(0o640)
    return path


def checks(path: Path) -> list[str]:
    report = inspect_config(path)
    assert report.config is not None, report.errors
    return [r.name for r in report.config.rules]


def unchanged(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_add_appends_a_block_and_keeps_every_comment(config: Path) -> None:
    name = rules_file.add_rule(str(config), "name: video\nany: [视频, Sora]\nmin_score: 2")
    assert name == "video"
    text = config.read_text(encoding="utf-8")
    assert comments(text) == comments(CONFIG)
    assert "  - name: video\n    any: [视频, Sora]\n    min_score: 2\n# closing comment\n" in text
    assert text.startswith(CONFIG.split("# closing")[0].rstrip("\n"))
    assert checks(config) == ["labs", "chips", "video"]
    assert stat.S_IMODE(config.stat().st_mode) == 0o640


def test_add_takes_a_one_item_list(config: Path) -> None:
    rules_file.add_rule(str(config), "- name: video\n  any: [Sora]\n")
    assert checks(config) == ["labs", "chips", "video"]


def test_remove_deletes_only_the_rules_lines(config: Path) -> None:
    rules_file.remove_rule(str(config), "labs")
    text = config.read_text(encoding="utf-8")
    assert "name: labs" not in text
    assert "Anthropic" not in text
    assert "# labs: the big model companies" in text  # comments above a rule stay
    assert "# chips" in text
    assert "# closing comment" in text
    assert checks(config) == ["chips"]
    rules_file.add_rule(str(config), "name: labs\nany: [OpenAI]")
    rules_file.remove_rule(str(config), "chips")
    text = config.read_text(encoding="utf-8")
    assert "英伟达" not in text
    assert text.endswith("    any: [OpenAI]\n# closing comment\n")
    assert checks(config) == ["labs"]


def test_remove_a_rule_with_a_block_scalar_and_a_bare_dash(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n-\n  name: a\n  any: [x]\n  tags:\n  - |\n    long\n\n"
        "# b\n- name: b\n  any: [y]\n",
        encoding="utf-8",
    )
    rules_file.remove_rule(str(path), "a")
    assert path.read_text(encoding="utf-8") == "rules:\n\n# b\n- name: b\n  any: [y]\n"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("name: labs\nany: [x]", "already has a rule named 'labs'"),
        ("name: x\nany: [y]\nnotify: [nobody]", "not a declared channel"),
        ("name: x\nregex: ['(a+)+']", "nested quantifier"),
        ("name: x\nanything: [y]", "would not check"),
        ("name: x\nany: ['${HOME}']", "${VAR}"),
        ("a: &a [x]\nname: x\nany: *a", "aliases"),
        ("any: [x]", "needs a name"),
        ("[1, 2", "not valid YAML"),
        ("just text", "one rule as a YAML mapping"),
        ("name: x\nany: [" + "y, " * 3000 + "]", "too long"),
    ],
)
def test_refusals_leave_the_file_as_it_was(config: Path, rule: str, message: str) -> None:
    before = config.read_bytes()
    with pytest.raises(ToolFailure) as caught:
        rules_file.add_rule(str(config), rule)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    unchanged(config, before)


def test_problems_name_the_file_not_the_temporary(config: Path) -> None:
    with pytest.raises(ToolFailure) as caught:
        rules_file.add_rule(str(config), "name: x\nany: [y]\nnotify: [nobody]")
    assert f"{config}:" in str(caught.value)
    assert ".tmp" not in str(caught.value)


def test_remove_unknown_rule(config: Path) -> None:
    before = config.read_bytes()
    with pytest.raises(ToolFailure, match="no rule named 'nope'"):
        rules_file.remove_rule(str(config), "nope")
    unchanged(config, before)


def test_flow_style_rules_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: [{name: a, any: [x]}]  # flow\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(ToolFailure, match="flow style"):
        rules_file.add_rule(str(path), "name: b\nany: [y]")
    with pytest.raises(ToolFailure, match="flow style"):
        rules_file.remove_rule(str(path), "a")
    unchanged(path, before)


def test_a_file_without_rules_gets_a_section(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    words = tmp_path / "frequency_words.txt"
    words.write_text("OpenAI\nGPT\n", encoding="utf-8")
    path.write_text(
        "frequency_words:\n  - path: frequency_words.txt  # TrendRadar's\n", encoding="utf-8"
    )
    rules_file.add_rule(str(path), "name: chips\nany: [GPU]")
    text = path.read_text(encoding="utf-8")
    assert text.endswith("# TrendRadar's\nrules:\n  - name: chips\n    any: [GPU]\n")
    assert "chips" in checks(path)


def test_an_empty_rules_key_gets_its_first_rule(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:   # none yet\nchannels:\n  console: {type: console}\n")
    before = path.read_bytes()
    rules_file.add_rule(str(path), "name: a\nany: [x]")
    assert path.read_text() == (
        "rules:   # none yet\n  - name: a\n    any: [x]\nchannels:\n  console: {type: console}\n"
    )
    assert checks(path) == ["a"]
    path.write_bytes(before.replace(b"rules:   # none yet", b"rules: ~"))
    with pytest.raises(ToolFailure, match="not a list"):
        rules_file.add_rule(str(path), "name: a\nany: [x]")


def test_crlf_and_bom_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"\xef\xbb\xbf# bom\r\nrules:\r\n  - name: a\r\n    any: [x]\r\n")
    rules_file.add_rule(str(path), "name: b\nany: [y]")
    assert path.read_bytes() == (
        b"\xef\xbb\xbf# bom\r\nrules:\r\n  - name: a\r\n    any: [x]\r\n"
        b"  - name: b\r\n    any: [y]\r\n"
    )
    rules_file.remove_rule(str(path), "a")
    assert path.read_bytes() == b"\xef\xbb\xbf# bom\r\nrules:\r\n  - name: b\r\n    any: [y]\r\n"


def test_a_file_changed_meanwhile_is_not_overwritten(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import notifier.config

    real = notifier.config.inspect_config

    def edited_meanwhile(path: str) -> object:
        config.write_text(CONFIG + "# edited by hand\n", encoding="utf-8")
        return real(path)

    monkeypatch.setattr(notifier.config, "inspect_config", edited_meanwhile)
    with pytest.raises(ToolFailure, match="changed while"):
        rules_file.add_rule(str(config), "name: x\nany: [y]")
    unchanged(config, (CONFIG + "# edited by hand\n").encode())


def test_a_file_that_does_not_check_now_is_not_touched(config: Path) -> None:
    config.write_text(CONFIG.replace("any: [OpenAI, Anthropic]", "any: 5"), encoding="utf-8")
    before = config.read_bytes()
    with pytest.raises(ToolFailure, match="would not check"):
        rules_file.add_rule(str(config), "name: x\nany: [y]")
    unchanged(config, before)


def test_the_write_is_atomic(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new text goes to a temporary file beside the config, then os.replace."""
    seen: list[tuple[str, str]] = []
    real = os.replace

    def replace(src: str, dst: str | os.PathLike[str]) -> None:
        seen.append((str(Path(src).parent), str(Path(dst))))
        assert Path(src).read_text(encoding="utf-8").count("name: x") == 1
        assert "name: x" not in config.read_text(encoding="utf-8")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    rules_file.add_rule(str(config), "name: x\nany: [y]")
    assert seen == [(str(config.parent), str(config))]
