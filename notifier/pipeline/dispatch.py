"""Dispatch: queued deliveries out through their channels, every outcome recorded.

One task per target at a time (a slow or dead channel never slows the others). A task
claims the target's due deliveries under a lease, batches them into messages (at most the
policy's ``max_items`` entries each; a backlog is summarised beyond its ``backlog`` best),
sends them through the channel adapter (its rate limiter and inline retries) and records
the outcome: sent; queued again at a later time (backoff or the service's retry-after);
dead after too many attempts or on a permanent error; the target gone, which holds its
deliveries until ``notifier retry --target``.

Several workers may serve one target at once (each with its own claims): before each part
the channel also takes a slot in the store's shared rate limits
(``notifier.delivery.shared_limits``), so a target's limits hold for all of them together;
when the limits hold a target back for long, its deliveries go back to the queue, due then.

A claim held by a worker that died is returned to the queue when its lease expires (or at
once, on the same machine, when the process is known to be gone): a delivery is sent twice
only if it was in flight at the kill.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import itertools
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from notifier.delivery.policy import Mode, Policy, backlog_split, hourly_room
from notifier.delivery.shared_limits import MAX_WAIT, SLOTS_KEPT, SharedLimits
from notifier.pipeline.targets import Targets
from notifier.store import Delivery, Outcome, State, Store

if TYPE_CHECKING:
    from channels.base import Channel, Entry, Message, Result

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
        recovered += await self._release_dead_local_workers()
        if recovered:
            log.warning("returned %d interrupted deliveries to the queue", recovered)
        for name, state in (await self.store.target_states()).items():
            if state.new_address:
                self._new_address[name] = state.new_address

    async def run(self) -> None:
        """Dispatch until :meth:`stop`."""
        await self.start()
        last_recover = self.clock()
        while not self._stopping:
            self._wake.clear()
            await self._round()
            if self.clock() - last_recover > self.lease / 4:
                await self.store.recover(self.clock())
                await self.store.prune_slots(self.clock() - SLOTS_KEPT)
                last_recover = self.clock()
            wait = await self._wait_time()
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
        released = await self.store.release(self.worker)
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
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
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
                batch = await self.store.claim(target, self.worker, now, self.lease, CLAIM_LIMIT)
                why = "target no longer configured"
                await self.store.finish(
                    [d.id for d in batch], Outcome(State.DROPPED, error=why), now
                )
                log.warning("dropped %d deliveries to %s: %s", len(batch), target, why)
                return
            policy = self.targets.policy(target)
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
            batch = await self.store.claim(target, self.worker, now, self.lease, CLAIM_LIMIT)
            if not batch:
                return
            plan, summarised = _plan(batch, policy, target)
            if summarised:
                await self.store.summarise(summarised, now)
            for index, (message, ids) in enumerate(plan):
                if index >= room:  # the hourly cap: the rest wait for room
                    later = [i for _, rest in plan[index:] for i in rest]
                    _, next_at = hourly_room(policy, [*sent, *[now] * room], now)
                    self._not_before[target] = next_at or now + 60
                    await self.store.finish(
                        later, Outcome(State.QUEUED, due_at=next_at, attempted=False), now
                    )
                    return
                if limits and index and (wait := await self.shared.wait(limits)) > MAX_WAIT:
                    later = [i for _, rest in plan[index:] for i in rest]
                    due = self.clock() + wait
                    self._not_before[target] = due
                    await self.store.finish(
                        later, Outcome(State.QUEUED, due_at=due, attempted=False), now
                    )
                    return
                if not await self._send(channel, target, message, ids, batch):
                    later = [i for _, rest in plan[index + 1 :] for i in rest]
                    await self.store.finish(later, Outcome(State.QUEUED, attempted=False), now)
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
        except Exception as exc:  # an adapter bug must not lose the deliveries
            log.exception("sending to %s failed", target)
            from channels.base import Result

            result = Result(Sent.RETRY, target, detail=f"internal error: {exc!r}")
        now = self.clock()
        if self.metrics is not None:
            self.metrics.delivery(channel.type, result.outcome.value, now - started)
        if result.new_address:
            self._new_address[target] = result.new_address
            await self.store.set_target(target, new_address=result.new_address)
            await self.targets.moved(target, result.new_address)
        done, rest = list(ids[: result.sent_entries]), list(ids[result.sent_entries :])
        self.outcomes["sent"] += len(done)
        if result.outcome is not Sent.SENT:
            self.outcomes[result.outcome.value] += len(rest)
        if result.sent_parts:
            await self.store.record_send(target, now, result.sent_parts)
        if done:
            await self.store.finish(done, Outcome(State.SENT), now)
            if self.first_push is not None:
                self.first_push()
                self.first_push = None
        if result.outcome is Sent.SENT:
            if now - self._marked.get(target, -MARK_EVERY) >= MARK_EVERY:
                self._marked[target] = now
                await self.store.set_target(target, last_sent_at=now)
            return not rest
        error = _describe(result)
        self._note_error(target, error)
        await self.store.set_target(target, last_error=error, last_error_at=now)
        attempts = {d.id: d.attempts for d in batch}
        if result.outcome is Sent.GONE and await self.targets.gone(target, error):
            # Its source dealt with it (a subscriber's chat: deactivated, queue dropped):
            # this batch's unsent deliveries are dropped too, not re-queued.
            log.warning("target %s is gone (%s): its deliveries dropped", target, error)
            sent_ids = set(done)
            unsent = [d.id for d in batch if d.id not in sent_ids]
            await self.store.finish(unsent, Outcome(State.DROPPED, error=error), now)
            return False
        if result.outcome is Sent.GONE:
            log.error("target %s is gone (%s): holding its deliveries", target, error)
            await self.store.set_target(target, status="gone", detail=error)
            await self.store.finish(rest, Outcome(State.QUEUED, error=error), now)
            return False
        if result.outcome is Sent.FAILED:
            log.error("sending to %s failed permanently: %s", target, error)
            await self.store.finish(rest, Outcome(State.DEAD, error=error), now)
            return False
        # RETRY: later, by the service's word or our backoff; dead after too many tries.
        dead = [i for i in rest if attempts.get(i, 0) + 1 >= MAX_ATTEMPTS]
        again = [i for i in rest if i not in set(dead)]
        tries = max((attempts.get(i, 0) for i in again), default=0) + 1
        wait = (
            result.retry_after if result.retry_after is not None else backoff(tries, *self.retry)
        )
        log.warning("sending to %s failed (%s): retry in %.3g s", target, error, wait)
        await self.store.finish(dead, Outcome(State.DEAD, error=error), now)
        await self.store.finish(again, Outcome(State.QUEUED, due_at=now + wait, error=error), now)
        self._not_before[target] = now + wait
        return False

    def _note_error(self, target: str, error: str) -> None:
        self.errors = [*self.errors[-19:], (target, self.clock(), error)]

    async def _release_dead_local_workers(self) -> int:
        """Return the claims of crashed processes of this machine (their pid is gone)."""
        host = socket.gethostname()
        released = 0
        claimers = {
            d.claimed_by for d in await self.store.deliveries([State.SENDING], limit=10_000)
        }
        for claimer in claimers:
            if not claimer or claimer == self.worker:
                continue
            name, _, rest = claimer.partition(":")
            pid = rest.partition(":")[0]
            if name == host and pid.isdigit() and not _alive(int(pid)):
                released += await self.store.release(claimer)
        return released


def _turns(targets: Sequence[str], group: Callable[[str], int]) -> list[str]:
    """``targets`` interleaved one group at a time, each group keeping its order."""
    groups: dict[int, list[str]] = {}
    for target in targets:
        groups.setdefault(group(target), []).append(target)
    return [t for turn in itertools.zip_longest(*groups.values()) for t in turn if t is not None]


def _plan(
    batch: Sequence[Delivery], policy: Policy, target: str
) -> tuple[list[tuple[Message, list[int]]], list[int]]:
    """Messages to send (with the ids of their entries, in order) and ids to summarise."""
    from channels.base import Message

    split = backlog_split(batch, policy)
    plan: list[tuple[Message, list[int]]] = []
    ranked = sorted(split.entries, key=lambda d: (-d.score, d.id))
    shown = [d for d in ranked if d.backlog]
    if shown or split.summary:
        total = len(shown) + len(split.summarised)
        title = f"Catching up: the best {len(shown)} of {total} earlier matches"
        text = ""
        if split.summary:
            first = dt.datetime.fromtimestamp(split.summary.first, dt.UTC)
            text = (
                f"{split.summary.count} more matches since {first:%Y-%m-%d %H:%M} UTC are not "
                f"shown (notifier deliveries --target {target} --state summarised)."
            )
        plan.append((Message(tuple(_entry(d) for d in shown), title, text), [d.id for d in shown]))
    fresh = [d for d in ranked if not d.backlog]
    size = max(1, policy.max_items)
    digest = policy.mode is Mode.DIGEST
    for start in range(0, len(fresh), size):
        group = fresh[start : start + size]
        title = f"Digest: {len(fresh)} stories" if digest and start == 0 else ""
        plan.append((Message(tuple(_entry(d) for d in group), title), [d.id for d in group]))
    return plan, [d.id for d in split.summarised]


def _entry(d: Delivery) -> Entry:
    from channels.base import Entry

    e = d.entry
    tags = tuple(e.get("tags") or ())
    if d.sources > 1:
        tags = (*tags, f"{d.sources} sources")
    date = e.get("date")
    return Entry(
        title=e.get("title") or "",
        url=e.get("url"),
        summary=e.get("summary") or "",
        source=e.get("source") or "",
        section=e.get("section"),
        date=dt.date.fromisoformat(date) if date else None,
        score=float(e.get("score") or d.score),
        rule=e.get("rule") or (d.rules[0] if d.rules else ""),
        tags=tags,
    )


def _describe(result: Result) -> str:
    code = f"{result.code}: " if result.code else ""
    return f"{result.outcome.value}: {code}{result.detail}".strip()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
