"""build_sources: one source per sources: entry, with the config's settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import notifier.sources
from notifier.config import load_config
from notifier.sources import FolderSource, UrlSource, build_sources
from tests.sources.helpers import Emitted, States

REPO = Path(__file__).resolve().parents[2]
CONFIG = """\
sources:
  inbox: {type: folder, path: inbox, pattern: "*.md", recursive: true}
  feed:
    type: url
    url: https://example.com/feed.xml?key=abc
    interval: 15m
    timeout: 5s
    headers: {Authorization: "Bearer x"}
    max_size: 1MB
rules:
  - {name: x, any: [a]}
"""


async def test_build_from_config(tmp_path: Path):
    """Settings go through; state callables are shared by every source."""
    (tmp_path / "rules.yaml").write_text(CONFIG, encoding="utf-8")
    config = load_config(tmp_path / "rules.yaml")
    states = States()
    inbox, feed = build_sources(config, states.load, states.save)
    assert isinstance(inbox, FolderSource)
    assert (inbox.name, inbox.path, inbox.patterns, inbox.recursive) == (
        "inbox",
        tmp_path / "inbox",
        ("*.md",),
        True,
    )
    assert isinstance(feed, UrlSource)
    assert (feed.name, feed.url, feed.interval, feed.timeout, feed.max_size) == (
        "feed",
        "https://example.com/feed.xml?key=abc",
        900.0,
        5.0,
        1024 * 1024,
    )
    assert feed.headers == {"Authorization": "Bearer x"}
    assert feed.shown_url == "https://example.com/feed.xml?…"
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.md").write_text("# x\n", encoding="utf-8")
    await inbox.once(Emitted())
    assert states.data["inbox"]["digests"] == 1
    assert states.data["inbox"]["type"] == "folder"


def test_no_sources(tmp_path: Path):
    """A config without sources: builds none."""
    (tmp_path / "rules.yaml").write_text("rules:\n  - {name: x, any: [a]}\n", encoding="utf-8")
    assert build_sources(load_config(tmp_path / "rules.yaml")) == []


def test_public_names():
    """The package exports exactly its documented API."""
    assert sorted(notifier.sources.__all__) == [
        "Digest",
        "Emit",
        "FolderSource",
        "LoadState",
        "PollError",
        "SaveState",
        "Source",
        "UrlSource",
        "build_sources",
    ]


def test_import_is_light():
    """Importing the sources loads neither httpx nor watchfiles (they load when used)."""
    code = (
        "import sys, notifier.sources\n"
        "print([m for m in ('httpx', 'watchfiles') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "[]"
