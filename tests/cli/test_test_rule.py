"""`notifier test-rule`: which items match, with scores and why; exit 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from notifier.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "digests"
BRIEF = EXAMPLES / "2025-12-01-tech-brief.md"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("NOTIFIER_CONFIG", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["test-rule", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_expr_highlights_terms_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    """An ad-hoc rule marks its terms in the title; something matched means exit 0."""
    code, out, _ = run(capsys, "--expr", "OpenAI +GPT-5 !广告", str(BRIEF))
    assert code == 0
    assert "[OpenAI] 与云厂商签署多年算力协议，[GPT-5] 训练集群扩容" in out
    assert "1 digest, 5 items, 1 match" in out


def test_nothing_matched_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """No match anywhere: exit 1, and the table says so."""
    code, out, _ = run(capsys, "--expr", "量子计算", str(BRIEF))
    assert code == 1
    assert "(no match)" in out


def test_all_shows_why_an_item_did_not_match(capsys: pytest.CaptureFixture[str]) -> None:
    """--all lists non-matching items with the reason of the nearest rule."""
    code, out, _ = run(capsys, "--all", "--expr", "OpenAI +Claude", str(BRIEF))
    assert code == 1
    assert "missing required 'Claude'" in out
    assert "no keyword" in out


def test_explain_prints_hits_and_score(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain shows each hit with its field and offsets, and the score's parts."""
    code, out, _ = run(capsys, "--explain", "--expr", "英伟达", str(BRIEF))
    assert code == 0
    assert "'英伟达' in title[0:3] = '英伟达'" in out
    assert "score = keywords × heat" in out


def test_json_records(capsys: pytest.CaptureFixture[str]) -> None:
    """--json writes one object per matched (item, rule), with hits and the item."""
    code, out, _ = run(capsys, "--json", "--expr", "DeepSeek", str(BRIEF))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 1
    rec = records[0]
    assert rec["rule"] == "expr"
    assert rec["matched"] is True
    assert rec["item"]["title"].startswith("DeepSeek 发布 V3.2")
    assert rec["hits"][0]["field"] == "title"
    assert rec["hits"][0]["text"] == "DeepSeek"


def test_named_rule_from_config(capsys: pytest.CaptureFixture[str]) -> None:
    """A positional argument naming a rule of rules.yaml selects that rule only."""
    code, out, _ = run(capsys, "robotics", str(EXAMPLES))
    assert code == 0
    assert "robotics" in out
    assert "openai" not in out
    assert "3 digests" in out


def test_every_rule_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Without rule names, every rule of the config is tried."""
    code, out, _ = run(capsys, str(BRIEF))
    assert code == 0
    for name in ("openai", "chips", "robotics", "anthropic"):
        assert f" {name} " in out


def test_max_items_caps_per_digest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """max_items (TrendRadar's @N) keeps the best N matches of a digest."""
    config = tmp_path / "rules.yaml"
    config.write_text(
        "rules:\n  - name: news\n    any: [发布, 融资, 协议]\n    max_items: 1\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "-c", str(config), "--json", str(BRIEF))
    assert code == 0
    assert len(out.splitlines()) == 1


def test_bad_config_exits_2_with_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken rules.yaml is reported as file:line, and nothing runs."""
    config = tmp_path / "rules.yaml"
    config.write_text("rules:\n  - name: x\n    any: [a\n", encoding="utf-8")
    code, out, err = run(capsys, "-c", str(config), str(BRIEF))
    assert code == 2
    assert out == ""
    assert f"{config}:" in err


def test_unreadable_digest_is_reported_and_others_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One digest that cannot be read: a one-line error, the others still run, exit 2."""
    missing = tmp_path / "nope.md"
    code, out, err = run(capsys, "--expr", "OpenAI", str(missing), str(BRIEF))
    assert code == 2
    assert str(missing) in err
    assert "[OpenAI]" in out


def test_no_digest_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Only rule names and no digest: exit 2 with a hint."""
    code, _, err = run(capsys, "openai")
    assert code == 2
    assert "no digest given" in err


def test_stdin_digest(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`-` reads the digest from standard input."""
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BRIEF.read_bytes())))
    code, out, _ = run(capsys, "--expr", "Anthropic", "-")
    assert code == 0
    assert "[Anthropic]" in out


def test_start_up_imports_no_chat_sdk() -> None:
    """test-rule and check never import aiogram, lark-oapi, apprise (seconds each)."""
    code = (
        "import sys\n"
        "from notifier.cli import main\n"
        f"main(['test-rule', '--expr', 'OpenAI', {str(BRIEF)!r}])\n"
        f"main(['check', {str(REPO / 'rules.yaml')!r}])\n"
        "heavy = [m for m in ('aiogram', 'lark_oapi', 'apprise') if m in sys.modules]\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert "HEAVY=" in proc.stderr
    assert proc.stderr.rsplit("HEAVY=", 1)[1].strip() == ""
