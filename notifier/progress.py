"""Progress bars for long one-shot work (a backfill): one redrawn stderr line per stage.

Shown only on a terminal: when stderr is a file or a pipe (cron, CI, a log collector),
or with ``--quiet``/``--json``, nothing is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TextIO

WIDTH = 24
#: Seconds between redraws (the last one is always drawn).
EVERY = 0.1


class Bar:
    """``ingesting [#######.......] 1,200/5,000 digests  note`` on one terminal line."""

    def __init__(
        self,
        label: str,
        unit: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.unit, self.total = label, unit, total
        self.stream = stream or sys.stderr
        self.enabled = _is_tty(self.stream) if enabled is None else enabled
        self.clock = clock
        self.done = 0
        self.note = ""
        self._drawn_at: float | None = None
        self._hooked: list[logging.StreamHandler[Any]] = []

    def update(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """Set the count (and total, note); redraw at most every :data:`EVERY` seconds."""
        self.done = done
        self.total = total if total is not None else self.total
        self.note = note if note is not None else self.note
        now = self.clock()
        finished = self.total is not None and done >= self.total
        if self._drawn_at is None or finished or now - self._drawn_at >= EVERY:
            self._draw(now)

    def advance(self, n: int = 1, note: str | None = None) -> None:
        """Count ``n`` more."""
        self.update(self.done + n, note=note)

    def close(self) -> None:
        """Draw the final count and end the line (nothing if never drawn)."""
        if self._drawn_at is not None:
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()
            self._drawn_at = None
        for handler in self._hooked:
            handler.setStream(self.stream)
        self._hooked = []

    def render(self) -> str:
        """The line as drawn (without the carriage return)."""
        count = f"{self.done:,} {self.unit}"
        bar = ""
        if self.total:
            filled = min(WIDTH, WIDTH * self.done // self.total)
            bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] "
            count = f"{self.done:,}/{self.total:,} {self.unit}"
        note = f"  {self.note}" if self.note else ""
        return f"{self.label} {bar}{count}{note}"

    def _draw(self, now: float) -> None:
        if not self.enabled:
            return
        if self._drawn_at is None:
            self._hook_logs()
        self.stream.write(f"\r{self.render()}\x1b[K")
        self.stream.flush()
        self._drawn_at = now

    def _hook_logs(self) -> None:
        """Make log lines written to our stream appear above the bar, not inside it."""
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                handler.setStream(_Above(self))  # type: ignore[arg-type]
                self._hooked.append(handler)


class _Above:
    """The stream log handlers write to while a bar is shown: clear the bar's line, write
    the log line, draw the bar again below it."""

    def __init__(self, bar: Bar) -> None:
        self.bar = bar

    def write(self, text: str) -> None:
        self.bar.stream.write("\r\x1b[K" + text)
        if self.bar._drawn_at is not None:
            self.bar.stream.write(f"\r{self.bar.render()}\x1b[K")

    def flush(self) -> None:
        self.bar.stream.flush()


class Backfill:
    """The stages of ``notifier ingest`` and ``run --once``: digests read, then deliveries
    sent. Pass it to :meth:`notifier.pipeline.service.Service.run_once`."""

    def __init__(
        self,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.reading = Bar("ingesting", "digests", total, stream=stream, enabled=enabled)
        self.sending = Bar("delivering", "done", stream=stream, enabled=enabled)
        self.queued = 0
        #: Seconds between looks at the store while delivering.
        self.poll = 0.25

    def close(self) -> None:
        """End the bars' lines (when ``send`` was off, the delivering stage never ran)."""
        self.reading.close()
        self.sending.close()

    def read(self, report: Any) -> None:
        """One digest done (an ``IngestReport``)."""
        self.queued += getattr(report, "deliveries", 0)
        self.reading.advance(note=f"{self.queued:,} deliveries queued")

    @contextlib.asynccontextmanager
    async def delivering(self, store: Any) -> AsyncIterator[None]:
        """While the body runs, show how many of the deliveries queued have left the queue
        (sent, or summarised, or given up), from the store's queue count."""
        from notifier.store import State

        self.reading.close()
        if not self.sending.enabled:
            yield
            return

        async def queued() -> int:  # only the queue is counted: cheap however big the store
            return sum((await store.counts([State.QUEUED, State.SENDING])).values())

        total = await queued()
        if not total:
            yield
            return

        async def watch() -> None:
            while True:
                await asyncio.sleep(self.poll)
                self.sending.update(max(0, total - await queued()))

        self.sending.update(0, total)
        task = asyncio.create_task(watch())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            left = await queued()
            note = f"{left:,} wait for later" if left else None
            self.sending.update(max(0, total - left), note=note)
            self.sending.close()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
