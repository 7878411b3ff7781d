"""Helpers: write a config into a temporary folder and read its problems."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from notifier.config import check_config


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty folder, so messages read ``rules.yaml:N: ...``."""
    monkeypatch.chdir(tmp_path)
    for name in ("NOTIFIER_CONFIG", "NOTIFIER_STORE", "MISSING"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def write(in_tmp: Path) -> Callable[..., str]:
    """Write dedented text to a file of the temporary folder; return its relative name."""

    def _write(text: str, name: str = "rules.yaml") -> str:
        (in_tmp / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return name

    return _write


@pytest.fixture
def problems(write: Callable[..., str]) -> Callable[..., list[str]]:
    """Write a config and return its problems as ``file:line: message`` strings."""

    def _problems(text: str) -> list[str]:
        config, errors = check_config(write(text))
        assert (config is None) == bool(errors)
        return [str(e) for e in errors]

    return _problems
