"""Plain-text rules of docs/items.md: emphasis, links, images, entities, zero-width, spaces."""

from __future__ import annotations

import pytest

from notifier.parse.inline import clean_inline, first_url, scan_links, urls_in
from notifier.plaintext import html_to_text, normalize_newlines, strip_zero_width


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("**bold** and __strong__ and *em* and `code`", "bold and strong and em and code"),
        ("[Razr Ultra (2025) 评测](https://ex.com/a)", "Razr Ultra (2025) 评测"),
        ("[[支持0.49.x] 工具](https://ex.com)", "[支持0.49.x] 工具"),
        ("[支持0.49.x]（重置 ID）", "[支持0.49.x]（重置 ID）"),  # brackets without a link stay
        ("看图 ![alt](https://ex.com/a.png) 完", "看图 完"),
        ("正文 [图片: 谷歌 (3) https://pic.ex.com/a.jpg] 续", "正文 续"),
        ("Koenig &#x26; Bauer &amp; &quot;x&quot;", 'Koenig & Bauer & "x"'),
        ("\u200b博流量\u200c无\u200d下\u2060限\ufeff", "博流量无下限"),
        ("  a \t  b\u3000 c  ", "a b c"),
        ("<b>tag</b> <br/>text", "tag text"),
        ("[**OpenAI 估值**](https://ex.com)", "OpenAI 估值"),
        ("snake_case __init__ x__y", "snake_case init x__y"),
        ("5*3*2 stays", "5*3*2 stays"),
        ("Sonnet 4....", "Sonnet 4...."),
        (r"\*not emphasis\*", "*not emphasis*"),
    ],
)
def test_clean_inline(raw: str, plain: str) -> None:
    assert clean_inline(raw) == plain


def test_newlines_crlf_and_lone_cr() -> None:
    assert normalize_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


def test_zero_width_characters() -> None:
    assert strip_zero_width("\u200ba\u200bb\ufeff") == "ab"


def test_link_with_parentheses_in_url_and_title() -> None:
    (link,) = scan_links('[W](https://en.wikipedia.org/wiki/A_(b) "title")')
    assert link.url == "https://en.wikipedia.org/wiki/A_(b)"
    assert link.text == "W"


def test_link_url_entities_decoded() -> None:
    (link,) = scan_links("[x](https://ex.com/?a=1&#x26;b=2)")
    assert link.url == "https://ex.com/?a=1&b=2"


def test_urls_in_skips_images_and_image_markup() -> None:
    text = (
        "![i](https://ex.com/i.png) [图片: https://ex.com/j.jpg] https://ex.com/k.webp?x=1 "
        "https://ex.com/story。下一句 [link](https://ex.com/two)"
    )
    assert urls_in(text) == ["https://ex.com/story", "https://ex.com/two"]


def test_bare_url_ends_at_bracket_paren_and_full_width_punctuation() -> None:
    assert first_url("见（https://ex.com/a）") == "https://ex.com/a"
    assert first_url("(https://ex.com/b) x") == "https://ex.com/b"
    assert first_url("[x https://ex.com/c] y") == "https://ex.com/c"
    assert first_url("网址：https://ex.com/d，后文") == "https://ex.com/d"


def test_auto_linked_words_are_not_urls() -> None:
    assert first_url("对话是文件（http://MEMORY.md），见 https://ex.com/e") == "https://ex.com/e"
    assert first_url("兼容 http://ASP.NET。") is None
    assert first_url("http://example.com") == "http://example.com"


def test_html_to_text_keeps_paragraphs() -> None:
    html = "<p>One &amp; <b>two</b></p><p>Three<br>four</p><script>x()</script>"
    assert html_to_text(html) == "One & two\nThree\nfour"


def test_deep_nesting_is_linear() -> None:
    deep = "[" * 200_000 + "x" + "]" * 200_000 + "(" * 100_000
    assert clean_inline(deep).startswith("[[[")
    nested = "[" * 5000 + "a](b)" * 5000
    assert isinstance(clean_inline(nested), str)
