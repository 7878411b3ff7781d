"""What every source keeps for ``notifier status``: when it last read, its last error, how
many digests it handed over. Saved in the store with the source's own state."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from notifier.sources.base import LoadState, SaveState

log = logging.getLogger("notifier.sources")

if TYPE_CHECKING:
    from notifier.parse.layout import Layout


class Tracked:
    """Status attributes and their persistence, shared by the sources."""

    #: The ``type:`` in rules.yaml.
    kind = "source"

    def __init__(
        self,
        name: str,
        load_state: LoadState | None,
        save_state: SaveState | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        #: The ``layout:`` its digests have (None: the reader finds it).
        self.layout: Layout | None = None
        #: When a read last succeeded (UNIX seconds), even if it found nothing new.
        self.last_read: float | None = None
        #: The last failure, or ``None`` once a read succeeds again. Never holds secrets.
        self.last_error: str | None = None
        self.last_error_at: float | None = None
        #: Digests handed to the pipeline (saved, so it counts across restarts).
        self.digests = 0
        self._load_state = load_state
        self._save_state = save_state
        self._clock = clock
        self._restored = False

    def status(self) -> dict[str, Any]:
        """The status as saved in the store (JSON-ready)."""
        return {
            "type": self.kind,
            "last_read": self.last_read,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "digests": self.digests,
        }

    async def restore(self) -> dict[str, Any]:
        """Load the saved state once (later calls return ``{}``); failures are logged."""
        if self._restored or self._load_state is None:
            self._restored = True
            return {}
        self._restored = True
        try:
            state = await self._load_state(self.name)
        except Exception as exc:
            log.warning("source %s: cannot load its state (%s)", self.name, type(exc).__name__)
            return {}
        digests = state.get("digests")
        if isinstance(digests, int) and not isinstance(digests, bool):
            self.digests = digests
        return state

    async def save(self, **extra: Any) -> None:
        """Save the status with ``extra`` keys; a store failure is logged, not raised."""
        if self._save_state is None:
            return
        try:
            await self._save_state(self.name, {**self.status(), **extra})
        except Exception as exc:
            log.warning("source %s: cannot save its state (%s)", self.name, type(exc).__name__)

    def succeeded(self) -> None:
        """Record a good read."""
        self.last_read = self._clock()
        self.last_error = None

    def failed(self, error: str) -> None:
        """Record a failure (``error`` must hold no secret)."""
        self.last_error = error
        self.last_error_at = self._clock()
        log.warning("source %s: %s", self.name, error)
