"""Which store a command works on: --store, $NOTIFIER_STORE, the config's store:, default.

And ``$NOTIFIER_RETRY_BACKOFF``, the retry timing of `notifier run` and `ingest`.
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest

from notifier.cli import main
from notifier.commands._config import retry_backoff, store_url
from notifier.config import load_config
from notifier.errors import ConfigError


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFIER_CONFIG", raising=False)
    monkeypatch.delenv("NOTIFIER_STORE", raising=False)
    monkeypatch.delenv("NOTIFIER_RETRY_BACKOFF", raising=False)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text("store: sqlite:///from-config.db\nrules: []\n", encoding="utf-8")
    return path


def args(store: str | None = None) -> types.SimpleNamespace:
    return types.SimpleNamespace(store=store, config=None)


def test_one_order_for_every_command(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_config(config)
    in_config = f"sqlite:///{config.parent}/from-config.db"
    assert store_url(args(), None) == "sqlite:///notifier.db"
    assert store_url(args(), loaded) == in_config
    monkeypatch.setenv("NOTIFIER_STORE", "sqlite:///from-env.db")
    assert store_url(args(), loaded) == "sqlite:///from-env.db"
    assert store_url(args(), None) == "sqlite:///from-env.db"
    assert store_url(args("sqlite:///flag.db"), loaded) == "sqlite:///flag.db"


def test_config_without_store_means_notifier_db_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: []\n", encoding="utf-8")
    assert store_url(args(), load_config(path)) == f"sqlite:///{tmp_path}/notifier.db"


@pytest.mark.parametrize("where", ["flag", "env"])
def test_a_store_that_is_not_a_url_is_a_config_error_without_the_value(
    where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "mysql://app:s3cret-pw@db/notifier"
    if where == "env":
        monkeypatch.setenv("NOTIFIER_STORE", bad)
        argv = ["status"]
    else:
        argv = ["status", "--store", bad]
    with pytest.raises(ConfigError, match="not a store URL"):
        store_url(args(bad if where == "flag" else None), None)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "s3cret-pw" not in err
    assert err.startswith("--store: not a store URL" if where == "flag" else "$NOTIFIER_STORE:")


def test_status_reads_the_store_of_the_environment_without_a_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path}/env.db"
    monkeypatch.setenv("NOTIFIER_STORE", url)
    assert main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["store"] == url


def test_status_without_config_or_store_asks_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["status"]) == 2
    assert "no such file (give -c RULES.yaml" in capsys.readouterr().err
    assert not (tmp_path / "notifier.db").exists()


def test_the_environment_beats_the_config_for_db_upgrade(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{config.parent}/env.db"
    monkeypatch.setenv("NOTIFIER_STORE", url)
    assert main(["db", "upgrade", "-c", str(config)]) == 0
    assert capsys.readouterr().out.startswith(f"{url}: schema version 0 -> ")
    assert main(["db", "upgrade", "-c", str(config), "--store", url + "2"]) == 0
    assert capsys.readouterr().out.startswith(f"{url}2: schema version 0 -> ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("15s,1h", (15.0, 3600.0)),
        ("15ms,3.6s", (0.015, 3.6)),
        ("2m", (120.0, 3600.0)),
        ("2h", (7200.0, 7200.0)),
    ],
)
def test_retry_backoff_from_the_environment(
    value: str, expected: tuple[float, float] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFIER_RETRY_BACKOFF", value)
    assert retry_backoff() == expected


@pytest.mark.parametrize("value", ["soon", "0,1h", "1h,1m", "15s,never"])
def test_a_bad_retry_backoff_stops_run_with_a_clear_error(
    value: str, config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NOTIFIER_RETRY_BACKOFF", value)
    with pytest.raises(ConfigError):
        retry_backoff()
    assert main(["run", "--once", "-c", str(config)]) == 2
    assert capsys.readouterr().err.startswith("$NOTIFIER_RETRY_BACKOFF: expected FIRST")
