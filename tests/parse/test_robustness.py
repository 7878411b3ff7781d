"""Pathological input: empty, 1 MB single lines, deep nesting. No crash, no hang."""

from __future__ import annotations

import time

import pytest

from notifier.errors import DigestError
from notifier.parse import parse_text

MB = 1_000_000
CASES = {
    "one long line": "a" * MB,
    "long numbered line": "1. " + "x。" * (MB // 2),
    "stars": "**a " * (MB // 4),
    "underscores": "__" * (MB // 2),
    "open brackets": "[" * MB,
    "balanced brackets": "[" * (MB // 2) + "]" * (MB // 2),
    "open link paren": "[a](" + "(" * MB,
    "many links": "[a](http://x.com/b) " * (MB // 20),
    "open tags": "<a" * (MB // 2),
    "quotes": "> " * (MB // 2) + "x",
    "hashes": "#" * MB,
    "bare url": "http://" + "a" * MB,
    "sentence dots": ". A" * (MB // 3),
    "fences": "```\n" * 100_000,
    "deep html": "<div>" * 100_000,
    "deep json": "[" * 100_000 + "]" * 100_000,
    "deep front matter": "---\na: " + "[" * 100_000 + "\n---\n1. [x](http://a)\n",
    "huge front matter value": '---\ntitle: "' + "a" * MB + "\n---\n1. [x](http://a)\n",
    "score parenthesis": "1. foo（得分：" + "1 " * (MB // 2) + "）",
}


@pytest.mark.parametrize("name", list(CASES))
def test_no_crash_no_hang(name: str) -> None:
    start = time.perf_counter()
    error: DigestError | None = None
    try:
        result = parse_text(CASES[name], name)
    except DigestError as exc:
        error = exc
    if error is not None:
        assert (error.origin, bool(error.reason)) == (name, True)
    else:
        assert all(item.title for item in result.items)
    assert time.perf_counter() - start < 5


def test_many_items_scale_linearly() -> None:
    text = "# D\n\n" + "\n".join(
        f"{i % 999 + 1}. [t{i}](https://ex.com/{i})" for i in range(20_000)
    )
    start = time.perf_counter()
    result = parse_text(text)
    assert len(result.items) == 20_000
    assert time.perf_counter() - start < 5
