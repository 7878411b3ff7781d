"""Shared helpers for the source tests: a state store in a dict, a recording emit, waiting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from notifier.sources import Digest, Source


class States:
    """``Store.source_state``/``save_source_state`` over a dict (saves merge)."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    async def load(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))

    async def save(self, name: str, state: dict[str, Any]) -> None:
        self.data.setdefault(name, {}).update(state)


class Emitted:
    """An ``emit`` that records digests; ``fail`` makes it raise."""

    def __init__(self) -> None:
        self.digests: list[Digest] = []
        self.fail = False

    async def __call__(self, digest: Digest) -> None:
        if self.fail:
            raise RuntimeError("store is down")
        self.digests.append(digest)

    def names(self) -> list[str | None]:
        return [d.filename for d in self.digests]


#: How long a test waits for something that should happen (generous: no timing is asserted).
PATIENCE = 15.0


async def until(condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` holds, polling (the code under test has no event to wait on)."""
    async with asyncio.timeout(PATIENCE):
        while not condition():  # noqa: ASYNC110 (polling state is the point)
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running(source: Source, emit: Emitted) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``source`` in a task for the block; cancel it after."""
    task = asyncio.create_task(source.run(emit))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
