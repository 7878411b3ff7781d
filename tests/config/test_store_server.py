"""``store:`` and ``server:``: where the service keeps its state and where it listens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from notifier.config import ServerSpec, inspect_config, load_config, sqlite_path

Problems = Callable[[str], list[str]]
RULES = "rules:\n  - {name: x, any: [a]}\n"
SECRET = "pa55-w0rd-s3cret"


def test_default_store_is_beside_the_config(write: Callable[..., str], in_tmp: Path):
    """No store: and no $NOTIFIER_STORE: notifier.db in the config's folder, absolute."""
    config = load_config(write(RULES))
    assert config.store == f"sqlite:///{in_tmp / 'notifier.db'}"
    assert sqlite_path(config.store) == str(in_tmp / "notifier.db")


def test_store_from_the_environment(
    write: Callable[..., str], in_tmp: Path, monkeypatch: pytest.MonkeyPatch
):
    """$NOTIFIER_STORE is the default; relative paths are relative to the config's folder."""
    (in_tmp / "conf").mkdir()
    monkeypatch.setenv("NOTIFIER_STORE", "sqlite:///state.db")
    config = load_config(write(RULES, "conf/rules.yaml"))
    assert config.store == f"sqlite:///{in_tmp / 'conf' / 'state.db'}"
    monkeypatch.setenv("NOTIFIER_STORE", "postgresql://bot@db.example/notifier")
    assert load_config("conf/rules.yaml").store == "postgresql://bot@db.example/notifier"


def test_store_key_wins_over_the_environment(
    write: Callable[..., str], in_tmp: Path, monkeypatch: pytest.MonkeyPatch
):
    """store: in the file is used as written; sqlite paths relative, absolute or in-memory."""
    monkeypatch.setenv("NOTIFIER_STORE", "postgresql://other/db")
    (in_tmp / "data").mkdir()
    assert load_config(write("store: sqlite:///data/n.db\n" + RULES)).store == (
        f"sqlite:///{in_tmp / 'data' / 'n.db'}"
    )
    absolute = in_tmp / "abs.db"
    assert load_config(write(f"store: sqlite:///{absolute}\n" + RULES)).store == (
        f"sqlite:///{absolute}"
    )
    assert (
        load_config(write("store: 'sqlite:///:memory:'\n" + RULES)).store == "sqlite:///:memory:"
    )
    url = "postgresql://bot@db.example:5433/notifier?sslmode=require"
    assert load_config(write(f"store: {url}\n" + RULES)).store == url


def test_sqlite_path_of_other_stores():
    """Only sqlite:/// URLs have a file."""
    assert sqlite_path("postgresql://h/db") is None
    assert sqlite_path("sqlite:////var/lib/n.db") == "/var/lib/n.db"


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ("notifier.db", "store: not a URL; write sqlite:///PATH or postgresql://USER@HOST/DB"),
        (
            f"mysql://root:{SECRET}@h/db",
            "store: unknown scheme 'mysql'; write sqlite:///PATH or postgresql://USER@HOST/DB",
        ),
        ("sqlite://n.db", "store: write sqlite:///PATH, e.g. sqlite:///notifier.db"),
        ("sqlite:///", "store: write sqlite:///PATH, e.g. sqlite:///notifier.db"),
        (
            f"postgresql://u:{SECRET}@h:port/db",
            "store: the port of the PostgreSQL URL is not a number",
        ),
        ("[a]", "store: must be a string, got a list"),
    ],
)
def test_bad_stores(problems: Problems, store: str, message: str):
    """A store that cannot work is reported at its line, never with its password."""
    got = problems(f"store: {store}\n" + RULES)
    assert got == [f"rules.yaml:1: {message}"]
    assert SECRET not in "".join(got)


def test_store_that_is_a_folder(problems: Problems, in_tmp: Path):
    """A folder is not a database file."""
    (in_tmp / "data").mkdir()
    assert problems("store: sqlite:///data\n" + RULES) == [
        f"rules.yaml:1: store: {str(in_tmp / 'data')!r} is a folder; name the database file in it"
    ]


def test_store_folder_missing_is_a_warning(write: Callable[..., str], in_tmp: Path):
    """A database whose folder does not exist is valid, with a warning."""
    report = inspect_config(write("store: sqlite:///nowhere/n.db\n" + RULES))
    assert report.config is not None
    assert [str(w) for w in report.warnings] == [
        f"rules.yaml:1: warning: store: the folder {str(in_tmp / 'nowhere')!r} does not exist"
    ]


def test_bad_store_in_the_environment(
    problems: Problems, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
):
    """$NOTIFIER_STORE is checked too, and its value is not shown."""
    monkeypatch.setenv("NOTIFIER_STORE", f"mongodb://u:{SECRET}@h")
    assert problems(RULES) == [
        "rules.yaml: store (from $NOTIFIER_STORE): unknown scheme; "
        "write sqlite:///PATH or postgresql://USER@HOST/DB"
    ]


def test_store_from_a_variable_is_not_shown(problems: Problems, monkeypatch: pytest.MonkeyPatch):
    """store: "${DB_URL}" with a bad value names no part of it."""
    monkeypatch.setenv("DB_URL", f"{SECRET}://x")
    assert problems('store: "${DB_URL}"\n' + RULES) == [
        "rules.yaml:1: store: unknown scheme; write sqlite:///PATH or postgresql://USER@HOST/DB"
    ]


def test_server_defaults(write: Callable[..., str]):
    """No server: means 127.0.0.1:8080, no token (ingest disabled), 5 MB bodies."""
    assert load_config(write(RULES)).server == ServerSpec("127.0.0.1", 8080, None, 5 * 1024**2)


@pytest.mark.parametrize(
    ("section", "spec"),
    [
        (
            '{listen: "0.0.0.0:9000", token: "${INGEST}", max_body: 512KB}',
            ServerSpec("0.0.0.0", 9000, SECRET, 512 * 1024),
        ),
        ("{listen: 9000}", ServerSpec("127.0.0.1", 9000)),
        ("{listen: '[::1]:8081'}", ServerSpec("::1", 8081)),
        ("{listen: localhost:0, max_body: 1000}", ServerSpec("localhost", 0, max_body=1000)),
        ("{token: null}", ServerSpec()),
    ],
)
def test_server(
    write: Callable[..., str], monkeypatch: pytest.MonkeyPatch, section: str, spec: ServerSpec
):
    """listen is HOST:PORT or a port; token usually comes from the environment."""
    monkeypatch.setenv("INGEST", SECRET)
    config = load_config(write(f"server: {section}\n" + RULES))
    assert config.server == spec
    assert SECRET not in repr(config.server)


def test_bad_server(problems: Problems, monkeypatch: pytest.MonkeyPatch):
    """Every bad server setting at its own line; a token is never shown."""
    monkeypatch.setenv("INGEST", f"two {SECRET}")
    got = problems(
        'server:\n  listen: ":8080"\n  token: "${INGEST}"\n  max_body: lots\n  tokn: x\n' + RULES
    )
    assert got == [
        "rules.yaml:2: server: listen: give the address too: 127.0.0.1:PORT "
        "(this machine only) or 0.0.0.0:PORT (every network interface)",
        "rules.yaml:3: server: token: must not contain spaces or line breaks",
        "rules.yaml:4: server: max_body: must be a size like 5MB or 512KB (a number is bytes), "
        "got 'lots'",
        "rules.yaml:5: server: unknown setting 'tokn' (did you mean 'token'?)",
    ]
    assert SECRET not in "".join(got)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("server: [a]", "rules.yaml:1: server must be a mapping, got a list"),
        (
            "server: {listen: 'host'}",
            "rules.yaml:1: server: listen: write HOST:PORT, e.g. 127.0.0.1:8080, got 'host'",
        ),
        (
            "server: {listen: 70000}",
            "rules.yaml:1: server: listen: write HOST:PORT, e.g. 127.0.0.1:8080, got 70000",
        ),
        ("server: {token: ''}", "rules.yaml:1: server: token: must not be empty"),
        (
            "server: {max_body: 0}",
            "rules.yaml:1: server: max_body: must be a size like 5MB or 512KB "
            "(a number is bytes), got 0",
        ),
    ],
)
def test_bad_server_values(problems: Problems, section: str, message: str):
    """One problem each."""
    assert problems(section + "\n" + RULES) == [message]
