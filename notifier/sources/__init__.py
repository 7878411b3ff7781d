"""Where digests come from: watched folders, polled URLs (the HTTP ingest endpoint and
``notifier ingest`` hand digests to the pipeline directly)."""

from notifier.sources.base import Digest, Emit, LoadState, SaveState, Source
from notifier.sources.build import build_sources
from notifier.sources.folder import FolderSource
from notifier.sources.url import PollError, UrlSource

__all__ = [
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
