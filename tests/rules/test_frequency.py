"""TrendRadar's frequency_words.txt read as rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.errors import ConfigError
from notifier.rules.frequency import load_frequency_words, parse_frequency_words
from notifier.rules.model import Location, Rule

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "frequency_words.txt"


def parse(text: str, **options: object) -> list[Rule]:
    rules, errors = parse_frequency_words(text, "fw.txt", **options)  # type: ignore[arg-type]
    assert errors == []
    return rules


def shape(rule: Rule) -> tuple[list[str], list[str], list[str]]:
    return [t.text for t in rule.any], [t.text for t in rule.all], [t.text for t in rule.none]


def test_groups_are_separated_by_empty_lines():
    """Each group is a rule; plain words any-of, + required."""
    rules = parse("DeepSeek\n梁文锋\n\n\n+芯片\n+国产\n\nai\n")
    assert [shape(r) for r in rules] == [
        (["DeepSeek", "梁文锋"], [], []),
        ([], ["芯片", "国产"], []),
        (["ai"], [], []),
    ]
    assert [r.location for r in rules] == [
        Location("fw.txt", 1),
        Location("fw.txt", 5),
        Location("fw.txt", 8),
    ]


def test_a_line_of_spaces_does_not_end_a_group():
    """As in TrendRadar (split on "\\n\\n"), only a truly empty line separates groups."""
    rules = parse("claude\n   \nAnthropic\n")
    assert [shape(r) for r in rules] == [(["claude", "Anthropic"], [], [])]


def test_excluded_words_apply_to_every_group_of_the_file():
    """A ! word, wherever written, excludes from all groups (TrendRadar's filter_words)."""
    rules = parse("OpenAI\n\nai\n!gai\n\n英伟达\n!传闻\n")
    assert [shape(r)[2] for r in rules] == [["gai", "传闻"]] * 3


def test_global_filter_section():
    """[GLOBAL_FILTER] words exclude from every group; ! + @ lines there are ignored."""
    text = (
        "[GLOBAL_FILTER]\n广告\n/震惊|速看/\n!x\n+y\n@3\n\n推广\n\n[WORD_GROUPS]\nOpenAI\n\nKimi\n"
    )
    rules = parse(text)
    assert [r.name for r in rules] == ["OpenAI", "Kimi"]
    assert shape(rules[0])[2] == ["广告", "(?i)震惊|速看", "推广"]
    assert rules[0].location == Location("fw.txt", 11)


def test_section_markers_ignore_case():
    """[global_filter] works too."""
    rules = parse("[global_filter]\n广告\n\n[word_groups]\nOpenAI\n")
    assert shape(rules[0]) == (["OpenAI"], [], ["广告"])


def test_max_items_from_at_n():
    """@N caps the group's items."""
    rules = parse("大模型\n@5\n\nOpenAI\n")
    assert [r.max_items for r in rules] == [5, None]


def test_regex_words_are_case_insensitive():
    """/re/ (flags after it are ignored) becomes a (?i) regex, also with + and !."""
    rules = parse("/GPT-\\d+/i\n+/国产|自研/\n!/传闻/\n")
    rule = rules[0]
    assert [(t.text, t.regex) for t in rule.any] == [("(?i)GPT-\\d+", True)]
    assert [(t.text, t.regex) for t in rule.all] == [("(?i)国产|自研", True)]
    assert [(t.text, t.regex) for t in rule.none] == [("(?i)传闻", True)]


def test_names_come_from_display_names_and_aliases():
    """[名称] names a group; else its words (or their => names) joined with ' / '."""
    rules = parse("[大厂]\n豆包\n混元\n\n/京东|刘强东/ => 京东\n+618\n\nOpenAI\nChatGPT\n")
    assert [r.name for r in rules] == ["大厂", "京东 / 618", "OpenAI / ChatGPT"]
    assert shape(rules[1]) == (["(?i)京东|刘强东"], ["618"], [])
    assert rules[0].location == Location("fw.txt", 1)


def test_duplicate_group_names_get_their_line():
    """Two groups with the same words still make two distinct rules."""
    rules = parse("OpenAI\n\nOpenAI\n")
    assert [r.name for r in rules] == ["OpenAI", "OpenAI (line 3)"]


def test_comments_and_a_comment_only_block():
    """# lines are skipped, also inside a group; C# is a word, not a comment."""
    rules = parse("# header\n# more\n\nOpenAI\n# note\nC#\n")
    assert [shape(r) for r in rules] == [(["OpenAI", "C#"], [], [])]
    assert rules[0].location == Location("fw.txt", 4)


def test_crlf_and_bom():
    """Windows line endings and a byte-order mark are read like LF files."""
    rules = parse("\ufeffDeepSeek\r\n梁文锋\r\n\r\nOpenAI\r\n")
    assert [shape(r)[0] for r in rules] == [["DeepSeek", "梁文锋"], ["OpenAI"]]
    assert rules[1].location == Location("fw.txt", 4)


def test_rules_look_at_titles_by_default():
    """TrendRadar matches titles: fields=("title",); options override."""
    (rule,) = parse("OpenAI\n")
    assert rule.fields == ("title",)
    (rule,) = parse("OpenAI\n", fields=("title", "summary"), notify=("team",), tags=("tr",))
    assert (rule.fields, rule.notify, rule.tags) == (("title", "summary"), ("team",), ("tr",))


def test_problems_are_reported_with_their_lines():
    """Bad regexes, bad @N, lone + / ! are errors (TrendRadar passes over them)."""
    text = "OpenAI\n@abc\n@0\n/x(/\n+\n!\n=> 名称\n"
    _, errors = parse_frequency_words(text, "fw.txt")
    assert [str(e) for e in errors] == [
        "fw.txt:2: '@abc': @N takes a positive whole number, e.g. @5",
        "fw.txt:3: '@0': @N takes a positive whole number, e.g. @5",
        "fw.txt:4: invalid regex /x(/: missing ), unterminated subpattern at position 1",
        "fw.txt:5: '+': a word is missing (an empty word would match every title)",
        "fw.txt:6: '!': a word is missing (an empty word would match every title)",
        "fw.txt:7: a word is missing (an empty word would match every title)",
    ]


@pytest.mark.parametrize("text", ["", "# only comments\n", "[GLOBAL_FILTER]\n广告\n", "!广告\n"])
def test_a_file_without_groups_is_an_error(text: str):
    """TrendRadar would report every title; we say so instead."""
    _, errors = parse_frequency_words(text, "fw.txt")
    assert [str(e) for e in errors] == [
        "fw.txt:1: no keyword groups (TrendRadar would report every title)"
    ]


def test_load_reads_a_file(tmp_path: Path):
    """load_frequency_words reads UTF-8 and locates rules in that file."""
    path = tmp_path / "fw.txt"
    path.write_text("OpenAI\n\n英伟达\n", encoding="utf-8")
    rules = load_frequency_words(path)
    assert [r.location for r in rules] == [Location(str(path), 1), Location(str(path), 3)]


def test_load_raises_the_first_problem(tmp_path: Path):
    """A bad file raises ConfigError path:line."""
    path = tmp_path / "fw.txt"
    path.write_text("OpenAI\n@x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fw.txt:2: '@x'"):
        load_frequency_words(path)


def test_load_missing_and_not_utf8(tmp_path: Path):
    """A missing or non-UTF-8 file is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="cannot read: No such file or directory"):
        load_frequency_words(tmp_path / "nope.txt")
    path = tmp_path / "gbk.txt"
    path.write_bytes("OpenAI\n\n英伟达".encode("gbk"))
    with pytest.raises(ConfigError, match=r"gbk.txt:3: not UTF-8 text$"):
        load_frequency_words(path)


def test_the_shipped_example_reads_cleanly():
    """examples/frequency_words.txt has no problem and the documented groups."""
    rules = load_frequency_words(EXAMPLE)
    names = [r.name for r in rules]
    assert names[0] == "OpenAI"
    assert "国产大模型" in names
    assert all("广告" in [t.text for t in r.none] for r in rules)
    assert rules[names.index("国产大模型")].max_items == 5
