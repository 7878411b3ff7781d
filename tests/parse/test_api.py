"""Public API: decoding, DigestError cases, iter_digests targets, lazy imports."""

from __future__ import annotations

import codecs
import contextlib
import http.server
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import notifier.parse as parse_api
from notifier.errors import DigestError
from notifier.parse import ParseResult, iter_digests, parse_bytes, parse_path, parse_text

DIGEST = "# Daily 2025-12-08\n\n1. [A](https://ex.com/a)\n2. [B](https://ex.com/b)\n"


def test_public_names() -> None:
    assert set(parse_api.__all__) >= {
        "ParseResult",
        "iter_digests",
        "parse_bytes",
        "parse_path",
        "parse_text",
    }


def test_parse_result_fields() -> None:
    d = parse_text(DIGEST, "d.md")
    assert isinstance(d, ParseResult)
    assert (d.origin, d.format, d.source, d.date.isoformat() if d.date else None) == (
        "d.md",
        "markdown",
        "Daily 2025-12-08",
        "2025-12-08",
    )
    assert [(i.rank, i.origin, i.source) for i in d.items] == [
        (1, "d.md", "Daily 2025-12-08"),
        (2, "d.md", "Daily 2025-12-08"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + DIGEST.encode(),
        DIGEST.replace("\n", "\r\n").encode(),
        DIGEST.encode("utf-16"),
    ],
    ids=["utf8-bom", "crlf", "utf16-bom"],
)
def test_decoding(data: bytes) -> None:
    d = parse_bytes(data, "d.md")
    assert [i.title for i in d.items] == ["A", "B"]
    assert d.warnings == []


def test_gb18030_fallback_warns() -> None:
    d = parse_bytes("# 日报\n\n1. [新闻](https://ex.com/a)\n".encode("gb18030"), "g.md")
    assert [i.title for i in d.items] == ["新闻"]
    assert d.warnings == ["g.md:1: not UTF-8; decoded as GB18030"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty digest"),
        (b"  \n\t\n", "empty digest"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"ok \xff\x80\xff text", "not UTF-8 or GB18030"),
    ],
)
def test_unreadable_digests(data: bytes, reason: str) -> None:
    with pytest.raises(DigestError) as exc:
        parse_bytes(data, "bad.md")
    assert exc.value.origin == "bad.md"
    assert reason in exc.value.reason
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize(
    ("data", "warning"),
    [
        (b"<!DOCTYPE html><html><body>page</body></html>", "no stories found"),
        (b"plain prose, nothing else", "no stories found"),
        ("# 日报\n\n今日无更新。\n".encode(), "no stories in this edition (it says “今日无更新”)"),
        (b"# Weekly\n\n## News\n\n- [Coming Soon] news\n", "it says “Coming Soon”"),
    ],
)
def test_pages_without_stories_warn_and_give_no_items(data: bytes, warning: str) -> None:
    d = parse_bytes(data, "empty.md")
    assert d.items == []
    assert len(d.warnings) == 1
    assert d.warnings[0].startswith("empty.md:")
    assert warning in d.warnings[0]


def test_random_bytes_never_crash() -> None:
    import random

    rng = random.Random(7)
    for size in (1, 7, 64, 1000, 20_000):
        for _ in range(20):
            data = bytes(rng.randrange(256) for _ in range(size))
            with contextlib.suppress(DigestError):
                parse_bytes(data, "rand")


def test_parse_path_errors(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="no such file"):
        parse_path(tmp_path / "missing.md")
    with pytest.raises(DigestError, match="is a directory"):
        parse_path(tmp_path)


def test_iter_digests_directory(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.md").write_text(DIGEST, encoding="utf-8")
    (tmp_path / "1.json").write_text('[{"title": "J"}]', encoding="utf-8")
    (tmp_path / "3.txt").write_text("prose only", encoding="utf-8")
    (tmp_path / "README.md").write_text("# About this folder", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text(DIGEST, encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00")
    results = list(iter_digests(str(tmp_path)))
    origins = [Path(r.origin).relative_to(tmp_path).as_posix() for r in results]
    assert origins == ["1.json", "3.txt", "b/2.md"]
    assert all(isinstance(r, ParseResult) for r in results)
    assert results[1].items == []  # prose only: no stories, a warning, not an error
    assert "no stories found" in results[1].warnings[0]


def test_iter_digests_missing_file_and_empty_dir(tmp_path: Path) -> None:
    (err,) = iter_digests(str(tmp_path / "nope.md"))
    assert isinstance(err, DigestError)
    (err,) = iter_digests(str(tmp_path))
    assert isinstance(err, DigestError)
    assert "no digest files" in err.reason


def test_iter_digests_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(DIGEST.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    (result,) = iter_digests("-")
    assert isinstance(result, ParseResult)
    assert result.origin == "<stdin>"
    assert len(result.items) == 2


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/feed.xml":
            body = (
                b'<rss version="2.0"><channel><title>T</title>'
                b"<item><title>X</title><link>https://ex.com/x</link></item></channel></rss>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
        elif self.path == "/daily.md":
            body = DIGEST.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/markdown; charset=utf-8")
        else:
            body = b"nope"
            self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_iter_digests_url(server: str) -> None:
    (feed,) = iter_digests(server + "/feed.xml")
    assert isinstance(feed, ParseResult)
    assert feed.format == "rss"
    assert [i.title for i in feed.items] == ["X"]
    (md,) = iter_digests(server + "/daily.md")
    assert isinstance(md, ParseResult)
    assert [i.title for i in md.items] == ["A", "B"]
    (missing,) = iter_digests(server + "/missing")
    assert isinstance(missing, DigestError)
    assert "HTTP 404" in missing.reason


def test_iter_digests_unreachable_url() -> None:
    (err,) = iter_digests("http://127.0.0.1:9/nothing")
    assert isinstance(err, DigestError)
    assert err.reason.startswith(("cannot fetch", "timed out"))


def test_heavy_modules_are_imported_lazily() -> None:
    code = (
        "import sys\n"
        "from notifier.parse import parse_text\n"
        "parse_text('---\\ntitle: x\\ndate: 2025-01-01\\n---\\n1. [A](https://ex.com/a)\\n')\n"
        "print(sorted(m for m in ('feedparser', 'httpx', 'yaml') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.strip() == "[]"
