"""`notifier check` refuses every regex the engine would refuse, as file:line (issue 12:
`check` only ran re.compile, so it said OK to patterns the engine then refused at start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

UNSAFE = ["(a+)+$", "(a|aa)+$", "(.*a){20}", r"^(\w+\s?)*$"]


def test_check_reports_each_unsafe_regex_with_its_line(tmp_path: Path) -> None:
    lines = ["rules:", "  - name: r", "    regex:"]
    lines += [f"      - '{p}'" for p in UNSAFE]  # lines 4-7
    lines += ["  - name: k", "    keywords: 'OpenAI /(a+)+b/'"]  # line 9
    lines += ["  - name: m", "    any: [{pattern: '(x|xy)*z'}]"]  # line 11
    (tmp_path / "rules.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "notifier", "check", "rules.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert run.returncode == 1
    err = run.stderr.splitlines()
    for line, pattern in enumerate(UNSAFE, start=4):
        assert any(e.startswith(f"rules.yaml:{line}: regex: {pattern!r}: ") for e in err)
    assert any(e.startswith("rules.yaml:9: keywords: column 8: regex: nested") for e in err)
    assert any(e.startswith("rules.yaml:11: any: '(x|xy)*z': alternation") for e in err)
    assert err[-1] == "rules.yaml: 6 problems"
    assert "Traceback" not in run.stderr
