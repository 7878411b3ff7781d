"""A target's delivery policy: instant or digest at fixed times, quiet hours, caps."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
import sys
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar


class Mode(enum.StrEnum):
    INSTANT = "instant"  # as soon as a match is queued (batched with what is due with it)
    DIGEST = "digest"  # at the ``at`` times, everything since the last one


@dataclasses.dataclass(frozen=True, slots=True)
class Policy:
    """How and when one target receives its matches (``delivery:`` in rules.yaml)."""

    mode: Mode = Mode.INSTANT
    #: Digest times, local to ``timezone`` (sorted, unique).
    at: tuple[dt.time, ...] = (dt.time(9, 0),)
    #: IANA name, e.g. ``Asia/Shanghai``; ``None`` means UTC.
    timezone: str | None = None
    #: Quiet hours ``(start, end)`` local to ``timezone``; may wrap midnight (23:00-07:00).
    quiet: tuple[dt.time, dt.time] | None = None
    #: At most this many messages in any hour (``None``: only the channel's own limits).
    max_per_hour: int | None = None
    #: At most this many entries in one message.
    max_items: int = 10
    #: Catching up on a backlog: at most this many entries go out (best scores first);
    #: the rest are summarised as a count.
    backlog: int = 20
    #: ``en`` or ``zh``: the language of what a push adds to the stories (headings,
    #: counts; ``notifier.delivery.texts``).
    language: str = "en"


# -- when a match is due ----------------------------------------------------------------------
#
# Wall-clock rules, local to the policy's time zone:
# - A time of day stands for the first moment the local clock reads that time or later. A
#   time skipped by a DST change (02:30 on a spring-forward night in Berlin) is the moment
#   of the change (03:00 summer time); a time that occurs twice (02:30 on a fall-back night)
#   is its first occurrence, so a digest goes once a day per ``at`` time.
# - Quiet hours ``(start, end)`` hold from ``start`` inclusive to ``end`` exclusive, by the
#   local clock; ``start > end`` wraps midnight; ``start == end`` means no quiet hours.

_UTC = zoneinfo.ZoneInfo("UTC")

#: ``hourly_room`` without a cap.
UNLIMITED = sys.maxsize

HOUR = 3600.0


def zone(policy: Policy) -> zoneinfo.ZoneInfo:
    """Return the policy's time zone (UTC when it names none)."""
    return zoneinfo.ZoneInfo(policy.timezone) if policy.timezone else _UTC


def due_at(policy: Policy, now: float, mode: Mode | None = None) -> float:
    """Return when a match queued at ``now`` (UNIX seconds) should go out.

    ``instant``: ``now``, or the end of the quiet hours if ``now`` is in them. ``digest``:
    the first ``at`` time at or after ``now`` (a match queued at 09:00:00 exactly is due at
    once and goes with the 09:00 digest; one queued a moment later waits for the next),
    itself moved to the end of the quiet hours if it falls in them.

    Args:
        policy: The target's delivery policy.
        now: When the match is queued.
        mode: Overrides ``policy.mode`` (a rule's own mode).

    Raises:
        ValueError: Digest mode with no ``at`` time.
    """
    mode = Mode(mode or policy.mode)
    t = now if mode is Mode.INSTANT else next_digest(policy, now)
    return quiet_end(policy, t)


def next_digest(policy: Policy, now: float) -> float:
    """Return the first of the policy's ``at`` times at or after ``now``."""
    if not policy.at:
        raise ValueError("digest mode needs at least one 'at' time")
    tz = zone(policy)
    today = _local(now, tz).date()
    times = sorted(t.replace(tzinfo=None) for t in policy.at)
    # From yesterday: a day skipped whole by a zone change maps its times to ``now``.
    for days in range(-1, 4):
        day = today + dt.timedelta(days=days)
        for time in times:
            t = _instant(day, time, tz)
            if t >= now:
                return t
    raise AssertionError("no digest time within four days")  # pragma: no cover


def in_quiet(policy: Policy, t: float) -> bool:
    """Whether ``t`` falls in the policy's quiet hours."""
    bounds = _quiet(policy)
    if bounds is None:
        return False
    start, end = bounds
    clock = _local(t, zone(policy)).time()
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def quiet_end(policy: Policy, t: float) -> float:
    """Return ``t`` if it is outside quiet hours, else when those quiet hours end."""
    bounds = _quiet(policy)
    if bounds is None or not in_quiet(policy, t):
        return t
    start, end = bounds
    tz = zone(policy)
    wall = _local(t, tz)
    day = wall.date()
    if start > end and wall.time() >= start:
        day += dt.timedelta(days=1)
    out = _instant(day, end, tz)
    if out <= t:  # in the repeated hour of a fall-back night: the end's second occurrence
        out = dt.datetime.combine(day, end, tzinfo=tz).replace(fold=1).timestamp()
    return out


def _quiet(policy: Policy) -> tuple[dt.time, dt.time] | None:
    if policy.quiet is None:
        return None
    start, end = (q.replace(tzinfo=None) for q in policy.quiet)
    return None if start == end else (start, end)


def _local(t: float, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The local wall-clock time at ``t`` (naive)."""
    return dt.datetime.fromtimestamp(t, tz).replace(tzinfo=None)


def _instant(day: dt.date, time: dt.time, tz: zoneinfo.ZoneInfo) -> float:
    """The first moment the local clock reads ``day time`` or later."""
    wall = dt.datetime.combine(day, time)
    t = wall.replace(tzinfo=tz).timestamp()  # fold=0: the first of a repeated time
    if abs((_local(t, tz) - wall).total_seconds()) < 0.001:
        return t
    # Skipped by a change: fold=0 lands after it, fold=1 before; find the change itself
    # (changes happen on whole seconds).
    lo = math.floor(wall.replace(tzinfo=tz, fold=1).timestamp())
    hi = math.ceil(t)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _local(mid, tz) >= wall:
            hi = mid
        else:
            lo = mid
    return float(hi)


# -- hourly caps ----------------------------------------------------------------------------


def hourly_room(policy: Policy, sent: Sequence[float], now: float) -> tuple[int, float | None]:
    """Return how many messages may go at ``now`` under ``policy.max_per_hour``.

    A message sent at ``s`` counts until ``s + 3600``. Returns ``(room, None)`` when there
    is room (``UNLIMITED`` without a cap), else ``(0, when)``: the moment one more may go.

    Args:
        policy: The target's delivery policy.
        sent: Times of the messages sent to the target (older ones are ignored).
        now: The current time.

    Raises:
        ValueError: ``max_per_hour`` below 1.
    """
    cap = policy.max_per_hour
    if cap is None:
        return UNLIMITED, None
    if cap < 1:
        raise ValueError(f"max_per_hour must be at least 1, not {cap}")
    recent = sorted(s for s in sent if s > now - HOUR)
    room = cap - len(recent)
    if room > 0:
        return room, None
    # One may go when all but cap - 1 of them have left the window.
    return 0, recent[-cap] + HOUR


# -- catching up on a backlog -------------------------------------------------------------


class Due(Protocol):
    """What :func:`backlog_split` reads of a delivery (``notifier.store.base.Delivery``)."""

    @property
    def score(self) -> float: ...

    @property
    def created_at(self) -> float: ...

    @property
    def backlog(self) -> bool: ...


D = TypeVar("D", bound=Due)


@dataclasses.dataclass(frozen=True, slots=True)
class Summary:
    """Backlog deliveries sent as a count: "and 137 more matches from ... to ..."."""

    count: int
    first: float  # the earliest time among them (see ``when`` of :func:`backlog_split`)
    last: float


@dataclasses.dataclass(frozen=True, slots=True)
class Split(Generic[D]):
    """What :func:`backlog_split` decided."""

    #: Deliveries to send as entries, in the order given.
    entries: tuple[D, ...]
    #: Backlog deliveries to mark summarised, in the order given.
    summarised: tuple[D, ...]
    summary: Summary | None = None


def backlog_split(
    due: Sequence[D],
    policy: Policy,
    *,
    sent_before: int = 0,
    when: Callable[[D], float] | None = None,
) -> Split[D]:
    """Split a target's due deliveries into entries to send and a summarised backlog.

    Deliveries not flagged ``backlog`` are all entries. Of the backlog ones, at most
    ``policy.backlog - sent_before`` go as entries, best score first (ties: the oldest);
    the rest are summarised as a count and a time range, so catching up never floods.

    Args:
        due: The target's due deliveries (the whole backlog, or one batch of it).
        policy: The target's delivery policy.
        sent_before: Backlog entries already sent in this catch-up (earlier batches).
        when: The time a delivery's summary range uses (default: ``created_at``).
    """
    room = max(0, policy.backlog - sent_before)
    ranked = sorted(
        (i for i, d in enumerate(due) if d.backlog),
        key=lambda i: (-due[i].score, due[i].created_at, i),
    )
    skipped = set(ranked[room:])
    entries = tuple(d for i, d in enumerate(due) if i not in skipped)
    summarised = tuple(d for i, d in enumerate(due) if i in skipped)
    if not summarised:
        return Split(entries, ())
    times = [when(d) if when else d.created_at for d in summarised]
    return Split(entries, summarised, Summary(len(summarised), min(times), max(times)))
