"""The store interface: stories, the delivery outbox, targets and sources' state.

Two backends implement it: SQLite (``notifier.store.sqlite``, the embedded default) and
PostgreSQL (``notifier.store.postgres``, for several processes on several machines). The
pipeline, the dispatcher and the CLI only ever see :class:`Store`.

The outbox contract:

- :meth:`Store.commit_digest` writes a digest's new stories *and* their deliveries in one
  transaction, before anything is sent. A story whose key another writer inserted first is
  a duplicate: it gets no deliveries, only its source count.
- :meth:`Store.claim` hands due deliveries of one target to one worker under a lease;
  :meth:`Store.finish` records what the send did. A worker killed mid-send leaves claims
  that :meth:`Store.recover` returns to the queue when their lease expires, so a delivery
  is sent twice only if it was in flight at the kill.

Times are UNIX seconds (``time.time()``).
"""

from __future__ import annotations

import abc
import dataclasses
import enum
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from notifier.errors import StoreError
    from notifier.subscriptions.model import SubscriptionStore


class State(enum.StrEnum):
    """Where a delivery is."""

    QUEUED = "queued"  # waiting for ``due_at`` (and for its target to have room)
    SENDING = "sending"  # claimed by a worker, lease until ``lease_until``
    SENT = "sent"
    DEAD = "dead"  # failed permanently, or too many times: `notifier retry` re-queues it
    SUMMARISED = "summarised"  # part of a backlog sent as a count, not one by one
    DROPPED = "dropped"  # its target is gone or no longer configured


@dataclasses.dataclass(frozen=True, slots=True)
class NewStory:
    """A story seen for the first time (as far as the pipeline knows)."""

    id: str
    #: Keys that identify it: its item id (canonical URL, else title + source).
    keys: tuple[str, ...]
    title: str
    url: str | None
    source: str
    #: The item as JSON (``Item.to_json``).
    item: dict[str, Any]
    #: Near-duplicate fingerprint (64-bit SimHash as a signed integer), if any.
    simhash: int | None = None
    #: When the story was published (its digest's date), UNIX seconds, if known.
    published: float | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SeenAgain:
    """An item of a story already stored: it only adds its source to the story's count."""

    story_id: str
    source: str
    keys: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class NewDelivery:
    """A (story, target) match to send."""

    story_id: str
    target: str
    rules: tuple[str, ...]
    score: float
    due_at: float
    #: The entry as messages show it (``channels.base.Entry`` fields, JSON-ready).
    entry: dict[str, Any]
    #: Part of a catch-up over a backlog (sent summarised beyond the policy's ``backlog``).
    backlog: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    """A delivery as stored."""

    id: int
    story_id: str
    target: str
    rules: tuple[str, ...]
    score: float
    state: State
    due_at: float
    created_at: float
    attempts: int
    entry: dict[str, Any]
    backlog: bool = False
    sent_at: float | None = None
    last_error: str | None = None
    claimed_by: str | None = None
    lease_until: float | None = None
    #: How many sources reported the story (cross-source hotness), at claim time.
    sources: int = 1


def delivery_from_row(
    row: Sequence[Any], sources: int, decode: Callable[[Any], Any] = lambda value: value
) -> Delivery:
    """A :class:`Delivery` from a row of the ``deliveries`` columns in schema order
    (id ... lease_until); ``decode`` turns the stored ``rules`` and ``entry`` into values."""
    (id_, story_id, target, rules, score, state, due_at, created_at, attempts, entry) = row[:10]
    backlog, sent_at, last_error, claimed_by, lease_until = row[10:15]
    return Delivery(
        id=id_,
        story_id=story_id,
        target=target,
        rules=tuple(decode(rules)),
        score=score,
        state=State(state),
        due_at=due_at,
        created_at=created_at,
        attempts=attempts,
        entry=decode(entry),
        backlog=bool(backlog),
        sent_at=sent_at,
        last_error=last_error,
        claimed_by=claimed_by,
        lease_until=lease_until,
        sources=sources,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What to record for delivered (or not) deliveries, see :meth:`Store.finish`."""

    state: State  # SENT, QUEUED (retry at ``due_at``), DEAD or DROPPED
    due_at: float | None = None
    error: str | None = None
    #: Count the attempt (a send was made); ``False`` for a release without sending.
    attempted: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class TargetState:
    """A target as the store knows it."""

    name: str
    #: ``active``, ``gone`` (the service said the target no longer exists or blocked us;
    #: nothing is sent until `notifier retry --target NAME`) or ``paused``.
    status: str = "active"
    detail: str | None = None
    #: An address the service moved the target to (Telegram's migrate_to_chat_id).
    new_address: str | None = None
    last_sent_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class DigestCommit:
    """What :meth:`Store.commit_digest` did."""

    new_digest: bool
    stories: int  # new stories stored
    duplicates: int  # items that were stories already (or lost the race to another writer)
    deliveries: int  # deliveries queued


@dataclasses.dataclass(frozen=True, slots=True)
class Limit:
    """A rate limit shared by every process: at most ``count`` sends in any ``seconds``-long
    window, for each ``(count, seconds)`` of ``windows``, under ``key`` (``target:<name>``,
    ``telegram-bot:<bot id>``)."""

    key: str
    windows: tuple[tuple[int, float], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Worker:
    """A running notifier process, as its heartbeats say (see :meth:`Store.heartbeat`)."""

    id: str  # host:pid:random, what deliveries.claimed_by holds
    host: str
    pid: int
    role: str
    started_at: float
    heartbeat_at: float
    #: Deliveries it holds claimed (SENDING), when read back.
    claims: int = 0


class Store(abc.ABC):
    """A place for stories and deliveries. Every method is one transaction."""

    url: str

    @property
    def subscriptions(self) -> SubscriptionStore:
        """The Telegram bot's chats and subscriptions, in this store's database (built on
        first use; usable once the store is open)."""
        found: SubscriptionStore | None = self.__dict__.get("_subscription_store")
        if found is None:
            found = self.__dict__["_subscription_store"] = self._make_subscriptions()
        return found

    def _make_subscriptions(self) -> SubscriptionStore:
        raise NotImplementedError(f"{type(self).__name__} keeps no subscriptions")

    # -- life cycle ------------------------------------------------------------------------

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect and bring the schema up to date (migrations)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections."""

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def diagnose(self) -> StoreError | None:
        """Why the store cannot be used now (a fresh connection's error), else ``None``:
        for /healthz when the store's own connections do not answer."""
        return None

    # -- ingest ----------------------------------------------------------------------------

    @abc.abstractmethod
    async def known_keys(self, keys: Iterable[str]) -> dict[str, str]:
        """Return ``{key: story_id}`` for the keys already stored."""

    @abc.abstractmethod
    async def recent_fingerprints(self, since: float) -> list[tuple[str, int]]:
        """Return ``(story_id, simhash)`` of the stories first seen since ``since``."""

    @abc.abstractmethod
    async def commit_digest(
        self,
        digest_hash: str,
        origin: str,
        stories: Sequence[NewStory],
        seen: Sequence[SeenAgain],
        deliveries: Sequence[NewDelivery],
        now: float,
    ) -> DigestCommit:
        """Record a digest, its new stories, repeat sightings and deliveries atomically.

        A story whose id or one of whose keys is already stored is not inserted: it
        becomes a repeat sighting and its deliveries are not queued. A delivery for a
        (story, target) already queued or sent is ignored: a story goes once per target.
        """

    @abc.abstractmethod
    async def digest_seen(self, digest_hash: str) -> bool:
        """Whether a digest with this content hash was committed before."""

    @abc.abstractmethod
    async def recent_stories(self, since: float, limit: int = 50) -> list[dict[str, Any]]:
        """Return the stories first seen since ``since``, most sources first, then newest:
        each the stored item JSON plus ``story_id``, ``sources``, ``first_seen``."""

    # -- reading (the web page, the playground: notifier.views) ----------------------------

    @abc.abstractmethod
    async def stories_between(
        self, start: float, end: float, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The stories whose date (``published``, else ``first_seen``) is in [start, end),
        most sources first, then oldest: each the stored item JSON plus ``story_id``,
        ``num``, ``sources``, ``first_seen``, ``published``."""

    @abc.abstractmethod
    async def story_stamp(self, start: float, end: float) -> tuple[int, int, int]:
        """``(count, highest num, sum of sources)`` of the stories :meth:`stories_between`
        gives: it changes whenever they do (a new story, a new sighting)."""

    @abc.abstractmethod
    async def story_by_num(self, num: int) -> dict[str, Any] | None:
        """The story numbered ``num`` (as :meth:`stories_between` gives it), or ``None``."""

    @abc.abstractmethod
    async def delivery_states(
        self, story_ids: Sequence[str]
    ) -> dict[str, list[tuple[str, State, int]]]:
        """``{story_id: [(target, state, attempts), ...]}`` of those stories' deliveries,
        by target (stories without any are left out)."""

    # -- dispatch --------------------------------------------------------------------------

    @abc.abstractmethod
    async def due_targets(self, now: float) -> dict[str, float]:
        """Return ``{target: earliest due_at}`` over queued deliveries of active targets
        that are due by ``now`` (targets with nothing due are left out)."""

    @abc.abstractmethod
    async def next_due(self) -> float | None:
        """The earliest ``due_at`` of any queued delivery of an active target."""

    @abc.abstractmethod
    async def claim(
        self, target: str, worker: str, now: float, lease: float, limit: int
    ) -> list[Delivery]:
        """Claim up to ``limit`` due deliveries of ``target`` for ``worker`` (best score
        first, then oldest), marking them SENDING until ``now + lease``. Deliveries claimed
        by another worker are skipped, never waited for."""

    @abc.abstractmethod
    async def finish(self, ids: Sequence[int], outcome: Outcome, now: float) -> None:
        """Record the outcome of a send for the claimed deliveries ``ids``."""

    async def summarise(self, ids: Sequence[int], now: float) -> None:
        """Mark claimed deliveries as summarised (sent as a count in a catch-up message)."""
        await self.finish(ids, Outcome(State.SUMMARISED, attempted=False), now)

    @abc.abstractmethod
    async def recover(self, now: float) -> int:
        """Return expired claims to the queue; return how many."""

    @abc.abstractmethod
    async def release(self, worker: str, target: str | None = None) -> int:
        """Return every claim of ``worker`` (of ``target`` only, if given) to the queue (a
        clean shutdown; a claim whose answer was lost); return how many."""

    @abc.abstractmethod
    async def record_send(self, target: str, at: float, messages: int = 1) -> None:
        """Count messages sent to ``target`` (for hourly caps and shared rate limits)."""

    @abc.abstractmethod
    async def sends_since(self, target: str, since: float) -> list[float]:
        """The times of the messages sent to ``target`` since ``since``, oldest first."""

    # -- shared rate limits and workers ----------------------------------------------------

    @abc.abstractmethod
    async def take_slot(self, limits: Sequence[Limit], now: float) -> float:
        """Take a send slot at ``now`` under every limit at once, or none: in one write
        transaction (locked per key), count each key's recent slots and, when every window
        has room, insert one per key. Return 0.0 when taken, else the seconds until the
        windows may have room (see ``notifier.delivery.shared_limits``)."""

    @abc.abstractmethod
    async def slot_wait(self, limits: Sequence[Limit], now: float) -> float:
        """The seconds until :meth:`take_slot` may succeed (0.0: now); takes nothing."""

    @abc.abstractmethod
    async def prune_slots(self, before: float) -> int:
        """Delete send slots older than ``before``; return how many."""

    @abc.abstractmethod
    async def heartbeat(
        self, worker: Worker, now: float, lease: float | None = None, targets: Sequence[str] = ()
    ) -> None:
        """Record that ``worker`` is alive at ``now``; with ``lease``, also extend its claims
        of ``targets`` (those it is sending to) to ``now + lease``: a live worker's claims
        in progress never expire; a dead one's, or those of a send that crashed, do. Claims
        locked by another transaction (being finished) are skipped, never waited for."""

    @abc.abstractmethod
    async def remove_worker(self, worker_id: str) -> None:
        """Forget a worker (clean stop)."""

    @abc.abstractmethod
    async def workers(self) -> list[Worker]:
        """Every worker with a heartbeat, with the claims it holds, by id."""

    # -- targets ---------------------------------------------------------------------------

    @abc.abstractmethod
    async def target_states(self) -> dict[str, TargetState]:
        """Every target the store has state for."""

    @abc.abstractmethod
    async def set_target(self, name: str, **changes: Any) -> None:
        """Create or update a target's state (fields of :class:`TargetState`)."""

    # -- operating -------------------------------------------------------------------------

    @abc.abstractmethod
    async def deliveries(
        self,
        states: Sequence[State] | None = None,
        target: str | None = None,
        limit: int = 100,
        failing: bool = False,
    ) -> list[Delivery]:
        """List deliveries, newest first. ``failing``: only queued ones with attempts."""

    @abc.abstractmethod
    async def counts(self, states: Sequence[State] | None = None) -> dict[tuple[str, State], int]:
        """Return ``{(target, state): count}`` (of ``states`` only, if given)."""

    @abc.abstractmethod
    async def requeue(
        self,
        ids: Sequence[int] = (),
        *,
        all_dead: bool = False,
        target: str | None = None,
        now: float,
    ) -> int:
        """Put dead deliveries back in the queue, due now (``ids``, every dead one, or
        every dead one of ``target``); return how many."""

    @abc.abstractmethod
    async def source_state(self, name: str) -> dict[str, Any]:
        """The saved state of a source (ETag, Last-Modified, last error ...), or ``{}``."""

    @abc.abstractmethod
    async def save_source_state(self, name: str, state: dict[str, Any]) -> None:
        """Save a source's state (merged into what is there)."""

    @abc.abstractmethod
    async def source_states(self) -> dict[str, dict[str, Any]]:
        """Every source's saved state."""
