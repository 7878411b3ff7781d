"""notifier.folding: folding and the offset map back to the original."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifier import folding
from notifier.folding import fold, is_word_char


def chars_back(original: str, traditional: bool = False) -> list[str]:
    f = fold(original, traditional=traditional)
    return [f.source(i, i + 1) for i in range(len(f.text))]


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("OpenAI", "openai"),
        ("ＯｐｅｎＡＩ", "openai"),
        ("ＧＰＴ－５", "gpt-5"),
        ("英伟达（NVIDIA），发布", "英伟达(nvidia),发布"),
        ("Straße", "strasse"),
        ("ﬁnd", "find"),
        ("①号", "1号"),
        ("\u200bAI\u200d芯片\ufeff", "ai芯片"),
        ("soft\u00adware", "software"),
        ("cafe\u0301", "café"),
        ("😀Ａ", "😀a"),
        ("", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw).text == folded


def test_identity_map_for_plain_text() -> None:
    f = fold("Hello 世界，ＡＩ！")
    assert f.identity
    assert f.span(6, 8) == (6, 8)


def test_offsets_after_zero_width_and_full_width() -> None:
    original = "\u200b新ＧＰＴ－５\u200b发布"
    f = fold(original)
    assert f.text == "新gpt-5发布"
    s = f.text.index("gpt-5")
    assert f.source(s, s + 5) == "ＧＰＴ－５"
    assert f.span(s, s + 5) == (2, 7)
    assert f.source(f.text.index("发布"), len(f.text)) == "发布"


def test_expanding_characters_map_as_a_unit() -> None:
    assert chars_back("Straße") == ["S", "t", "r", "a", "ß", "ß", "e"]
    assert chars_back("ﬁx") == ["ﬁ", "ﬁ", "x"]
    f = fold("ﬁx")
    assert f.source(1, 3) == "ﬁx"  # a hit starting inside the ligature covers all of it


def test_combining_marks_fold_with_their_base() -> None:
    assert chars_back("cafe\u0301!") == ["c", "a", "f", "e\u0301", "!"]


def test_traditional_only_when_enabled() -> None:
    assert fold("輝達").text == "輝達"
    assert fold("輝達", traditional=True).text == "英伟达"
    assert fold("英偉達", traditional=True).text == "英伟达"
    assert fold("軟體與伺服器", traditional=True).text == "软件与服务器"


def test_traditional_keeps_simplified_text() -> None:
    text = "核心文件程序都在这里，AI 芯片，一份内部备忘录，高画质"
    assert fold(text, traditional=True).text == fold(text).text
    assert fold("高畫質", traditional=True).text == "高清"  # regional word, in Traditional


def test_traditional_offsets() -> None:
    original = "台灣的輝達發佈AI"
    f = fold(original, traditional=True)
    assert f.text == "台湾的英伟达发布ai"
    s = f.text.index("英伟达")
    assert f.source(s, s + 3) == "輝達"
    s = f.text.index("发布")
    assert f.source(s, s + 2) == "發佈"
    assert f.source(f.text.index("ai"), len(f.text)) == "AI"


@pytest.mark.parametrize(
    ("ch", "word"),
    [
        *[("a", True), ("Z", True), ("5", True), ("_", True), ("é", True), ("я", True)],
        *[("中", False), ("ア", False), ("한", False), ("-", False), (" ", False), ("。", False)],
    ],
)
def test_is_word_char(ch: str, word: bool) -> None:
    assert is_word_char(ch) is word


# -- the C-level paths agree with the per-character reference -----------------------------

TRICKY = [
    "…OpenAI… 发布",
    "\u200b新\u200bＧＰＴ－５…",
    "Straße ﬁx ①号",
    "e\u200b\u0301",  # a vanishing character between a letter and a combining mark
    "cafe\u0301 ＡＩ",
    "soft\u00adware™",
    "한국어 ㈜ ㎏",
    "😀\U0001d400x",
    "\udcff lone surrogate",
]


def _reference(s: str) -> str:
    return folding._fold_slow(s, folding._get_tables())[0]


@pytest.mark.parametrize("s", TRICKY)
def test_fast_paths_fold_like_the_reference(s: str) -> None:
    f = fold(s)
    assert f.text == _reference(s)
    ref = folding._fold_slow(s, folding._get_tables())[1]
    assert [f.span(i, i + 1) for i in range(len(f.text))] == [
        ref.span(i, i + 1) for i in range(len(f.text))
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_fast_paths_fold_like_the_reference_anywhere(s: str) -> None:
    assert fold(s).text == _reference(s)


def test_offset_map_is_built_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = folding._base_map
    monkeypatch.setattr(folding, "_base_map", lambda s: calls.append(s) or real(s))
    f = fold("新模型…发布")
    assert f.text == "新模型...发布"
    assert calls == []
    assert f.source(f.text.index("发布"), len(f.text)) == "发布"
    assert f.source(3, 4) == "…"
    assert len(calls) == 1
    assert fold("新模型，发布").identity  # 1:1 replacements keep offsets: no map


def test_corpus_fields_fold_like_the_reference() -> None:
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip("no shared corpus here")
    for path in sorted(corpus.rglob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert fold(line).text == _reference(line), line
