"""The source interface: something that hands digests to the pipeline."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from notifier.parse.layout import Layout


@dataclasses.dataclass(frozen=True, slots=True)
class Digest:
    """One digest as a source read it, not parsed yet."""

    data: bytes
    #: Where it came from, for messages: a file path or a URL.
    origin: str
    #: The name of the source in rules.yaml (``cli`` for ``notifier ingest``, ``http`` for
    #: ``POST /v1/digests``).
    source: str
    content_type: str | None = None
    filename: str | None = None
    #: What the stories are, when the source's ``layout:`` says so (else the reader guesses).
    layout: Layout | None = None


#: The pipeline's entry point: parse, match, queue. Awaiting it means the digest's
#: deliveries are in the store.
Emit = Callable[[Digest], Awaitable[None]]

#: Read a source's saved state by source name (``Store.source_state``).
LoadState = Callable[[str], Awaitable[dict[str, Any]]]
#: Save (merge) a source's state by source name (``Store.save_source_state``).
SaveState = Callable[[str, dict[str, Any]], Awaitable[None]]


class Source(Protocol):
    """A configured source. ``run`` reads until cancelled; ``once`` reads what is there now."""

    name: str

    async def run(self, emit: Emit) -> None:
        """Hand every new or changed digest to ``emit``, until cancelled."""

    async def once(self, emit: Emit) -> None:
        """Hand every digest there is now to ``emit``, then return."""
