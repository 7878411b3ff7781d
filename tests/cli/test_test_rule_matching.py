"""`notifier test-rule` on one-title digests: the matching rules of issue 13.

Each case writes a digest with a single story and a rules.yaml, runs the real command
and reads which rules matched (``--json``) or the exit status (1: nothing matched).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notifier.cli import main


def digest(tmp_path: Path, title: str) -> Path:
    path = tmp_path / "digest.md"
    path.write_text(f"# 日报\n\n1. [{title}](https://example.com/a)\n", encoding="utf-8")
    return path


def matched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, title: str
) -> list[str]:
    """Names of the rules that match the one story ``title`` under ``config``."""
    (tmp_path / "rules.yaml").write_text(config, encoding="utf-8")
    code = main(
        ["test-rule", "-c", str(tmp_path / "rules.yaml"), "--json", str(digest(tmp_path, title))]
    )
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    names = [json.loads(line)["rule"] for line in out.splitlines()]
    assert (code == 0) == bool(names)
    return names


def words(tmp_path: Path, text: str, options: str = "") -> str:
    """A config reading the TrendRadar keyword file ``text``."""
    (tmp_path / "frequency_words.txt").write_text(text, encoding="utf-8")
    return f"frequency_words:\n  - {{path: frequency_words.txt{options}}}\n"


# -- 1. Traditional → Simplified: regexes folded like text, meaning kept ---------------

REGEX_HUAWEI = 'rules:\n  - name: huawei\n    regex: ["華為"]\n'


@pytest.mark.parametrize("title", ["華為發布新手機", "华为发布新手机"])
def test_traditional_regex_matches_either_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    assert matched(tmp_path, capsys, REGEX_HUAWEI, title) == ["huawei"]


def test_simplified_regex_matches_traditional_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = 'rules:\n  - name: huawei\n    regex: ["华为(发布|推出)"]\n'
    assert matched(tmp_path, capsys, config, "華為發布新手機") == ["huawei"]


ASCEND = "rules:\n  - name: ascend\n    any: [昇腾]\n  - name: ascend-re\n    regex: [昇腾]\n"


def test_a_kept_character_is_not_folded_into_another_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """昇腾 (Huawei's Ascend) is not 升腾 (rising): no match on "升腾的火焰"."""
    assert matched(tmp_path, capsys, ASCEND, "升腾的火焰照亮夜空") == []


@pytest.mark.parametrize("title", ["華為昇騰發布新芯片", "华为昇腾发布新芯片"])
def test_a_kept_character_still_matches_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    assert matched(tmp_path, capsys, ASCEND, title) == ["ascend", "ascend-re"]


# -- 2. \b is a Latin-word boundary in keyword files and regexes -----------------------


@pytest.mark.parametrize(
    ("title", "hit"),
    [
        ("OpenAI发布新一代推理模型", True),
        ("谷歌与OpenAI竞争加剧", True),
        ("OpenAI 发布 o3", True),
        ("OpenAIX is not a company", False),
    ],
)
def test_word_boundary_regex_next_to_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str, hit: bool
) -> None:
    config = words(tmp_path, "[OpenAI]\n/\\bOpenAI\\b/\n")
    assert matched(tmp_path, capsys, config, title) == (["OpenAI"] if hit else [])


@pytest.mark.parametrize(
    ("title", "hit"), [("AI芯片需求大涨", True), ("MAIL 服务宕机", False), ("he said so", False)]
)
def test_trendradar_guide_ai_regex(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str, hit: bool
) -> None:
    """TrendRadar's guide recommends /\\bAI\\b/i "not to match MAIL"; it also missed AI芯片."""
    config = words(tmp_path, "[AI]\n/\\bAI\\b/i\n")
    assert matched(tmp_path, capsys, config, title) == (["AI"] if hit else [])


# -- 3. a Latin keyword may be followed by digits ---------------------------------------

KEYWORDS = (
    "rules:\n  - name: phone\n    any: [iPhone]\n  - name: gpt5\n    any: [GPT-5]\n"
    "  - name: ai\n    any: [AI]\n"
)


@pytest.mark.parametrize(
    ("title", "names"),
    [
        ("iPhone16 发布，A18 芯片", ["phone"]),
        ("iPhone 16 发布", ["phone"]),
        ("iPhoneX 停产", []),
        ("GPT-50 是个玩笑", []),
        ("GPT-5 发布", ["gpt5"]),
        ("GPT-5.1 发布", ["gpt5"]),
        ("He said GPT-50 is coming", []),
        ("AI2 开源新模型", ["ai"]),
    ],
)
def test_digits_after_a_latin_keyword(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str, names: list[str]
) -> None:
    assert matched(tmp_path, capsys, KEYWORDS, title) == names


# -- 4. first_group_only -----------------------------------------------------------------

GROUPS = "[AI]\nAI\n人工智能\n\n[OpenAI]\nOpenAI\nChatGPT\n"


def test_every_group_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = words(tmp_path, GROUPS)
    assert matched(tmp_path, capsys, config, "OpenAI 发布 AI 芯片") == ["AI", "OpenAI"]


def test_first_group_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As TrendRadar: the title is reported under its first matching group only."""
    config = words(tmp_path, GROUPS, ", first_group_only: true")
    assert matched(tmp_path, capsys, config, "OpenAI 发布 AI 芯片") == ["AI"]
    assert matched(tmp_path, capsys, config, "OpenAI 发布 ChatGPT 新版") == ["OpenAI"]


def test_first_group_only_explains_the_other_groups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "rules.yaml"
    config.write_text(words(tmp_path, GROUPS, ", first_group_only: true"), encoding="utf-8")
    code = main(
        [
            "test-rule",
            "-c",
            str(config),
            "--all",
            "--json",
            str(digest(tmp_path, "OpenAI 发布 AI 芯片")),
        ]
    )
    records = [json.loads(line) for line in capsys.readouterr()[0].splitlines()]
    assert code == 0
    by_rule = {r["rule"]: r for r in records}
    assert by_rule["AI"]["matched"] is True
    assert by_rule["OpenAI"]["matched"] is False
    assert by_rule["OpenAI"]["reason"] == "matched, but the item goes to 'AI' (first_group_only)"
