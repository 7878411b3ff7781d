"""Side by side with TrendRadar on every real title we have, with ``\\b`` regexes.

TrendRadar's keyword guide recommends ``/\\bAI\\b/i`` for "AI but not MAIL". Python's
``\\b`` counts CJK characters as word characters, so that regex, and every
``/\\bName\\b/`` like it, misses "AI芯片" and "OpenAI发布…", the way Chinese headlines
are written. Ours treats ``\\b`` as a Latin-word boundary.

Every title of the shared corpus, the wild digests, the fixtures and the examples is
decided three ways: by TrendRadar's matcher (restated in ``test_trendradar_agreement``),
by the engine, and by a small independent restatement of the differences we intend
(:func:`intended`). The engine must agree with the last one on every (title, group), and
differ from TrendRadar somewhere because of ``\\b``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notifier.engine import Engine
from notifier.folding import fold
from notifier.items import Item
from notifier.rules.frequency import parse_frequency_words

from .test_trendradar_agreement import TRGroup, TRWord, tr_group_matches, tr_parse

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SOURCES = [
    SHARED / "corpus",
    SHARED / "wild-digests",
    REPO / "tests" / "corpus" / "fixtures",
    REPO / "examples" / "digests",
]

WORDS = """\
[GLOBAL_FILTER]
广告

[WORD_GROUPS]
[AI]
/\\bAI\\b/i
人工智能

[OpenAI]
/\\bOpenAI\\b/i
/\\bChatGPT\\b/i
/\\bSora\\b/i

[Google]
/\\bGoogle\\b/i
/\\bGemini\\b/i
谷歌

[Anthropic]
/\\bClaude\\b/i
/\\bAnthropic\\b/i

[DeepSeek]
/\\bDeepSeek\\b/i
深度求索

[NVIDIA]
/\\bNVIDIA\\b/i
英伟达

[Meta]
/\\bMeta\\b/i
/\\bLlama\\b/i

[Apple]
iPhone
苹果

[Microsoft]
/\\bMicrosoft\\b/i
微软

[Qwen]
/\\bQwen\\b/i
通义千问

[Agents]
/\\bagents?\\b/i
智能体
"""

# A Latin word next to a CJK character: "OpenAI发布", "与Claude对话".
GLUED = re.compile(r"[A-Za-z][A-Za-z0-9]*[\u4e00-\u9fff]|[\u4e00-\u9fff][A-Za-z]")
_ASCII_WORD = "[A-Za-z0-9_]"


def titles() -> list[str]:
    from notifier.parse import iter_digests

    if not (SHARED / "corpus").is_dir():
        pytest.skip("no shared corpus here")
    out: list[str] = []
    for root in SOURCES:
        for result in iter_digests(root):
            out += [item.title for item in getattr(result, "items", ())]
    return out


def _latin_b(word: TRWord) -> TRWord:
    """The word with ``\\b`` as an ASCII-word boundary (a CJK character is one)."""
    if word.pattern is None:
        return word
    b = f"(?:(?<={_ASCII_WORD})(?!{_ASCII_WORD})|(?<!{_ASCII_WORD})(?={_ASCII_WORD}))"
    return TRWord(word.text, re.compile(word.text.replace("\\b", b), re.IGNORECASE))


class _Literal(TRWord):
    """A plain word as we match it: ASCII word boundaries; after a final letter a digit
    may follow (iPhone16), a letter may not."""

    def hit(self, title_lower: str) -> bool:
        w = re.escape(self.text.lower())
        left = f"(?<!{_ASCII_WORD})" if re.match(_ASCII_WORD, self.text[0]) else ""
        right = ""
        if self.text[-1].isalpha() and self.text[-1].isascii():
            right = "(?![A-Za-z_])"
        elif re.match(_ASCII_WORD, self.text[-1]):
            right = f"(?!{_ASCII_WORD})"
        return re.search(left + w + right, title_lower) is not None


def _ours(word: TRWord) -> TRWord:
    return _latin_b(word) if word.pattern is not None else _Literal(word.text)


def intended(title: str, group: TRGroup, filters: list[TRWord], glob: list[TRWord]) -> bool:
    """TrendRadar's decision with our intended differences: folded text (full width,
    Traditional), ``\\b`` a Latin boundary, plain Latin words as whole words."""
    ours = TRGroup([_ours(w) for w in group.normal], [_ours(w) for w in group.required])
    folded = fold(title, traditional=True).text
    return tr_group_matches(folded, ours, [_ours(w) for w in filters], [_ours(w) for w in glob])


def test_every_difference_with_trendradar_is_intended() -> None:
    rules, errors = parse_frequency_words(WORDS, "frequency_words.txt")
    assert errors == []
    engine = Engine(rules, traditional=True)
    groups, filters, glob = tr_parse(WORDS)
    boundary_gains = 0
    for n, title in enumerate(titles()):
        got = {r.rule.name for r in engine.match(Item(id=str(n), title=title))}
        for rule, group in zip(rules, groups, strict=True):
            want = intended(title, group, filters, glob)
            assert (rule.name in got) == want, (title, rule.name)
            theirs = tr_group_matches(title, group, filters, glob)
            if want and not theirs and GLUED.search(title):
                boundary_gains += 1
    assert boundary_gains > 0  # the \b difference is exercised by real titles


def test_the_corpus_has_latin_names_glued_to_chinese() -> None:
    glued = [t for t in titles() if GLUED.search(t)]
    assert len(glued) > 100
