"""Hourly caps and catching up on a backlog."""

from __future__ import annotations

import dataclasses

import pytest

from notifier.delivery.policy import (
    UNLIMITED,
    Policy,
    Split,
    Summary,
    backlog_split,
    hourly_room,
)
from notifier.store.base import Delivery, State

NOW = 1_000_000.0


def test_no_cap_is_unlimited() -> None:
    """Without ``max_per_hour`` there is always room."""
    assert hourly_room(Policy(), [NOW - 1] * 500, NOW) == (UNLIMITED, None)


def test_room_counts_only_the_last_hour() -> None:
    """Messages older than an hour do not count; one exactly an hour old no longer does."""
    policy = Policy(max_per_hour=3)
    assert hourly_room(policy, [], NOW) == (3, None)
    assert hourly_room(policy, [NOW - 4000, NOW - 3600, NOW - 10], NOW) == (2, None)


def test_full_hour_says_when_the_next_may_go() -> None:
    """When the cap is reached, the next may go an hour after the oldest counted one."""
    policy = Policy(max_per_hour=3)
    sent = [NOW - 10, NOW - 3000, NOW - 5000, NOW - 1200]  # unsorted, one too old
    assert hourly_room(policy, sent, NOW) == (0, NOW - 3000 + 3600)


def test_over_the_cap_waits_until_enough_have_left() -> None:
    """With more sent than the cap (it was lowered), wait until ``cap - 1`` remain."""
    policy = Policy(max_per_hour=2)
    sent = [NOW - 3000, NOW - 2000, NOW - 1000, NOW - 10]
    # Three must leave the window: the third oldest leaves at NOW - 1000 + 3600.
    assert hourly_room(policy, sent, NOW) == (0, NOW - 1000 + 3600)
    room, when = hourly_room(policy, sent, NOW - 1000 + 3600)
    assert (room, when) == (1, None)


def test_cap_below_one_is_an_error() -> None:
    """A cap of 0 would never send: refused."""
    with pytest.raises(ValueError, match="at least 1"):
        hourly_room(Policy(max_per_hour=0), [], NOW)


@dataclasses.dataclass(frozen=True)
class D:
    """A due delivery, as far as ``backlog_split`` cares."""

    name: str
    score: float
    created_at: float
    backlog: bool = True
    published: float = 0.0


def names(items: tuple[D, ...]) -> list[str]:
    return [d.name for d in items]


def test_small_backlog_goes_whole() -> None:
    """A backlog within ``policy.backlog`` is sent entry by entry, nothing summarised."""
    due = [D("a", 1, 10), D("b", 2, 11, backlog=False)]
    split = backlog_split(due, Policy(backlog=5))
    assert split == Split(tuple(due), (), None)


def test_best_scored_backlog_entries_go_the_rest_are_counted() -> None:
    """At most ``backlog`` entries go (best score, ties oldest), in the given order; the rest
    are summarised with a count and their time range; fresh matches always go."""
    due = [
        D("low", 1, 50),
        D("fresh", 0.5, 99, backlog=False),
        D("top", 9, 40),
        D("tie-new", 5, 30),
        D("tie-old", 5, 20),
        D("mid", 3, 60),
    ]
    split = backlog_split(due, Policy(backlog=2))
    assert names(split.entries) == ["fresh", "top", "tie-old"]
    assert names(split.summarised) == ["low", "tie-new", "mid"]
    assert split.summary == Summary(count=3, first=30, last=60)


def test_batches_share_one_budget() -> None:
    """``sent_before`` counts entries of the same catch-up sent in earlier batches."""
    due = [D("a", 3, 1), D("b", 2, 2), D("c", 1, 3)]
    assert names(backlog_split(due, Policy(backlog=5), sent_before=4).entries) == ["a"]
    split = backlog_split(due, Policy(backlog=5), sent_before=9)
    assert split.entries == ()
    assert split.summary == Summary(3, 1, 3)


def test_zero_backlog_summarises_everything() -> None:
    """``backlog: 0`` sends a backlog as one count."""
    split = backlog_split([D("a", 3, 1), D("b", 2, 2)], Policy(backlog=0))
    assert split.entries == ()
    assert split.summary == Summary(2, 1, 2)


def test_range_from_another_time() -> None:
    """``when`` picks the time the summary's range shows (e.g. when stories came out)."""
    due = [D("a", 3, 100, published=5), D("b", 2, 100, published=7), D("c", 1, 100)]
    split = backlog_split(due, Policy(backlog=1), when=lambda d: d.published)
    assert split.summary == Summary(2, 0.0, 7)


def test_store_deliveries_fit() -> None:
    """The store's ``Delivery`` is what the dispatcher passes."""

    def delivery(i: int, score: float) -> Delivery:
        return Delivery(
            id=i,
            story_id=f"s{i}",
            target="t",
            rules=("r",),
            score=score,
            state=State.SENDING,
            due_at=0,
            created_at=100 + i,
            attempts=0,
            entry={},
            backlog=True,
        )

    due = [delivery(i, float(i % 7)) for i in range(100)]
    split = backlog_split(due, Policy(backlog=20))
    assert len(split.entries) == 20
    assert min(d.score for d in split.entries) >= max(d.score for d in split.summarised)
    assert split.summary == Summary(80, 100, 199)
