"""``server:`` upload limits: ``body_timeout``, ``header_timeout``, ``max_uploads``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifier.config import ServerSpec, load_config

Problems = Callable[[str], list[str]]
RULES = "rules:\n  - {name: x, any: [a]}\n"


def test_defaults(write: Callable[..., str]) -> None:
    """Without them: 30 s for a body, 15 s for a request head, 16 uploads at once."""
    for text in (RULES, "server: {listen: 9000}\n" + RULES):
        server = load_config(write(text)).server
        assert (server.body_timeout, server.header_timeout, server.max_uploads) == (30, 15, 16)
    assert ServerSpec() == ServerSpec(body_timeout=30, header_timeout=15, max_uploads=16)


@pytest.mark.parametrize(
    ("section", "limits"),
    [
        ("{body_timeout: 2m, header_timeout: 5s, max_uploads: 4}", (120, 5, 4)),
        ("{body_timeout: 90, header_timeout: 1.5}", (90, 1.5, 16)),
        ("{body_timeout: 1m30s, max_uploads: 1}", (90, 15, 1)),
        ("{body_timeout: null, header_timeout: null, max_uploads: null}", (30, 15, 16)),
    ],
)
def test_limits(write: Callable[..., str], section: str, limits: tuple[float, float, int]) -> None:
    """Durations as elsewhere (``30s``, ``2m``; a number is seconds); a count of uploads."""
    server = load_config(write(f"server: {section}\n" + RULES)).server
    assert (server.body_timeout, server.header_timeout, server.max_uploads) == limits


def test_bad_limits_each_at_its_line(problems: Problems) -> None:
    """Every bad value at its own line, with the rest of the section still checked."""
    got = problems(
        "server:\n"
        "  body_timeout: soon\n"
        "  header_timeout: 0\n"
        "  max_uploads: 0\n"
        "  max_upload: 4\n" + RULES
    )
    assert got == [
        "rules.yaml:2: server: body_timeout: must be a duration like 30s or 2m "
        "(a number is seconds), got 'soon'",
        "rules.yaml:3: server: header_timeout: must be a duration like 30s or 2m "
        "(a number is seconds), got 0",
        "rules.yaml:4: server: max_uploads: must be a whole number > 0, got 0",
        "rules.yaml:5: server: unknown setting 'max_upload' (did you mean 'max_uploads'?)",
    ]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "server: {body_timeout: -5s}",
            "rules.yaml:1: server: body_timeout: must be a duration like 30s or 2m "
            "(a number is seconds), got '-5s'",
        ),
        (
            "server: {header_timeout: true}",
            "rules.yaml:1: server: header_timeout: must be a duration like 30s or 2m "
            "(a number is seconds), got True",
        ),
        (
            "server: {max_uploads: 2.5}",
            "rules.yaml:1: server: max_uploads: must be a whole number > 0, got 2.5",
        ),
        (
            "server: {max_uploads: many}",
            "rules.yaml:1: server: max_uploads: must be a whole number > 0, got a string",
        ),
    ],
)
def test_bad_limit_values(problems: Problems, section: str, message: str) -> None:
    """One problem each."""
    assert problems(section + "\n" + RULES) == [message]
