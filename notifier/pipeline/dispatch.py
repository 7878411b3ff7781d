"""Dispatch: queued deliveries out through their channels, every outcome recorded.

One task per target at a time (a slow or dead channel never slows the others). A task
claims the target's due deliveries under a lease, batches them into messages (at most the
policy's ``max_items`` entries each; a backlog is summarised beyond its ``backlog`` best),
sends them through the channel adapter (its rate limiter and inline retries) and records
the outcome: sent; queued again at a later time (backoff or the service's retry-after);
dead after too many attempts or on a permanent error; the target gone, which holds its
deliveries until ``notifier retry --target``. Inside the target's quiet hours nothing is
sent, whenever it was queued: its due deliveries are queued again for their end.

Several workers may serve one target at once (each with its own claims): before each part
the channel also takes a slot in the store's shared rate limits
(``notifier.delivery.shared_limits``), so a target's limits hold for all of them together;
when the limits hold a target back for long, its deliveries go back to the queue, due then.

A claim held by a worker that died is returned to the queue when its lease expires (or at
once, on the same machine, when the process is known to be gone): a delivery is sent twice
only if it was in flight at the kill.

The store may fail (a PostgreSQL restart, dropped connections): the dispatcher logs one line,
backs off and goes on (``notifier.pipeline.outage``); what a send did is recorded once the
store is back, so a message that went out is never sent again because of an outage.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from notifier.delivery.policy import hourly_room, in_quiet, quiet_end
from notifier.delivery.shared_limits import MAX_WAIT, SLOTS_KEPT, SharedLimits
from notifier.errors import StoreError
from notifier.pipeline.outage import StoreOutage, describe
from notifier.pipeline.plan import plan_messages
from notifier.pipeline.targets import Targets
from notifier.pipeline.workers import release_dead_local_workers
from notifier.store import Delivery, Outcome, State, Store

if TYPE_CHECKING:
    from channels.base import Channel, Message, Result

log = logging.getLogger("notifier.dispatch")

#: A claim lasts this long; sends (rate-limit waits and inline retries included) are shorter.
LEASE = 600.0
#: Most deliveries one task claims for a target at once.
CLAIM_LIMIT = 1000
#: A delivery is given up (dead) after this many failed attempts (~12 h of backoff).
MAX_ATTEMPTS = 20
#: Backoff after a failed attempt: BASE × 2^attempts seconds, at most CAP.
BACKOFF_BASE = 15.0
BACKOFF_CAP = 3600.0
#: Targets served at the same time.
CONCURRENCY = 64
#: Targets with a task (served or waiting for a turn): a broadcast to 100,000 chats starts
#: their tasks a batch at a time, not all at once.
MAX_TASKS = 2 * CONCURRENCY
#: A target's ``last_sent_at`` (shown by `notifier status`) is written at most this often.
MARK_EVERY = 10.0
#: Seconds before the next round after a round failed on a bug (not the store).
BUG_WAIT = 5.0


def worker_id() -> str:
    """A name for this process that is unique across machines: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def backoff(attempts: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1-based)."""
    return min(cap, base * 2 ** max(0, attempts - 1))


class Dispatcher:
    """Sends due deliveries from the store through the targets' channels."""

    def __init__(
        self,
        store: Store,
        targets: Targets,
        *,
        worker: str | None = None,
        clock: Callable[[], float] = time.time,
        metrics: Any = None,
        poll: float = 1.0,
        lease: float = LEASE,
        retry: tuple[float, float] = (BACKOFF_BASE, BACKOFF_CAP),
    ) -> None:
        self.store = store
        self.targets = targets
        self.worker = worker or worker_id()
        self.clock = clock
        self.metrics = metrics
        self.poll = poll
        self.lease = lease
        #: (first, longest) wait of the backoff after a failed attempt, in seconds.
        self.retry = retry
        #: Deliveries by outcome since start (sent, retry, failed, gone), for the stop log.
        self.outcomes: collections.Counter[str] = collections.Counter()
        #: Rate limits shared with every other worker, in the store.
        self.shared = SharedLimits(store, clock=clock)
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._not_before: dict[str, float] = {}
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._new_address: dict[str, str] = {}
        self._marked: dict[str, float] = {}  # target → last_sent_at written
        #: (target, when, message) of the last errors, for `notifier status` and /healthz.
        self.errors: list[tuple[str, float, str]] = []
        #: The store's failures: backoff and one log line per outage.
        self.outage = StoreOutage(log, "dispatch")
        self.first_push: Callable[[], None] | None = None

    def serving(self) -> list[str]:
        """The targets this dispatcher is sending to now (heartbeats renew their claims)."""
        return list(self._tasks)

    def wake(self) -> None:
        """Look for due deliveries now (new ones were queued)."""
        self._wake.set()

    async def start(self) -> None:
        """Recover claims left by dead workers and learn the targets' state."""
        now = self.clock()
        recovered = await self.store.recover(now)
        recovered += await release_dead_local_workers(self.store, self.worker)
        if recovered:
            log.warning("returned %d interrupted deliveries to the queue", recovered)
        for name, state in (await self.store.target_states()).items():
            if state.new_address:
                self._new_address[name] = state.new_address

    async def run(self) -> None:
        """Dispatch until :meth:`stop`; store failures are waited out, never raised."""
        started = False
        last_recover = self.clock()
        while not self._stopping:
            self._wake.clear()
            try:
                if not started:
                    await self.start()
                    started = True
                await self._round()
                if self.clock() - last_recover > self.lease / 4:
                    await self.store.recover(self.clock())
                    await self.store.prune_slots(self.clock() - SLOTS_KEPT)
                    last_recover = self.clock()
                wait = await self._wait_time()
                self.outage.recovered()
            except StoreError as exc:  # wait, then go on
                wait = self.outage.failed(exc)
            except Exception:  # a bug: never the end of dispatching
                log.exception("dispatch round failed")
                wait = BUG_WAIT
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def drain(self) -> None:
        """Deliver everything due now, then return (``notifier run --once``, ``ingest``)."""
        await self.start()
        while True:
            launched = await self._round()
            if self._tasks:
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            elif not launched:
                return

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking work; let sends in flight finish for ``grace`` seconds; release the
        rest of this worker's claims to the queue."""
        self._stopping = True
        self._wake.set()
        tasks = list(self._tasks.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        try:
            released = await self.store.release(self.worker)
        except StoreError as exc:  # they return to the queue when their lease expires
            log.warning("could not release the claimed deliveries: %s", describe(exc))
            return
        if released:
            log.info("released %d claimed deliveries to the queue", released)

    # -- rounds ----------------------------------------------------------------------------

    async def _round(self) -> int:
        """Start tasks for targets with due deliveries, earliest due first, taking turns
        between target sources (a broadcast to every subscriber never holds the configured
        targets back); return how many started."""
        if self._stopping or self._busy():
            return 0  # refill in batches: a round reads every due target
        room = MAX_TASKS - len(self._tasks)
        now = self.clock()
        due = await self.store.due_targets(now)
        ready = [
            target
            for target, _ in sorted(due.items(), key=lambda pair: pair[1])
            if target not in self._tasks and self._not_before.get(target, 0.0) <= now
        ]
        launched = 0
        for target in _turns(ready, self.targets.group)[:room]:
            task = asyncio.create_task(self._serve(target), name=f"dispatch:{target}")
            self._tasks[target] = task
            task.add_done_callback(lambda t, name=target: self._done(name, t))
            launched += 1
        return launched

    def _done(self, target: str, task: asyncio.Task[None]) -> None:
        self._tasks.pop(target, None)
        exc = None if task.cancelled() else task.exception()
        if isinstance(exc, StoreError):  # nothing was sent: the next round tries again
            self.outage.failed(exc)
        elif exc is not None:
            log.error("dispatch to %s crashed: %r", target, exc, exc_info=exc)
            self._note_error(target, f"internal error: {exc!r}")
        self._wake.set()

    def _busy(self) -> bool:
        """Too many tasks to start more now (the next round waits for some to end)."""
        return bool(self._tasks) and MAX_TASKS - len(self._tasks) < MAX_TASKS // 4

    async def _wait_time(self) -> float:
        if self._busy():
            return self.poll  # a task that ends wakes the loop
        next_due = await self.store.next_due()
        waits = [self.poll]
        now = self.clock()
        if next_due is not None:
            waits.append(max(0.0, next_due - now))
        waits += [max(0.0, t - now) for t in self._not_before.values() if t > now]
        return max(0.01, min(waits))

    # -- one target ------------------------------------------------------------------------

    async def _serve(self, target: str) -> None:
        async with self._slots:
            channel = self.targets.channel(target, self._new_address.get(target))
            now = self.clock()
            if channel is None:
                batch = await self._claim(target, now)
                why = "target no longer configured"
                await self._record(
                    self.store.finish,
                    [d.id for d in batch],
                    Outcome(State.DROPPED, error=why),
                    now,
                )
                log.warning("dropped %d deliveries to %s: %s", len(batch), target, why)
                return
            policy = self.targets.policy(target)
            if in_quiet(policy, now):  # due in quiet hours (a retry, a cap, a new setting)
                await self._hold(target, quiet_end(policy, now), now)
                return
            room = CLAIM_LIMIT
            sent: list[float] = []
            if policy.max_per_hour:
                sent = await self.store.sends_since(target, now - 3600)
                room, next_at = hourly_room(policy, sent, now)
                if room <= 0:
                    self._not_before[target] = next_at or now + 60
                    return
            # Shared limits: the channel takes a slot in the store before each part; when
            # the other workers have used the room for a while, leave the queue to them.
            limits = self.shared.bind(target, channel, policy)
            if limits and (wait := await self.shared.wait(limits)) > MAX_WAIT:
                self._not_before[target] = now + wait
                return
            batch = await self._claim(target, now)
            if not batch:
                return
            plan, summarised = plan_messages(
                batch, policy, target, operator=self.targets.operator(target)
            )
            if summarised:
                await self._record(self.store.summarise, summarised, now)
            for index, (message, ids) in enumerate(plan):
                if index >= room:  # the hourly cap: the rest wait for room
                    later = [i for _, rest in plan[index:] for i in rest]
                    _, next_at = hourly_room(policy, [*sent, *[now] * room], now)
                    self._not_before[target] = next_at or now + 60
                    await self._record(
                        self.store.finish,
                        later,
                        Outcome(State.QUEUED, due_at=next_at, attempted=False),
                        now,
                    )
                    return
                if limits and index and (wait := await self.shared.wait(limits)) > MAX_WAIT:
                    later = [i for _, rest in plan[index:] for i in rest]
                    due = self.clock() + wait
                    self._not_before[target] = due
                    await self._record(
                        self.store.finish,
                        later,
                        Outcome(State.QUEUED, due_at=due, attempted=False),
                        now,
                    )
                    return
                if not await self._send(channel, target, message, ids, batch):
                    later = [i for _, rest in plan[index + 1 :] for i in rest]
                    await self._record(
                        self.store.finish, later, Outcome(State.QUEUED, attempted=False), now
                    )
                    return

    async def _send(
        self,
        channel: Channel,
        target: str,
        message: Message,
        ids: Sequence[int],
        batch: Sequence[Delivery],
    ) -> bool:
        """Send one message; record the outcome of its deliveries. True if all went out."""
        from channels.base import Outcome as Sent

        started = self.clock()
        try:
            result = await channel.send(message)
        except StoreError as exc:  # no slot in the shared limits: nothing sent, no attempt
            now = self.clock()
            self._not_before[target] = due = now + self.outage.failed(exc)
            again = Outcome(State.QUEUED, due_at=due, attempted=False)
            await self._record(self.store.finish, ids, again, now)
            return False
        except Exception as exc:  # an adapter bug must not lose the deliveries
            from channels.base import Result

            log.exception("sending to %s failed", target)
            result = Result(Sent.RETRY, target, detail=f"internal error: {exc!r}")
        now = self.clock()
        if self.metrics is not None:
            self.metrics.delivery(channel.type, result.outcome.value, now - started)
        if result.new_address:
            self._new_address[target] = result.new_address
            await self._record(self.store.set_target, target, new_address=result.new_address)
            await self.targets.moved(target, result.new_address)
        done, rest = list(ids[: result.sent_entries]), list(ids[result.sent_entries :])
        self.outcomes["sent"] += len(done)
        if result.outcome is not Sent.SENT:
            self.outcomes[result.outcome.value] += len(rest)
        if result.sent_parts:
            await self._record(self.store.record_send, target, now, result.sent_parts)
        if done:
            await self._record(self.store.finish, done, Outcome(State.SENT), now)
            if self.first_push is not None:
                self.first_push()
                self.first_push = None
        if result.outcome is Sent.SENT:
            if now - self._marked.get(target, -MARK_EVERY) >= MARK_EVERY:
                self._marked[target] = now
                await self._record(self.store.set_target, target, last_sent_at=now)
            return not rest
        error = _describe(result)
        self._note_error(target, error)
        await self._record(self.store.set_target, target, last_error=error, last_error_at=now)
        attempts = {d.id: d.attempts for d in batch}
        if result.outcome is Sent.GONE and await self.targets.gone(target, error):
            # Its source dealt with it (a subscriber's chat: deactivated, queue dropped):
            # this batch's unsent deliveries are dropped too, not re-queued.
            log.warning("target %s is gone (%s): its deliveries dropped", target, error)
            sent_ids = set(done)
            unsent = [d.id for d in batch if d.id not in sent_ids]
            await self._record(self.store.finish, unsent, Outcome(State.DROPPED, error=error), now)
            return False
        if result.outcome is Sent.GONE:
            log.error("target %s is gone (%s): holding its deliveries", target, error)
            await self._record(self.store.set_target, target, status="gone", detail=error)
            await self._record(self.store.finish, rest, Outcome(State.QUEUED, error=error), now)
            return False
        if result.outcome is Sent.FAILED:
            log.error("sending to %s failed permanently: %s", target, error)
            await self._record(self.store.finish, rest, Outcome(State.DEAD, error=error), now)
            return False
        # RETRY: later, by the service's word or our backoff; dead after too many tries.
        dead = [i for i in rest if attempts.get(i, 0) + 1 >= MAX_ATTEMPTS]
        again = [i for i in rest if i not in set(dead)]
        tries = max((attempts.get(i, 0) for i in again), default=0) + 1
        wait = (
            result.retry_after if result.retry_after is not None else backoff(tries, *self.retry)
        )
        log.warning("sending to %s failed (%s): retry in %.3g s", target, error, wait)
        await self._record(self.store.finish, dead, Outcome(State.DEAD, error=error), now)
        await self._record(
            self.store.finish, again, Outcome(State.QUEUED, due_at=now + wait, error=error), now
        )
        self._not_before[target] = now + wait
        return False

    async def _hold(self, target: str, until: float, now: float) -> None:
        """Queue the target's due deliveries again, due ``until``: nothing is sent."""
        while batch := await self._claim(target, now):
            again = Outcome(State.QUEUED, due_at=until, attempted=False)
            await self._record(self.store.finish, [d.id for d in batch], again, now)
            if len(batch) < CLAIM_LIMIT:
                return

    async def _claim(self, target: str, now: float) -> list[Delivery]:
        """Claim the target's due deliveries. A claim that failed may have been committed
        with its answer lost: what this worker holds of the target (nothing, as only this
        task serves it here) goes back to the queue once the store is back, not after the
        lease."""
        try:
            return await self.store.claim(target, self.worker, now, self.lease, CLAIM_LIMIT)
        except StoreError:
            await self._record(self.store.release, self.worker, target)
            raise

    async def _record(self, write: Callable[..., Awaitable[Any]], *args: Any, **kw: Any) -> None:
        """A write about claimed deliveries, retried until the store takes it: a send left
        unrecorded would be sent again, a claim left unrecorded waits for its lease."""
        await self.outage.keep(lambda: write(*args, **kw))

    def _note_error(self, target: str, error: str) -> None:
        self.errors = [*self.errors[-19:], (target, self.clock(), error)]


def _turns(targets: Sequence[str], group: Callable[[str], int]) -> list[str]:
    """``targets`` interleaved one group at a time, each group keeping its order."""
    groups: dict[int, list[str]] = {}
    for target in targets:
        groups.setdefault(group(target), []).append(target)
    return [t for turn in itertools.zip_longest(*groups.values()) for t in turn if t is not None]


def _describe(result: Result) -> str:
    code = f"{result.code}: " if result.code else ""
    return f"{result.outcome.value}: {code}{result.detail}".strip()
