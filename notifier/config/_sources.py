"""The ``sources:`` section: watched folders and polled URLs.

Each source is ``name: {type: folder | url, ...}``. The loaded :class:`SourceSpec` holds
checked, normalised settings:

- ``folder``: ``path`` (absolute), ``pattern`` (a tuple of file-name globs, or ``None``:
  the digest files ``notifier ingest DIR`` reads), ``recursive``.
- ``url``: ``url``, ``interval`` and ``timeout`` (seconds), ``headers`` (name -> text),
  ``max_size`` (bytes).
- both: ``layout`` (a :class:`~notifier.parse.layout.Layout`, or ``None``: the reader
  finds the stories from the page's structure).

Header values and URLs may hold credentials: messages never show them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from notifier.config._check import Checker
from notifier.config._model import SourceSpec
from notifier.config._nodes import Node
from notifier.config._problems import closest
from notifier.config._units import parse_duration, parse_size
from notifier.parse.layout import Layout, LayoutError, layout_of
from notifier.rules.model import Location

SOURCE_KEYS: dict[str, tuple[str, ...]] = {
    "folder": ("path", "pattern", "recursive", "layout"),
    "url": ("url", "interval", "timeout", "headers", "max_size", "layout"),
}
#: Names the pipeline gives digests that no configured source read.
RESERVED = {"cli": "notifier ingest", "http": "POST /v1/digests"}
DEFAULT_INTERVAL = 600.0
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_SIZE = 20 * 1024 * 1024
#: Polling more often than this is never what a feed wants.
MIN_INTERVAL = 1.0
_DURATION_HINT = "a duration like 30s, 10m or 1h (a number is seconds)"
#: RFC 9110 token characters.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def read_sources(check: Checker, node: Node | None, base: Path) -> tuple[SourceSpec, ...]:
    """Return the sources declared by ``sources:``; problems go to ``check``.

    ``base`` is the config's folder: relative folder paths are relative to it.
    """
    if node is None or node.value is None:
        return ()
    values = check.mapping(node, "sources")
    out: list[SourceSpec] = []
    for name, spec in (values or {}).items():
        line = node.key_lines[name]
        if name in RESERVED:
            check.error(line, f"source name '{name}' is reserved ({RESERVED[name]} uses it)")
        source = _source(check, name, spec, line, base)
        if source is not None and name not in RESERVED:
            out.append(source)
    return tuple(out)


def _source(check: Checker, name: str, node: Node, line: int, base: Path) -> SourceSpec | None:
    what = f"source '{name}'"
    values = check.mapping(node, what)
    if values is None:
        return None
    known = ", ".join(SOURCE_KEYS)
    if "type" not in values:
        check.error(line, f"{what} has no type: (known types: {known})")
        return None
    type_node = values["type"]
    kind = check.string(type_node, f"{what}: type")
    if kind is None:
        return None
    if kind not in SOURCE_KEYS:
        close = None if type_node.env else closest(kind, SOURCE_KEYS)
        hint = f"; did you mean '{close}'?" if close else ""
        check.error(
            type_node.line,
            f"{what}: unknown source type {type_node.show()}{hint} (known: {known})",
        )
        return None
    check.unknown_settings(node, ("type", *SOURCE_KEYS[kind]), what)
    before = len(check.problems.errors)
    read = _folder if kind == "folder" else _url
    settings = read(check, what, values, line, base)
    layout = _layout(check, what, values.get("layout"))
    if settings is not None and layout is not None:
        settings["layout"] = layout
    if settings is None or len(check.problems.errors) > before:
        return None
    if any(n.broken for n in values.values()):
        return None
    return SourceSpec(name, kind, settings, Location(check.path, line))


def _folder(
    check: Checker, what: str, values: dict[str, Node], line: int, base: Path
) -> dict[str, Any] | None:
    if "path" not in values:
        check.error(line, f"{what}: missing setting 'path' (the folder to watch)")
        return None
    before = len(check.problems.errors)
    node = values["path"]
    text = check.string(node, f"{what}: path")
    if text is None:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = base.absolute() / path
    if path.exists() and not path.is_dir():
        check.fail(node, f"{what}: path: {node.show()} is a file, not a folder")
    elif not path.exists() and not node.broken:
        check.warning(
            node.line,
            f"{what}: the folder {node.show()} does not exist yet (notifier run creates it)",
        )
    patterns: tuple[str, ...] | None = None  # the digest files `notifier ingest DIR` reads
    if "pattern" in values and values["pattern"].value is not None:
        patterns = check.strings(values["pattern"], f"{what}: pattern", single=True)
        for item in check.items(values["pattern"], "pattern", single=True) or []:
            if isinstance(item.value, str) and ("/" in item.value or "\\" in item.value):
                check.fail(item, f"{what}: pattern: matches file names, not paths (no '/')")
        if patterns == ():
            check.fail(values["pattern"], f"{what}: pattern: give at least one, e.g. '*.md'")
    recursive: bool | None = False
    if "recursive" in values:
        recursive = check.boolean(values["recursive"], f"{what}: recursive")
    if recursive is None or len(check.problems.errors) > before:
        return None
    return {"path": str(path), "pattern": patterns, "recursive": recursive}


def _url(
    check: Checker, what: str, values: dict[str, Node], line: int, base: Path
) -> dict[str, Any] | None:
    if "url" not in values:
        check.error(line, f"{what}: missing setting 'url' (the address to poll)")
        return None
    node = values["url"]
    url = check.string(node, f"{what}: url")
    if url is None:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        check.fail(node, f"{what}: url: must be an http:// or https:// URL")
        return None
    interval = _duration(check, what, values, "interval", DEFAULT_INTERVAL)
    if interval is not None and interval < MIN_INTERVAL:
        check.fail(values["interval"], f"{what}: interval: must be at least 1s")
        interval = None
    timeout = _duration(check, what, values, "timeout", DEFAULT_TIMEOUT)
    if timeout == 0:
        check.fail(values["timeout"], f"{what}: timeout: must be more than 0s")
        timeout = None
    headers = _headers(check, what, values.get("headers"))
    max_size: int | None = DEFAULT_MAX_SIZE
    if "max_size" in values:
        max_size = parse_size(values["max_size"].value)
        if not max_size:
            check.fail(
                values["max_size"],
                f"{what}: max_size: must be a size like 20MB or 512KB (a number is bytes), "
                f"got {values['max_size'].show()}",
            )
    if interval is None or timeout is None or headers is None or not max_size:
        return None
    plain = parts.scheme.lower() == "http" and parts.hostname not in _LOOPBACK
    if headers and plain:
        check.warning(
            values["headers"].line,
            f"{what}: url is plain http: these headers travel unencrypted",
        )
    return {
        "url": url,
        "interval": interval,
        "timeout": timeout,
        "headers": headers,
        "max_size": max_size,
    }


def _layout(check: Checker, what: str, node: Node | None) -> Layout | None:
    """``layout: {item: h3, section: h2}``: what the source's stories are (see
    :mod:`notifier.parse.layout`); a problem is reported at the setting's line."""
    if node is None or node.value is None:
        return None
    values = check.mapping(node, f"{what}: layout")
    if values is None:
        return None
    try:
        return layout_of({key: value.plain() for key, value in values.items()})
    except LayoutError as exc:
        line = node.key_lines.get(exc.key or "", node.line)
        check.error(line, f"{what}: layout: {exc}")
        return None


def _duration(
    check: Checker, what: str, values: dict[str, Node], key: str, default: float
) -> float | None:
    node = values.get(key)
    if node is None or node.value is None:
        return default
    seconds = parse_duration(node.value)
    if seconds is None:
        check.fail(node, f"{what}: {key}: must be {_DURATION_HINT}, got {node.show()}")
    return seconds


def _headers(check: Checker, what: str, node: Node | None) -> dict[str, str] | None:
    if node is None or node.value is None:
        return {}
    values = check.mapping(node, f"{what}: headers")
    if values is None:
        return None
    out: dict[str, str] = {}
    ok = True
    for name, value in values.items():
        line = node.key_lines.get(name, node.line)
        if not _HEADER_NAME.fullmatch(name):
            check.error(line, f"{what}: headers: {name!r} is not a valid header name")
            ok = False
            continue
        text = value.value
        if isinstance(text, int | float) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str):
            check.fail(value, f"{what}: headers.{name}: must be text, got {value.kind}")
            ok = False
        elif "\r" in text or "\n" in text:
            check.fail(value, f"{what}: headers.{name}: must not contain a line break")
            ok = False
        elif not text.isascii():
            check.fail(value, f"{what}: headers.{name}: must be ASCII text")
            ok = False
        else:
            out[name] = text
    return out if ok else None
