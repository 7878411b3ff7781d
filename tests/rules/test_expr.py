"""The one-line keyword syntax: parse_expr / format_expr."""

from __future__ import annotations

import pytest

from notifier.errors import ConfigError
from notifier.rules.expr import ExprError, format_expr, parse_expr, parse_terms
from notifier.rules.model import Location, Rule, Term


def texts(terms: tuple[Term, ...]) -> list[str]:
    return [t.text for t in terms]


def test_the_documented_example():
    """Words and phrases are any-of, + required, ! excluded, /re/ a regex term."""
    rule = parse_expr('OpenAI 英伟达 "Sam Altman" +芯片 !广告 /GPT-\\d+/')
    assert texts(rule.any) == ["OpenAI", "英伟达", "Sam Altman", "GPT-\\d+"]
    assert [t.regex for t in rule.any] == [False, False, False, True]
    assert texts(rule.all) == ["芯片"]
    assert texts(rule.none) == ["广告"]
    assert rule.name == "expr"
    assert rule.location is None


def test_name_and_location_are_kept():
    """The rule gets the given name and location."""
    where = Location("rules.yaml", 7)
    rule = parse_expr("OpenAI", name="openai", location=where)
    assert (rule.name, rule.location) == ("openai", where)


@pytest.mark.parametrize(
    ("expr", "role", "term"),
    [
        ("OpenAI^2", "any", Term("OpenAI", weight=2.0)),
        ('"Sam Altman"^1.5', "any", Term("Sam Altman", weight=1.5)),
        ("/GPT-5/^3", "any", Term("GPT-5", regex=True, weight=3.0)),
        ("+/GPT-\\d/", "all", Term("GPT-\\d", regex=True)),
        ('+"Sam Altman"', "all", Term("Sam Altman")),
        ('!"免费 领取"', "none", Term("免费 领取")),
        ("!/广告|推广/", "none", Term("广告|推广", regex=True)),
        ("/gpt/i", "any", Term("(?i)gpt", regex=True)),
        ("/a\\/b/", "any", Term("a/b", regex=True)),
        ('"say \\"hi\\""', "any", Term('say "hi"')),
        ("GPT-5", "any", Term("GPT-5")),
        ("C++", "any", Term("C++")),
        ("a^b", "any", Term("a^b")),
    ],
)
def test_one_term(expr: str, role: str, term: Term):
    """Each form reads as one term in its role."""
    terms = parse_terms(expr)
    assert getattr(terms, role) == (term,)


def test_full_width_marks_work_as_ascii():
    """＋ ！ ＂ “ ” and the ideographic space are accepted."""
    rule = parse_expr("英伟达\u3000＋芯片　！广告 “黄 仁勋” ＂Sam Altman＂")
    assert texts(rule.any) == ["英伟达", "黄 仁勋", "Sam Altman"]
    assert texts(rule.all) == ["芯片"]
    assert texts(rule.none) == ["广告"]


def test_required_only_is_a_rule():
    """A rule of only required words is fine."""
    assert texts(parse_expr("+OpenAI +GPT").all) == ["OpenAI", "GPT"]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("", "expr: column 1: empty expression: give at least one word"),
        ("   ", "expr: column 1: empty expression: give at least one word"),
        ("!广告 !推广", "expr: column 1: only excluded words: add a word to look for"),
        ("  !广告", "expr: column 3: only excluded words: add a word to look for"),
        ('OpenAI "Sam Altman', 'expr: column 8: unterminated quote: add the closing "'),
        ("OpenAI “Sam", 'expr: column 8: unterminated quote: add the closing "'),
        (
            "x /GPT-(/",
            "expr: column 3: invalid regex: missing ), unterminated subpattern at position 4",
        ),
        ("/GPT", "expr: column 1: unterminated regex: add the closing /"),
        ("x //", "expr: column 3: empty regex"),
        ('x ""', "expr: column 3: empty phrase"),
        ("OpenAI^0", "expr: column 7: a weight must be a positive number"),
        ("OpenAI^", "expr: column 7: '^' must be followed by a weight such as ^2"),
        ('"a"^x', "expr: column 4: '^' must be followed by a weight such as ^2"),
        ("x + y", "expr: column 3: '+' must be followed by a word, phrase or /regex/"),
        ("x !", "expr: column 3: '!' must be followed by a word, phrase or /regex/"),
        ('"Sam"Altman', "expr: column 6: expected a space after the closing quote or /"),
        ("/x/g", "expr: column 4: expected a space after the closing quote or /"),
    ],
)
def test_errors_give_the_column(expr: str, message: str):
    """Each mistake is an ExprError with its 1-based column."""
    with pytest.raises(ExprError) as info:
        parse_expr(expr)
    assert str(info.value) == message
    assert isinstance(info.value, ConfigError)


def test_error_location_comes_from_the_location():
    """With a location, errors read path:line: column N: ..."""
    with pytest.raises(ExprError) as info:
        parse_expr('"x', location=Location("rules.yaml", 4))
    assert str(info.value) == 'rules.yaml:4: column 1: unterminated quote: add the closing "'
    assert (info.value.column, info.value.line) == (1, 4)


def test_errors_do_not_echo_the_expression():
    """The message never contains the text (it may come from a secret); caret() does."""
    secret = "hunter2-token"
    with pytest.raises(ExprError) as info:
        parse_expr(f'{secret} "{secret}')
    assert secret not in str(info.value)
    assert secret not in info.value.message
    assert info.value.caret() == f'{secret} "{secret}\n{" " * 14}^'


def test_caret_counts_wide_characters_twice():
    """CJK characters take two cells in a terminal."""
    with pytest.raises(ExprError) as info:
        parse_expr('英伟达 "x')
    assert info.value.caret().splitlines()[1] == " " * 7 + "^"


@pytest.mark.parametrize(
    "expr",
    [
        'OpenAI 英伟达 "Sam Altman" +芯片 !广告 /GPT-\\d+/',
        "OpenAI^2 +GPT^0.5 !/广告|推广/^3",
        '"+plus" "!bang" "/slash" "x^2" "caret^" "\\“curly\\”" "back\\\\slash"',
        "/a\\/b/ /(?i)gpt/ /\\d+\\.\\d+/",
        "＋芯片 ！广告 英伟达",
    ],
)
def test_format_round_trips(expr: str):
    """format_expr gives an expression that parses back to the same terms."""
    rule = parse_expr(expr)
    again = parse_expr(format_expr(rule))
    assert (again.any, again.all, again.none) == (rule.any, rule.all, rule.none)


def test_format_is_canonical():
    """Roles come in any, all, none order; weights drop a trailing .0."""
    rule = parse_expr('!广告 +芯片 "Sam Altman"^2 GPT^1.5 /x\\/y/')
    assert format_expr(rule) == '"Sam Altman"^2 GPT^1.5 /x\\/y/ +芯片 !广告'


def test_format_quotes_what_needs_it():
    """Terms from a config (spaces, leading marks, slashes) come out quoted and escaped."""
    rule = Rule(
        "r",
        any=(Term("Sam Altman"), Term("+1"), Term('say "hi"'), Term("a/b"), Term("/x")),
    )
    assert format_expr(rule) == '"Sam Altman" "+1" "say \\"hi\\"" a/b "/x"'
    again = parse_expr(format_expr(rule))
    assert again.any == rule.any
