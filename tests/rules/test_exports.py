"""The rules package exports exactly its documented API."""

from __future__ import annotations

import notifier.rules


def test_public_names():
    """Model, expression syntax and TrendRadar files, nothing else."""
    assert sorted(notifier.rules.__all__) == [
        "ExprError",
        "FIELDS",
        "Location",
        "Rule",
        "Term",
        "format_expr",
        "load_frequency_words",
        "parse_expr",
        "parse_frequency_words",
    ]
    for name in notifier.rules.__all__:
        assert hasattr(notifier.rules, name)
