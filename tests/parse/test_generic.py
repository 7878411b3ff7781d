"""Generic markdown: ### headings with a body, else numbered entries, else link bullets."""

from __future__ import annotations

from notifier.parse import parse_text


def test_heading_items_with_sections() -> None:
    d = parse_text(
        "# Weekly AI\n\n## Models\n\n### GPT-6 ships\n\nOpenAI shipped it. [post](https://ex.com/gpt6)\n\n"
        "### Empty heading\n\n## Chips\n\n### Nvidia earnings\n\nRecord quarter.\n",
        "weekly.md",
    )
    assert d.format == "markdown"
    assert d.source == "Weekly AI"
    assert [(i.title, i.url, i.section) for i in d.items] == [
        ("GPT-6 ships", "https://ex.com/gpt6", "Models"),
        ("Nvidia earnings", None, "Chips"),
    ]


def test_numbered_entries_when_no_heading_items() -> None:
    d = parse_text(
        "# News 2025-12-08\n\n1. [First](https://ex.com/1) — about one\n"
        "2. **Second** is bold. More text.\n3. Third story. Second sentence.\n"
        "4. ![only an image](https://ex.com/i.png)\n"
    )
    assert [(i.title, i.url) for i in d.items] == [
        ("First", "https://ex.com/1"),
        ("Second is bold.", None),  # bold at the start of a sentence is emphasis
        ("Third story.", None),
    ]
    assert d.items[0].summary == "about one"
    assert d.items[1].summary == "More text."
    assert d.date is not None
    assert d.date.isoformat() == "2025-12-08"


def test_a_story_without_a_link_among_linked_ones_keeps_its_title() -> None:
    d = parse_text("# Links\n\n- [A story](https://ex.com/a): why it matters\n- no link here\n")
    assert [(i.title, i.url) for i in d.items] == [
        ("A story", "https://ex.com/a"),
        ("no link here", None),
    ]


def test_ads_and_podcast_sections_skipped() -> None:
    d = parse_text(
        "# Daily\n\n## Sponsored\n\n1. [Buy this](https://ads.ex.com)\n\n"
        "## Podcast\n\n2. [Episode 12](https://pod.ex.com)\n\n"
        "## News\n\n3. [Real news](https://ex.com/news)\n"
    )
    assert [i.title for i in d.items] == ["Real news"]


def test_text_without_structure_warns_and_has_no_items() -> None:
    d = parse_text("Just a paragraph of prose with no items at all.\n\nAnother one.", "notes.md")
    assert d.items == []
    assert d.warnings == [
        "notes.md:1: no stories found: no repeated blocks with a title or a link; "
        "`notifier parse --explain` shows how the page was read"
    ]


def test_unclosed_code_fence_is_read_as_text_with_a_warning() -> None:
    d = parse_text("# T\n\n```\n1. [A](https://ex.com/a)\n2. [B](https://ex.com/b)\n", "t.md")
    assert [i.title for i in d.items] == ["A", "B"]
    assert d.warnings == ["t.md:3: code block is never closed; read as text"]


def test_code_blocks_are_not_items() -> None:
    d = parse_text("# T\n\n```\n1. [Code](https://ex.com/c)\n```\n\n1. [Real](https://ex.com/r)\n")
    assert [i.title for i in d.items] == ["Real"]
