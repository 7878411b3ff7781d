"""Downloads for `notifier parse|test-rule|ingest URL` are bounded: a byte cap and a total
deadline (issue 12: a 2 GB body grew the process past 12 GB; a drip never timed out)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest

from notifier.errors import DigestError
from notifier.parse import targets
from notifier.parse.targets import fetch, read_stdin
from tests.hostile.servers import hostile_server

MB = 1024 * 1024


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with hostile_server() as url:
        yield url


@pytest.mark.parametrize("path", ["/endless", "/huge"])
def test_a_body_past_the_cap_is_refused(base: str, path: str) -> None:
    with pytest.raises(DigestError) as info:
        fetch(base + path, max_size=MB, timeout=60)
    assert str(info.value) == f"{base}{path}: the response is larger than 1 MB"


@pytest.mark.parametrize("path", ["/drip", "/silent"])
def test_the_deadline_covers_the_whole_download(base: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(DigestError) as info:
        fetch(base + path, timeout=1.0)
    assert str(info.value) == f"{base}{path}: timed out after 1 s"
    assert time.monotonic() - started < 30  # a hang guard, not a speed test


def test_stdin_past_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"# x\n" * 1000))
    monkeypatch.setattr("sys.stdin", stdin)
    with pytest.raises(DigestError, match=r"^<stdin>: larger than 1000 bytes$"):
        read_stdin(1000)


def test_defaults_match_the_url_source() -> None:
    from notifier.config._sources import DEFAULT_MAX_SIZE

    assert targets.MAX_DOWNLOAD == DEFAULT_MAX_SIZE
