"""This process in the store's ``workers`` table: heartbeats that keep its claims alive.

Every running ``notifier run`` writes a heartbeat every few seconds (id ``host:pid:random``,
role, start time) and removes its row when it stops cleanly; ``notifier status`` lists them
with the claims each holds. A dispatching process's heartbeat also extends the lease of its
claims of the targets it is sending to, so a live worker never loses a claim however long a
rate-limited send takes, while a dead worker's claims (or those of a send that crashed)
expire one lease after the last heartbeat that renewed them: the lease
(``$NOTIFIER_LEASE``) is how long a killed worker's deliveries wait before another worker
sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence

from notifier.errors import StoreError
from notifier.pipeline.outage import StoreOutage, describe
from notifier.store import State, Store, Worker

log = logging.getLogger("notifier.workers")

ENV_LEASE = "NOTIFIER_LEASE"
#: Seconds between heartbeats (a third of the lease when that is shorter).
HEARTBEAT = 5.0
#: The shortest lease accepted: heartbeats must fit in it a few times.
MIN_LEASE = 3.0


def lease_setting(environ: Mapping[str, str] = os.environ) -> float | None:
    """``$NOTIFIER_LEASE`` in seconds (``30s``, ``2m``, a number), ``None`` when unset.

    Raises:
        ConfigError: not a duration of at least :data:`MIN_LEASE` seconds.
    """
    from notifier.config._units import parse_duration
    from notifier.errors import ConfigError

    text = environ.get(ENV_LEASE, "").strip()
    if not text:
        return None
    seconds = parse_duration(text)
    if seconds is None or seconds < MIN_LEASE:
        raise ConfigError(
            f"expected a duration of at least {MIN_LEASE:.0f}s, e.g. 30s or 10m", f"${ENV_LEASE}"
        )
    return seconds


class Heartbeat:
    """Writes this process's heartbeat until stopped.

    Args:
        store: the shared store.
        worker: this process's id (the dispatcher's, what its claims carry).
        role: ``all``, ``ingest``, ``worker`` or ``bot``.
        lease: the dispatcher's lease, to renew its claims; ``None`` when it claims nothing.
        serving: the targets the dispatcher is sending to now (their claims are renewed).
    """

    def __init__(
        self,
        store: Store,
        worker: str,
        role: str,
        *,
        lease: float | None = None,
        serving: Callable[[], Sequence[str]] = tuple,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.lease = lease
        self.serving = serving
        self.clock = clock
        now = clock()
        self.info = Worker(worker, socket.gethostname(), os.getpid(), role, now, now)
        self.every = min(HEARTBEAT, lease / 3) if lease else HEARTBEAT

    async def beat(self) -> None:
        """Write one heartbeat (and renew the claims)."""
        await self.store.heartbeat(self.info, self.clock(), self.lease, self.serving())

    async def run(self) -> None:
        """Beat every :attr:`every` seconds until cancelled; a failed beat is logged only
        (the store may be restarting: one line when it fails, one when it is back), the
        next one tries again."""
        outage = StoreOutage(log, "heartbeat")
        while True:
            try:
                await self.beat()
            except asyncio.CancelledError:
                raise
            except StoreError as exc:
                outage.failed(exc)
            except Exception as exc:
                log.warning("heartbeat failed: %s", describe(exc))
            else:
                outage.recovered()
            await asyncio.sleep(self.every)

    async def remove(self) -> None:
        """Remove this process from the table (clean stop)."""
        with contextlib.suppress(Exception):
            await self.store.remove_worker(self.info.id)


async def release_dead_local_workers(store: Store, me: str) -> int:
    """Return the claims of crashed processes of this machine (their pid is gone), not
    waiting for their leases; ``me`` is this process's worker id. Returns how many."""
    host = socket.gethostname()
    released = 0
    claimers = {d.claimed_by for d in await store.deliveries([State.SENDING], limit=10_000)}
    for claimer in claimers:
        if not claimer or claimer == me:
            continue
        name, _, rest = claimer.partition(":")
        pid = rest.partition(":")[0]
        if name == host and pid.isdigit() and not _alive(int(pid)):
            released += await store.release(claimer)
    return released


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
