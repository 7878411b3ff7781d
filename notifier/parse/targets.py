"""Where digests come from: a file, a directory, ``-`` (stdin) or an http(s) URL."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from notifier.errors import DigestError
from notifier.plaintext import show_size

if TYPE_CHECKING:
    import httpx

    from notifier.parse.layout import Layout
    from notifier.parse.result import ParseResult

DIGEST_EXTS = frozenset(
    {".md", ".markdown", ".txt", ".xml", ".rss", ".atom", ".json", ".jsonl", ".html", ".htm"}
)
# Repository boilerplate that sits next to digests but is not one.
_NOT_DIGESTS = frozenset({"readme", "changelog", "license", "contributing", "code_of_conduct"})
#: Largest digest file (or standard input) read.
MAX_BYTES = 64 * 1024 * 1024
#: Largest download, as a url source's default ``max_size``.
MAX_DOWNLOAD = 20 * 1024 * 1024
#: Seconds for a whole download, every byte included.
TIMEOUT = 30.0


def parse_path(path: str | os.PathLike[str], layout: Layout | None = None) -> ParseResult:
    """Read and parse one digest file."""
    from notifier.parse import parse_bytes

    data = read_file(path)
    return parse_bytes(data, os.fspath(path), filename=Path(path).name, layout=layout)


def read_file(path: str | os.PathLike[str]) -> bytes:
    """Return the bytes of one digest file (DigestError: missing, too large, unreadable)."""
    origin = os.fspath(path)
    p = Path(origin)
    try:
        if p.is_dir():
            raise DigestError(origin, "is a directory")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise DigestError(origin, f"larger than {show_size(MAX_BYTES)} ({size} bytes)")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise DigestError(origin, "no such file") from exc
    except PermissionError as exc:
        raise DigestError(origin, "permission denied") from exc
    except OSError as exc:
        raise DigestError(origin, f"cannot read ({exc.strerror or type(exc).__name__})") from exc
    return data


def digest_files(root: str) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            stem, ext = os.path.splitext(name)
            if name.startswith(".") or ext.lower() not in DIGEST_EXTS:
                continue
            if stem.lower() in _NOT_DIGESTS:
                continue
            found.append(os.path.join(dirpath, name))
    return sorted(found)


def _fetch(url: str, layout: Layout | None) -> ParseResult:
    from notifier.parse import parse_bytes

    data, name, content_type = fetch(url)
    return parse_bytes(data, url, filename=name, content_type=content_type, layout=layout)


def fetch(
    url: str, *, max_size: int = MAX_DOWNLOAD, timeout: float = TIMEOUT
) -> tuple[bytes, str | None, str | None]:
    """Download a digest: (bytes, file name from the URL, content type).

    Streamed: a body past ``max_size`` bytes is refused as soon as it gets there, and the
    whole request (connecting, redirects, every byte) has ``timeout`` seconds.
    """
    return asyncio.run(_download(url, max_size, deadline=timeout))


async def _download(
    url: str, max_size: int, *, deadline: float
) -> tuple[bytes, str | None, str | None]:
    import httpx  # only for URLs

    headers = {"User-Agent": "notifier/0.1 (+digest reader)"}
    try:
        async with (
            asyncio.timeout(deadline),
            httpx.AsyncClient(follow_redirects=True, timeout=deadline) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code >= 400:
                status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                raise DigestError(url, status)
            data = await read_capped(response, max_size)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise DigestError(url, f"timed out after {deadline:g} s") from exc
    except TooLarge as exc:
        raise DigestError(url, str(exc)) from exc
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DigestError(url, f"cannot fetch ({reason})") from exc
    name = PurePosixPath(urlsplit(str(response.url)).path).name or None
    return data, name, response.headers.get("content-type")


class TooLarge(ValueError):
    """A body past its size limit (the message says which)."""


async def read_capped(response: httpx.Response, max_size: int) -> bytes:
    """The body of a streamed response, refused (:class:`TooLarge`) past ``max_size`` bytes:
    at once when ``Content-Length`` says so, else when that many bytes arrived."""
    limit = f"larger than {show_size(max_size)}"
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_size:
        raise TooLarge(f"the response is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_size:
            raise TooLarge(f"the response is {limit}")
        chunks.append(chunk)
    return b"".join(chunks)


def read_stdin(max_size: int = MAX_BYTES) -> bytes:
    """Standard input, refused past ``max_size`` bytes (a pipe has no size to check first)."""
    data = sys.stdin.buffer.read(max_size + 1)
    if len(data) > max_size:
        raise DigestError("<stdin>", f"larger than {show_size(max_size)}")
    return data


def _guarded(origin: str, read: Callable[[], ParseResult]) -> ParseResult | DigestError:
    """Run one read; a parser bug becomes a DigestError instead of stopping the run."""
    try:
        return read()
    except DigestError as exc:
        return exc
    except Exception as exc:  # a bug must not stop the other digests
        return DigestError(origin, f"internal parser error ({type(exc).__name__}: {exc})")


def iter_digests(
    target: str | os.PathLike[str], layout: Layout | None = None
) -> Iterator[ParseResult | DigestError]:
    """Parse every digest ``target`` names; unreadable ones are yielded as DigestError.

    ``target`` is a file, a directory (every digest file in it, recursively, sorted;
    hidden files and README/CHANGELOG/LICENSE skipped), ``-`` for stdin, or an http(s) URL.
    """
    from notifier.parse import parse_bytes

    target = os.fspath(target)
    if target == "-":
        yield _guarded("<stdin>", lambda: parse_bytes(read_stdin(), "<stdin>", layout=layout))
        return
    if target.lower().startswith(("http://", "https://")):
        yield _guarded(target, lambda: _fetch(target, layout))
        return
    if os.path.isdir(target):
        files = digest_files(target)
        if not files:
            yield DigestError(target, "no digest files in this directory")
        for path in files:
            yield _guarded(path, functools.partial(parse_path, path, layout))
        return
    yield _guarded(target, lambda: parse_path(target, layout))
