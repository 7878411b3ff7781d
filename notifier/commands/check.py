"""``notifier check [rules.yaml]``: validate a config, report every problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_MISSING = 2


def run(args: argparse.Namespace) -> int:
    """Check the config; print ``file:line: message`` lines on stderr, a summary on stdout.

    Warnings (``file:line: warning: message``) are printed with the problems, in line
    order, and do not change the exit status.

    Returns:
        0 when the config is fine (warnings or not), 1 when it has problems, 2 when it
        cannot be read.
    """
    from notifier.config import default_config_path, inspect_config

    path = getattr(args, "config", None) or default_config_path()
    if not Path(path).is_file():
        print(f"{path}: no such file (give a path, or set NOTIFIER_CONFIG)", file=sys.stderr)
        return EXIT_MISSING
    report = inspect_config(path)
    config, errors = report.config, report.errors
    if config is None and len(errors) == 1 and errors[0].line is None:
        print(errors[0], file=sys.stderr)  # unreadable: a permission, not a problem inside
        return EXIT_MISSING
    for found in report.messages():
        print(found, file=sys.stderr)
    if errors or config is None:
        count = len(errors)
        print(f"{path}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return EXIT_PROBLEMS
    rules, channels, warned = len(config.rules), len(config.channels), len(report.warnings)
    print(
        f"{path}: OK — {rules} rule{'s' if rules != 1 else ''}, "
        f"{channels} channel{'s' if channels != 1 else ''}"
        + (f", {warned} warning{'s' if warned != 1 else ''}" if warned else "")
    )
    return EXIT_OK
