"""JSON (a list, or an object with items/entries/data/articles) and JSON Lines."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from notifier.errors import DigestError
from notifier.parse import parse_text


def test_json_list_and_keys() -> None:
    d = parse_text(
        json.dumps(
            [
                {
                    "title": "GPT-6 ships (得分: 99)",
                    "link": "https://ex.com/a?utm_source=x",
                    "description": "<p>Body &amp; more</p>",
                    "source": "HN",
                    "category": ["Models", "AI"],
                    "published": "2025-12-06T09:00:00Z",
                    "rank": 5,
                },
                {"title": "Second", "url": "https://ex.com/b", "points": "42", "date": 1765000000},
                {"title": "", "url": "https://ex.com/c"},
                "not an object",
            ]
        ),
        "digest.json",
    )
    assert d.format == "json"
    first, second = d.items
    assert (first.title, first.url, first.summary) == (
        "GPT-6 ships",
        "https://ex.com/a?utm_source=x",
        "Body & more",
    )
    assert (first.hotness, first.source, first.section, first.rank) == (99, "HN", "Models", 5)
    assert first.date == dt.date(2025, 12, 6)
    assert (second.hotness, second.rank, second.date) == (42, 2, dt.date(2025, 12, 6))
    assert d.warnings == [
        "digest.json:1: item 3 has no title; skipped",
        "digest.json:1: item 4 is not an object; skipped",
    ]


@pytest.mark.parametrize("key", ["items", "entries", "data", "articles"])
def test_json_object_with_a_list(key: str) -> None:
    d = parse_text(json.dumps({"title": "My feed", "date": "2025-01-02", key: [{"title": "A"}]}))
    assert (d.source, d.date) == ("My feed", dt.date(2025, 1, 2))
    assert [(i.title, i.source) for i in d.items] == [("A", "My feed")]


def test_jsonl_with_a_bad_line() -> None:
    text = '{"title": "A", "url": "https://ex.com/a", "score": 7}\n\nnot json\n{"title": "B"}\n'
    d = parse_text(text, "d.jsonl")
    assert d.format == "jsonl"
    assert [(i.rank, i.title, i.hotness) for i in d.items] == [(1, "A", 7), (2, "B", None)]
    assert d.warnings[0].startswith("d.jsonl:3: not valid JSON")


def test_jsonl_detected_without_extension() -> None:
    d = parse_text('{"title": "A"}\n{"title": "B"}\n')
    assert d.format == "jsonl"
    assert [i.title for i in d.items] == ["A", "B"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"foo": 1}', "no items/entries/data/articles list"),
        ("[1, 2, 3]", "no item objects"),
        ('"just a string"', "neither a list nor an object"),
        ("{broken", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_json_that_is_not_a_digest(text: str, reason: str) -> None:
    with pytest.raises(DigestError) as exc:
        parse_text(text, "x.json")
    assert reason in exc.value.reason


def test_markdown_starting_with_a_bracket_is_not_json() -> None:
    d = parse_text("[TOC]\n\n# Daily\n\n1. [A](https://ex.com/a)\n", "notes")
    assert d.format == "markdown"
    assert [i.title for i in d.items] == ["A"]


def test_json_warnings_name_the_line_of_the_element() -> None:
    text = '{"title": "F", "items": [\n  {"title": "A"},\n  {"url": "x"},\n  3\n]}'
    d = parse_text(text, "f.json")
    assert [i.title for i in d.items] == ["A"]
    assert d.warnings == [
        "f.json:3: item 2 has no title; skipped",
        "f.json:4: item 3 is not an object; skipped",
    ]
