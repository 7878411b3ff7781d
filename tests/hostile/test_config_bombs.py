"""rules.yaml that would exhaust memory or the stack: `notifier check` answers file:line at
once, in bounded memory (issue 12: an alias bomb ran check to 3 GB and past 60 s; 3,000
levels of nesting gave a RecursionError traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.cli import run_cli

MAX_MB = 150


def laughs(levels: int = 9, merge: bool = False) -> str:
    """The billion laughs: each anchor is nine aliases of the one before (9^levels)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels + 1):
        if merge:  # mappings merged into mappings: the same growth through `<<`
            keys = ", ".join(f"k{i}: *l{n - 1}" for i in range(9))
            lines.append(f"l{n}: &l{n} {{{keys}}}")
        else:
            lines.append(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]")
    lines.append(f"rules: [{{name: r, any: *l{levels}}}]")
    return "\n".join(lines) + "\n"


CASES = {
    "billion laughs": (
        laughs(),
        "rules.yaml:6: the YAML has more than 200,000 values once its aliases",
    ),
    "laughs in mappings": (
        laughs(merge=True),
        "rules.yaml:6: the YAML has more than 200,000 values once its aliases",
    ),
    "3,000 flow lists": (
        "rules: " + "[" * 3000 + "]" * 3000 + "\n",
        "rules.yaml:1: the YAML is nested deeper than 64 levels",
    ),
    "3,000 flow mappings": (
        "rules: " + "{a: " * 3000 + "}" * 3000 + "\n",
        "rules.yaml:1: the YAML is nested deeper than 64 levels",
    ),
    "3,000 block levels": (
        "rules:\n" + "".join("  " * i + "- x:\n" for i in range(1, 3000)),
        "rules.yaml:33: the YAML is nested deeper than 64 levels",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_refuses_with_file_and_line(case: str, tmp_path: Path) -> None:
    text, expected = CASES[case]
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    ran = run_cli("check", "rules.yaml", cwd=tmp_path)
    assert not ran.killed, ran
    assert ran.returncode == 1, ran
    assert ran.stderr.splitlines()[0].startswith(expected), ran.stderr
    assert ran.stderr.splitlines()[-1] == "rules.yaml: 1 problem"
    assert "Traceback" not in ran.stderr
    assert ran.peak_mb < MAX_MB, ran
