"""Loading the config for a command: problems printed as ``file:line: message``."""

from __future__ import annotations

import sys
from typing import Literal

from notifier.config import Config

EXIT_CONFIG = 2
#: The store when neither --store, $NOTIFIER_STORE nor a config names one.
DEFAULT_STORE = "sqlite:///notifier.db"
ENV_STORE = "NOTIFIER_STORE"
ENV_BACKOFF = "NOTIFIER_RETRY_BACKOFF"
#: URL schemes a store may have (a value without ``://`` is a SQLite file path).
STORE_SCHEMES = ("sqlite", "postgresql", "postgres")


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


def given_store(args: object) -> str | None:
    """The store named outside the config: ``--store``, else ``$NOTIFIER_STORE``, else None.

    Raises:
        ConfigError: it is not a store URL (the message never shows the value: it may hold
            a password).
    """
    import os

    from notifier.errors import ConfigError

    named = [
        ("--store", getattr(args, "store", None)),
        (f"${ENV_STORE}", os.environ.get(ENV_STORE)),
    ]
    for what, value in named:
        if not value:
            continue
        value = str(value).strip()
        scheme, sep, _ = value.partition("://")
        if sep and scheme.lower() not in STORE_SCHEMES:
            raise ConfigError(
                "not a store URL; write sqlite:///PATH or postgresql://USER@HOST/DB", what
            )
        return value
    return None


def store_url(args: object, config: Config | None) -> str:
    """The store a command works on, in one order for every command: ``--store``, else
    ``$NOTIFIER_STORE``, else the config's ``store:`` (which defaults to ``notifier.db``
    beside the config file), else ``sqlite:///notifier.db`` in the current folder.

    Raises:
        ConfigError: ``--store`` or ``$NOTIFIER_STORE`` is not a store URL.
    """
    given = given_store(args)
    if given:
        return given
    return config.store if config is not None else DEFAULT_STORE


def resolve(
    args: object, *, config: Literal["required", "if-no-store", "optional"]
) -> tuple[str, Config | None] | None:
    """Return (the store URL, the config) a command works on; ``None`` after printing a
    problem to stderr.

    The store is chosen by :func:`store_url`. ``config`` says when rules.yaml is read:
    ``required`` always (its rules and targets are needed); ``if-no-store`` unless
    ``--store`` or ``$NOTIFIER_STORE`` names the store (``-c`` still adds target names);
    ``optional`` when named with ``-c`` or present, else ``sqlite:///notifier.db``.
    """
    from pathlib import Path

    from notifier.config import default_config_path
    from notifier.errors import ConfigError

    try:
        given = given_store(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return None
    named = getattr(args, "config", None)
    loaded: Config | None = None
    if config == "required" or (config == "if-no-store" and not given):
        loaded = load(named)
        if loaded is None:
            return None
    elif named or (config == "optional" and not given and Path(default_config_path()).is_file()):
        loaded = load(named)
        if loaded is None and not given:
            return None
    return store_url(args, loaded), loaded


def retry_backoff() -> tuple[float, float] | None:
    """``$NOTIFIER_RETRY_BACKOFF`` as (first, longest) wait in seconds; None when unset.

    The value is ``FIRST`` or ``FIRST,LONGEST`` durations, e.g. ``15s,1h`` (the default).

    Raises:
        ConfigError: the value is not one or two durations, or the first is zero.
    """
    import os

    from notifier.config._units import parse_duration
    from notifier.errors import ConfigError
    from notifier.pipeline.dispatch import BACKOFF_CAP

    text = os.environ.get(ENV_BACKOFF, "").strip()
    if not text:
        return None
    first, _, longest = text.partition(",")
    base = parse_duration(first)
    cap = parse_duration(longest) if longest.strip() else max(BACKOFF_CAP, base or 0.0)
    if not base or cap is None or cap < base:
        raise ConfigError(
            "expected FIRST or FIRST,LONGEST durations with 0 < FIRST <= LONGEST, e.g. 15s,1h",
            f"${ENV_BACKOFF}",
        )
    return base, cap


def setup_logging(verbose: bool = False) -> None:
    """Log to stderr: plain lines on a terminal, JSON lines otherwise (for collectors)."""
    from channels._logs import redact_httpx_logs
    from notifier.logs import configure

    configure(verbose=verbose)
    redact_httpx_logs()
