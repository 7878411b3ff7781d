"""`notifier db upgrade` and `notifier db copy`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from notifier.cli import main
from notifier.store import NewDelivery, NewStory, State, open_store
from notifier.store.copy import latest_version


def fill(url: str) -> None:
    """A store with two stories and three deliveries."""

    async def go() -> None:
        async with open_store(url) as s:
            stories = [NewStory(sid, (sid,), sid, None, "src", {"id": sid}) for sid in "ab"]
            ds = [NewDelivery(x.id, t, ("r",), 1.0, 0.0, {}) for x in stories for t in "xy"]
            await s.commit_digest("h", "o", stories, [], ds[:3], now=1)

    asyncio.run(go())


def counts(url: str) -> dict[tuple[str, State], int]:
    async def go() -> dict[tuple[str, State], int]:
        async with open_store(url) as s:
            return await s.counts()

    return asyncio.run(go())


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFIER_CONFIG", raising=False)
    monkeypatch.delenv("NOTIFIER_STORE", raising=False)


def test_upgrade_prints_versions_before_and_after(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new store goes from 0 to the latest version; a second run has nothing to do."""
    url = f"sqlite:///{tmp_path}/n.db"
    latest = latest_version(url)
    assert main(["db", "upgrade", "--store", url]) == 0
    assert capsys.readouterr().out == f"{url}: schema version 0 -> {latest}\n"
    assert main(["db", "upgrade", "--store", url]) == 0
    assert capsys.readouterr().out == f"{url}: schema version {latest}, up to date\n"


def test_upgrade_on_postgresql(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The same on PostgreSQL."""
    latest = latest_version(pg_url)
    assert main(["db", "upgrade", "--store", pg_url]) == 0
    assert capsys.readouterr().out.endswith(f": schema version 0 -> {latest}\n")
    assert main(["db", "upgrade", "--store", pg_url]) == 0
    assert capsys.readouterr().out.endswith(f": schema version {latest}, up to date\n")


def test_upgrade_without_store_or_config_uses_notifier_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --store and no rules.yaml here: sqlite:///notifier.db in the current folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.startswith("sqlite:///notifier.db: schema version 0 -> ")
    assert (tmp_path / "notifier.db").is_file()


def test_upgrade_takes_the_store_of_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With -c, the config's store: is the one upgraded (relative to the config's folder)."""
    config = tmp_path / "rules.yaml"
    config.write_text("store: sqlite:///from-config.db\nrules: []\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path}/from-config.db"
    assert main(["db", "upgrade", "-c", str(config)]) == 0
    assert capsys.readouterr().out.startswith(f"{url}: schema version 0 -> ")


def test_upgrade_with_a_missing_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A config named with -c that is not there is an error (exit 2)."""
    assert main(["db", "upgrade", "-c", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unreachable_server_fails_without_showing_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exit 1 with one line naming the store, its password masked."""
    url = "postgresql://app:s3cret-pw@127.0.0.1:1/none?connect_timeout=5"
    assert main(["db", "upgrade", "--store", url]) == 1
    out = capsys.readouterr()
    assert "s3cret-pw" not in out.out + out.err
    assert out.err.startswith("postgresql://app:***@127.0.0.1:1/none")
    assert len(out.err.splitlines()) == 1


def test_copy_sqlite_to_postgresql_and_back(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`db copy` moves a store to PostgreSQL and back; a summary goes to stdout, no progress
    when stderr is not a terminal."""
    src, back = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    fill(src)
    assert main(["db", "copy", src, pg_url]) == 0
    out = capsys.readouterr()
    assert out.out.startswith(f"copied 10 rows from {src} to ")
    assert "deliveries 3" in out.out
    assert out.err == ""
    assert main(["db", "copy", pg_url, back]) == 0
    assert counts(back) == counts(pg_url) == counts(src)


def test_copy_refuses_a_destination_with_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Copying into a store that holds data fails with the reason, and changes nothing."""
    a, b = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    fill(a)
    fill(b)
    assert main(["db", "copy", a, b]) == 1
    assert "not empty" in capsys.readouterr().err
    assert counts(b) == counts(a)


def test_copy_shows_progress_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a terminal, stderr gets one progress line per table."""
    import sys

    a, b = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    fill(a)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["db", "copy", a, b]) == 0
    captured = capsys.readouterr()
    err = captured.err
    assert "\rcopying deliveries [########################] 3/3 rows" in err
    tables = captured.out.count(", ") + 1  # the summary names every table copied
    assert err.count("\n") == tables  # one line per table
