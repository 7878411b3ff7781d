"""Loading the config for a command: problems printed as ``file:line: message``."""

from __future__ import annotations

import sys

from notifier.config import Config

EXIT_CONFIG = 2


def load(path: str | None) -> Config | None:
    """Return the checked config at ``path`` (default: $NOTIFIER_CONFIG, ./rules.yaml), or
    ``None`` after printing every problem to stderr."""
    from pathlib import Path

    from notifier.config import default_config_path, inspect_config

    path = path or default_config_path()
    if not Path(path).is_file():
        print(
            f"{path}: no such file (give -c RULES.yaml, or set NOTIFIER_CONFIG)", file=sys.stderr
        )
        return None
    report = inspect_config(path)
    if report.config is None:
        for error in report.errors:
            print(error, file=sys.stderr)
        count = len(report.errors)
        print(f"{path}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return None
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    return report.config


def store_url(args: object, config: Config | None) -> str:
    """The store to use: ``--store``, else the config's ``store:``."""
    override = getattr(args, "store", None)
    if override:
        return str(override)
    return config.store if config is not None else "sqlite:///notifier.db"


def setup_logging(verbose: bool = False) -> None:
    """Log to stderr: plain lines on a terminal, JSON lines otherwise (for collectors)."""
    from channels._logs import redact_httpx_logs
    from notifier.logs import configure

    configure(verbose=verbose)
    redact_httpx_logs()
