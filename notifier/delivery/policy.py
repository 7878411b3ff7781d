"""A target's delivery policy: instant or digest at fixed times, quiet hours, caps."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum


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
