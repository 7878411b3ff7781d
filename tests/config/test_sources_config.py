"""``sources:``: watched folders and polled URLs, checked with file:line problems."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from notifier.config import SourceSpec, inspect_config, load_config
from notifier.rules.model import Location

Problems = Callable[[str], list[str]]
RULES = "rules:\n  - {name: x, any: [a]}\n"
SECRET = "Bearer s3cr3t-t0ken"

GOOD = """\
sources:
  inbox: {type: folder, path: inbox, pattern: "*.md"}
  all-of-it:
    type: folder
    path: ~/digests
    pattern: ["*.md", "*.json"]
    recursive: true
  feed:
    type: url
    url: https://example.com/feed.xml
    interval: 10m
    timeout: 5s
    headers: {Authorization: "${FEED_AUTH}", X-Id: 42}
    max_size: 1MB
  plain: {type: url, url: "http://127.0.0.1:8000/today.md"}
"""


def test_every_setting(write: Callable[..., str], in_tmp: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings are normalised: absolute paths, globs as a tuple, seconds, bytes."""
    monkeypatch.setenv("FEED_AUTH", SECRET)
    monkeypatch.setenv("HOME", str(in_tmp))
    (in_tmp / "inbox").mkdir()
    (in_tmp / "digests").mkdir()
    config = load_config(write(GOOD + RULES))
    assert [(s.name, s.type) for s in config.sources] == [
        ("inbox", "folder"),
        ("all-of-it", "folder"),
        ("feed", "url"),
        ("plain", "url"),
    ]
    inbox, everything, feed, plain = config.sources
    assert inbox.settings == {
        "path": str(in_tmp / "inbox"),
        "pattern": ("*.md",),
        "recursive": False,
    }
    assert inbox.location == Location("rules.yaml", 2)
    assert everything.settings == {
        "path": str(in_tmp / "digests"),
        "pattern": ("*.md", "*.json"),
        "recursive": True,
    }
    assert feed.settings == {
        "url": "https://example.com/feed.xml",
        "interval": 600.0,
        "timeout": 5.0,
        "headers": {"Authorization": SECRET, "X-Id": "42"},
        "max_size": 1024 * 1024,
    }
    assert plain.settings == {
        "url": "http://127.0.0.1:8000/today.md",
        "interval": 600.0,
        "timeout": 20.0,
        "headers": {},
        "max_size": 20 * 1024 * 1024,
    }
    assert SECRET not in repr(config.sources)
    assert repr(feed) == "SourceSpec(name='feed', type='url')"
    assert config.warnings == ()


def test_no_sources(write: Callable[..., str]):
    """Sources are optional (ingest and the CLI need none)."""
    assert load_config(write(RULES)).sources == ()
    assert load_config(write("sources:\n" + RULES)).sources == ()


def test_missing_folder_is_a_warning(write: Callable[..., str], in_tmp: Path):
    """A folder that does not exist yet is fine: the service creates it."""
    report = inspect_config(write("sources:\n  in: {type: folder, path: later}\n" + RULES))
    assert report.config is not None
    # No pattern: the digest files (by extension) that `notifier ingest DIR` reads.
    assert report.config.sources[0].settings == {
        "path": str(in_tmp / "later"),
        "pattern": None,
        "recursive": False,
    }
    assert report.config.sources == (
        SourceSpec("in", "folder", report.config.sources[0].settings),
    )
    assert [str(w) for w in report.warnings] == [
        "rules.yaml:2: warning: source 'in': the folder 'later' does not exist yet "
        "(notifier run creates it)"
    ]


def test_headers_over_plain_http_warn(write: Callable[..., str]):
    """Credentials in headers to a remote plain-http URL travel in clear text."""
    report = inspect_config(
        write(
            "sources:\n  f:\n    type: url\n    url: http://example.com/a.md\n"
            "    headers: {Authorization: x}\n" + RULES
        )
    )
    assert [str(w) for w in report.warnings] == [
        "rules.yaml:5: warning: source 'f': url is plain http: these headers travel unencrypted"
    ]


BAD = """\
sources:
  a: {type: fodler, path: x}
  b: {path: x}
  c: {type: folder}
  d: {type: folder, path: file.txt, patern: "*.md"}
  e: {type: folder, path: ., pattern: "sub/*.md", recursive: yes please}
  f: {type: url, url: "ftp://example.com/x"}
  g: {type: url, url: "https://example.com/x?key=SECRETKEY", interval: 10 minutes}
  h: {type: url, url: "https://example.com", interval: 0.5, timeout: 0}
  i:
    type: url
    url: "https://example.com"
    headers:
      Bad Name: x
      X-Token: "${FEED_AUTH}"
      X-List: [a]
      X-Cjk: 你好
    max_size: huge
  j: {type: url}
  http: {type: url, url: "https://example.com"}
  k: folder
  l: {type: url, url: "https://example.com:port/"}
"""


def test_every_problem_at_its_line(
    problems: Problems, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
):
    """Each bad source setting is reported at its own line; values from ${VAR} never."""
    monkeypatch.setenv("FEED_AUTH", "line\nbreak-" + SECRET)
    (in_tmp / "file.txt").write_text("x", encoding="utf-8")
    got = problems(BAD + RULES)
    assert got == [
        "rules.yaml:2: source 'a': unknown source type 'fodler'; did you mean 'folder'? "
        "(known: folder, url)",
        "rules.yaml:3: source 'b' has no type: (known types: folder, url)",
        "rules.yaml:4: source 'c': missing setting 'path' (the folder to watch)",
        "rules.yaml:5: source 'd': unknown setting 'patern' (did you mean 'pattern'?)",
        "rules.yaml:5: source 'd': path: 'file.txt' is a file, not a folder",
        "rules.yaml:6: source 'e': pattern: matches file names, not paths (no '/')",
        "rules.yaml:6: source 'e': recursive: must be true or false, got a string",
        "rules.yaml:7: source 'f': url: must be an http:// or https:// URL",
        "rules.yaml:8: source 'g': interval: must be a duration like 30s, 10m or 1h "
        "(a number is seconds), got '10 minutes'",
        "rules.yaml:9: source 'h': interval: must be at least 1s",
        "rules.yaml:9: source 'h': timeout: must be more than 0s",
        "rules.yaml:14: source 'i': headers: 'Bad Name' is not a valid header name",
        "rules.yaml:15: source 'i': headers.X-Token: must not contain a line break",
        "rules.yaml:16: source 'i': headers.X-List: must be text, got a list",
        "rules.yaml:17: source 'i': headers.X-Cjk: must be ASCII text",
        "rules.yaml:18: source 'i': max_size: must be a size like 20MB or 512KB "
        "(a number is bytes), got 'huge'",
        "rules.yaml:19: source 'j': missing setting 'url' (the address to poll)",
        "rules.yaml:20: source name 'http' is reserved (POST /v1/digests uses it)",
        "rules.yaml:21: source 'k' must be a mapping, got a string",
        "rules.yaml:22: source 'l': url: must be an http:// or https:// URL",
    ]
    assert "SECRETKEY" not in "".join(got)
    assert SECRET not in "".join(got)


def test_sources_must_be_a_mapping(problems: Problems):
    """A list of sources is explained."""
    assert problems("sources: [a]\n" + RULES) == [
        "rules.yaml:1: sources must be a mapping, got a list"
    ]


def test_type_from_a_variable_is_not_suggested(
    problems: Problems, monkeypatch: pytest.MonkeyPatch
):
    """An unknown type from ${VAR} is named as written, with no guess from its value."""
    monkeypatch.setenv("KIND", "fodler")
    assert problems('sources:\n  a: {type: "${KIND}", path: x}\n' + RULES) == [
        "rules.yaml:2: source 'a': unknown source type '${KIND}' (known: folder, url)"
    ]


def test_unset_variable_is_reported_once(problems: Problems):
    """A ${VAR} that is not set is the only problem of its setting."""
    assert problems('sources:\n  a: {type: url, url: "${MISSING}"}\n' + RULES) == [
        "rules.yaml:2: environment variable MISSING is not set"
    ]


LAYOUTS = """\
sources:
  daily:
    type: url
    url: https://example.com/daily.md
    layout: {item: h3, section: h2, skip: [广告]}
  report:
    type: folder
    path: .
    layout:
      item: div.news-item
      title: a.news-link
  bad-level:
    type: url
    url: https://example.com/x.md
    layout:
      item: h3
      section: h4
  bad-key:
    type: url
    url: https://example.com/y.md
    layout:
      item: list
      colour: red
  bad-css:
    type: url
    url: https://example.com/z.html
    layout: {item: "div[["}
  no-item:
    type: url
    url: https://example.com/w.md
    layout: {section: h2}
"""


def test_layouts_are_checked_at_their_line(problems: Problems, in_tmp: Path):
    """A source's layout: (issue 11) is checked like every setting: file:line, exit 1."""
    got = problems(LAYOUTS + RULES)
    assert got == [
        "rules.yaml:17: source 'bad-level': layout: section: h4 is not above item h3: "
        "use a smaller heading",
        "rules.yaml:23: source 'bad-key': layout: unknown setting 'colour' "
        "(known: item, title, section, skip)",
        "rules.yaml:27: source 'bad-css': layout: item: 'div[[' is not a CSS selector "
        "(Can't parse CSS selector.)",
        "rules.yaml:31: source 'no-item': layout: item: say what one story is: h1-h6, list, "
        "table, paragraph, bold, or a CSS selector for HTML pages (e.g. div.story)",
    ]


def test_good_layouts_reach_the_sources(write: Callable[..., str], in_tmp: Path):
    from notifier.parse import Layout

    config = load_config(write(LAYOUTS.split("  bad-level:")[0] + RULES))
    daily, report = config.sources
    assert daily.settings["layout"] == Layout("h3", None, "h2", ("广告",))
    assert report.settings["layout"] == Layout("div.news-item", "a.news-link")
