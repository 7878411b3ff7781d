"""A test client for the HTTP endpoint, with a fake pipeline and health check."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import pytest
from aiohttp import test_utils

from notifier.errors import DigestError, StoreError
from notifier.metrics import Metrics
from notifier.server import make_app
from notifier.sources import Digest

TOKEN = "s3cret-Token-42"
MAX_BODY = 1000
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPORT = {"items": 3, "stories": 2, "duplicates": 1, "deliveries": 4, "warnings": []}


@dataclasses.dataclass
class Fakes:
    """What the app was given and what it did with it."""

    metrics: Metrics = dataclasses.field(default_factory=Metrics)
    digests: list[Digest] = dataclasses.field(default_factory=list)
    state: dict[str, Any] = dataclasses.field(default_factory=lambda: {"stories": 12})
    health_error: bool = False
    refreshed: int = 0

    async def ingest(self, digest: Digest) -> Mapping[str, Any]:
        self.digests.append(digest)
        if digest.data == b"bad":
            raise DigestError(digest.origin, "not a digest:\nno items found")
        if digest.data == b"store down":
            raise StoreError("postgresql://notifier:***@db/notifier", "cannot connect: refused")
        if digest.data == b"boom":
            raise RuntimeError(f"database at postgres://user:{TOKEN}@db is down")
        return REPORT

    async def health(self) -> Mapping[str, Any]:
        if self.health_error:
            raise RuntimeError("store unreachable")
        return self.state

    async def refresh(self) -> None:
        self.refreshed += 1
        self.metrics.set_queue({("tg", "queued"): 5})


Client = test_utils.TestClient  # type: ignore[type-arg]
MakeClient = Callable[..., Awaitable[Client]]


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
async def make_client(fakes: Fakes) -> AsyncIterator[MakeClient]:
    """``await make_client(token=..., ...)``: a test client over ``make_app``."""
    clients: list[Client] = []

    async def make(**overrides: Any) -> Client:
        options: dict[str, Any] = {
            "ingest": fakes.ingest,
            "health": fakes.health,
            "metrics": fakes.metrics,
            "token": TOKEN,
            "max_body": MAX_BODY,
            "refresh_metrics": fakes.refresh,
        }
        client = test_utils.TestClient(test_utils.TestServer(make_app(**options | overrides)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: MakeClient) -> Client:
    return await make_client()
