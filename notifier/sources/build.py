"""Build the configured sources (``sources:`` in rules.yaml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.sources.base import LoadState, SaveState
from notifier.sources.folder import FolderSource
from notifier.sources.url import UrlSource

if TYPE_CHECKING:
    from notifier.config import Config


def build_sources(
    config: Config,
    load_state: LoadState | None = None,
    save_state: SaveState | None = None,
) -> list[FolderSource | UrlSource]:
    """Return one source per entry of ``config.sources``, in file order.

    ``load_state`` and ``save_state`` (``Store.source_state`` and
    ``Store.save_source_state``) keep each source's state and status across restarts.
    """
    out: list[FolderSource | UrlSource] = []
    for spec in config.sources:
        s = spec.settings
        if spec.type == "folder":
            out.append(
                FolderSource(
                    spec.name,
                    s["path"],
                    s.get("pattern"),
                    recursive=bool(s.get("recursive", False)),
                    load_state=load_state,
                    save_state=save_state,
                )
            )
        elif spec.type == "url":
            out.append(
                UrlSource(
                    spec.name,
                    s["url"],
                    interval=s["interval"],
                    timeout=s["timeout"],
                    headers=s.get("headers"),
                    max_size=s["max_size"],
                    load_state=load_state,
                    save_state=save_state,
                )
            )
        else:  # the config only lets known types through
            raise ValueError(f"source {spec.name!r}: unknown type {spec.type!r}")
        out[-1].layout = s.get("layout")
    return out
