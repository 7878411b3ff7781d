"""The YAML shape limits sit where they say: 64 levels, 200,000 values after aliases."""

from __future__ import annotations

import pytest

from notifier.yamlbounds import MAX_DEPTH, MAX_VALUES, ShapeError, check_shape


def test_nesting_up_to_the_limit_is_fine_one_more_is_not() -> None:
    check_shape("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(ShapeError, match="nested deeper than 64 levels"):
        check_shape("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_aliases_count_what_they_expand_to() -> None:
    # An anchor of 999 values, used 200 times: 200,000 values written as 200 aliases.
    anchor = "a: &a [" + ", ".join("x" * 3 for _ in range(998)) + "]\n"
    used = "b: [" + ", ".join(["*a"] * 199) + "]\n"
    check_shape(anchor + used)  # 1 + 999 + 1 + 1 + 199 × 999 = 199,803
    with pytest.raises(ShapeError) as info:
        check_shape(anchor + used.replace("]", ", *a]"))
    assert info.value.line == 2
    assert f"more than {MAX_VALUES:,} values" in str(info.value)


def test_broken_yaml_is_left_to_the_composer() -> None:
    check_shape("a: [1, 2\nb: *nowhere\n")  # no ShapeError: the composer says what is wrong
