"""Where digests come from: watched folders, polled URLs (the HTTP ingest endpoint and
``notifier ingest`` hand digests to the pipeline directly)."""

from notifier.sources.base import Digest, Emit, Source

__all__ = ["Digest", "Emit", "Source"]
