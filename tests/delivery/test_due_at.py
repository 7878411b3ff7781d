"""When a queued match is due: instant, digest times, quiet hours, DST changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from notifier.delivery.policy import Mode, Policy, due_at, in_quiet, next_digest, quiet_end

T = dt.time


def utc(*args: int) -> float:
    """UNIX time of a UTC wall time."""
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()


def local(zone: str, *args: int, fold: int = 0) -> float:
    """UNIX time of a wall time in ``zone``."""
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone), fold=fold).timestamp()


SH = "Asia/Shanghai"
BERLIN = "Europe/Berlin"
NY = "America/New_York"


def test_instant_outside_quiet_hours_is_now() -> None:
    """An instant match outside quiet hours is due when queued."""
    policy = Policy(timezone=SH, quiet=(T(23), T(7)))
    now = local(SH, 2024, 5, 1, 12, 0, 5)
    assert due_at(policy, now) == now
    assert due_at(Policy(), now) == now


@pytest.mark.parametrize(
    ("queued", "due"),
    [
        ((2024, 5, 1, 22, 59, 59), (2024, 5, 1, 22, 59, 59)),
        ((2024, 5, 1, 23, 0), (2024, 5, 2, 7, 0)),  # start inclusive
        ((2024, 5, 1, 23, 30), (2024, 5, 2, 7, 0)),  # before midnight: the next morning
        ((2024, 5, 2, 2, 0), (2024, 5, 2, 7, 0)),  # after midnight: the same morning
        ((2024, 5, 2, 6, 59, 59), (2024, 5, 2, 7, 0)),
        ((2024, 5, 2, 7, 0), (2024, 5, 2, 7, 0)),  # end exclusive
    ],
)
def test_quiet_hours_wrapping_midnight(queued: tuple[int, ...], due: tuple[int, ...]) -> None:
    """Quiet hours 23:00-07:00 hold an instant match until 07:00."""
    policy = Policy(timezone=SH, quiet=(T(23), T(7)))
    assert due_at(policy, local(SH, *queued)) == local(SH, *due)


def test_quiet_hours_within_a_day() -> None:
    """Quiet hours 12:00-14:00 (no wrap) hold a match until 14:00 and no longer."""
    policy = Policy(timezone=SH, quiet=(T(12), T(14)))
    assert due_at(policy, local(SH, 2024, 5, 1, 12, 30)) == local(SH, 2024, 5, 1, 14)
    assert due_at(policy, local(SH, 2024, 5, 1, 11, 30)) == local(SH, 2024, 5, 1, 11, 30)
    assert due_at(policy, local(SH, 2024, 5, 1, 23)) == local(SH, 2024, 5, 1, 23)


def test_equal_quiet_bounds_mean_no_quiet_hours() -> None:
    """Quiet hours that start when they end hold nothing."""
    policy = Policy(timezone=SH, quiet=(T(8), T(8)))
    now = local(SH, 2024, 5, 1, 8, 0)
    assert not in_quiet(policy, now)
    assert due_at(policy, now) == now


@pytest.mark.parametrize(
    ("queued", "due"),
    [
        ((2024, 5, 1, 8, 0), (2024, 5, 1, 9, 0)),
        ((2024, 5, 1, 9, 0), (2024, 5, 1, 9, 0)),  # exactly at a digest time: that digest
        ((2024, 5, 1, 9, 0, 1), (2024, 5, 1, 18, 0)),
        ((2024, 5, 1, 18, 30), (2024, 5, 2, 9, 0)),
        ((2024, 12, 31, 23, 59), (2025, 1, 1, 9, 0)),
    ],
)
def test_digest_at_several_times(queued: tuple[int, ...], due: tuple[int, ...]) -> None:
    """A digest match waits for the next of the ``at`` times (given in any order)."""
    policy = Policy(mode=Mode.DIGEST, at=(T(18), T(9)), timezone=SH)
    assert due_at(policy, local(SH, *queued)) == local(SH, *due)


def test_digest_without_time_zone_is_utc() -> None:
    """No ``timezone`` means UTC."""
    policy = Policy(mode=Mode.DIGEST, at=(T(9),))
    assert due_at(policy, utc(2024, 5, 1, 10)) == utc(2024, 5, 2, 9)


def test_mode_argument_overrides_the_policy() -> None:
    """A rule's own mode wins over the target's."""
    digest = Policy(mode=Mode.DIGEST, at=(T(9),), timezone=SH)
    now = local(SH, 2024, 5, 1, 10)
    assert due_at(digest, now, Mode.INSTANT) == now
    assert due_at(Policy(timezone=SH), now, Mode.DIGEST) == local(SH, 2024, 5, 2, 9)


def test_digest_without_times_is_an_error() -> None:
    """Digest mode needs an ``at`` time."""
    with pytest.raises(ValueError, match="at least one"):
        due_at(Policy(mode=Mode.DIGEST, at=()), 0.0)


@pytest.mark.parametrize(
    ("zone", "queued", "due_utc"),
    [
        # Berlin springs forward on 2024-03-31 (02:00 CET -> 03:00 CEST): 09:00 is 07:00Z.
        (BERLIN, (2024, 3, 30, 10, 0), (2024, 3, 31, 7, 0)),
        (BERLIN, (2024, 3, 29, 10, 0), (2024, 3, 30, 8, 0)),
        # ... and falls back on 2024-10-27 (03:00 CEST -> 02:00 CET): 09:00 is 08:00Z.
        (BERLIN, (2024, 10, 26, 10, 0), (2024, 10, 27, 8, 0)),
        (BERLIN, (2024, 10, 25, 10, 0), (2024, 10, 26, 7, 0)),
        # New York: 2024-03-10 (EST -> EDT) and 2024-11-03 (EDT -> EST).
        (NY, (2024, 3, 9, 10, 0), (2024, 3, 10, 13, 0)),
        (NY, (2024, 3, 8, 10, 0), (2024, 3, 9, 14, 0)),
        (NY, (2024, 11, 2, 10, 0), (2024, 11, 3, 14, 0)),
        # Shanghai has no DST: always 01:00Z.
        (SH, (2024, 3, 30, 10, 0), (2024, 3, 31, 1, 0)),
        (SH, (2024, 10, 26, 10, 0), (2024, 10, 27, 1, 0)),
    ],
)
def test_digest_keeps_local_time_across_dst(
    zone: str, queued: tuple[int, ...], due_utc: tuple[int, ...]
) -> None:
    """A 09:00 digest is at 09:00 local time on both sides of a DST change."""
    policy = Policy(mode=Mode.DIGEST, at=(T(9),), timezone=zone)
    assert due_at(policy, local(zone, *queued)) == utc(*due_utc)


def test_digest_time_skipped_by_dst_goes_at_the_change() -> None:
    """A digest time that does not exist that day goes when the clock jumps past it."""
    berlin = Policy(mode=Mode.DIGEST, at=(T(2, 30),), timezone=BERLIN)
    assert due_at(berlin, local(BERLIN, 2024, 3, 31, 0, 0)) == utc(2024, 3, 31, 1, 0)
    ny = Policy(mode=Mode.DIGEST, at=(T(2, 30),), timezone=NY)
    assert due_at(ny, local(NY, 2024, 3, 10, 0, 0)) == utc(2024, 3, 10, 7, 0)
    # The day after, 02:30 exists again.
    assert due_at(ny, utc(2024, 3, 10, 8, 0)) == local(NY, 2024, 3, 11, 2, 30)


def test_digest_time_repeated_by_dst_goes_once() -> None:
    """A digest time that occurs twice (fall back) goes at its first occurrence only."""
    policy = Policy(mode=Mode.DIGEST, at=(T(1, 30),), timezone=NY)
    first = utc(2024, 11, 3, 5, 30)  # 01:30 EDT
    assert due_at(policy, local(NY, 2024, 11, 3, 0, 0)) == first
    # Queued after the first 01:30, in the repeated hour: tomorrow's, not the second 01:30.
    tomorrow = local(NY, 2024, 11, 4, 1, 30)
    assert due_at(policy, utc(2024, 11, 3, 5, 40)) == tomorrow  # 01:40 EDT
    assert due_at(policy, utc(2024, 11, 3, 6, 10)) == tomorrow  # 01:10 EST


def test_digest_over_a_skipped_day() -> None:
    """Samoa skipped 2011-12-30: that day's digest goes when the clock jumps."""
    apia = "Pacific/Apia"
    policy = Policy(mode=Mode.DIGEST, at=(T(9),), timezone=apia)
    jump = utc(2011, 12, 30, 10, 0)  # Dec 29 24:00 -10:00 == Dec 31 00:00 +14:00
    assert due_at(policy, local(apia, 2011, 12, 29, 10, 0)) == jump
    assert due_at(policy, jump) == jump
    assert due_at(policy, jump + 1) == local(apia, 2011, 12, 31, 9, 0)


def test_quiet_hours_across_dst() -> None:
    """Quiet hours end at their local time on the night of a DST change."""
    ny = Policy(timezone=NY, quiet=(T(23), T(7)))
    assert due_at(ny, local(NY, 2024, 3, 9, 23, 30)) == utc(2024, 3, 10, 11, 0)  # 07:00 EDT
    berlin = Policy(timezone=BERLIN, quiet=(T(22), T(8)))
    assert due_at(berlin, local(BERLIN, 2024, 10, 26, 23)) == utc(2024, 10, 27, 7)  # 08:00 CET


def test_quiet_end_skipped_by_dst() -> None:
    """Quiet hours ending at a skipped time end when the clock jumps past it."""
    policy = Policy(timezone=BERLIN, quiet=(T(23), T(2, 30)))
    assert quiet_end(policy, local(BERLIN, 2024, 3, 30, 23, 30)) == utc(2024, 3, 31, 1, 0)


def test_quiet_hours_in_the_repeated_hour() -> None:
    """Quiet hours ending in a repeated hour hold on both passes, and end after ``t``."""
    policy = Policy(timezone=NY, quiet=(T(23), T(1, 30)))
    assert quiet_end(policy, utc(2024, 11, 3, 5, 20)) == utc(2024, 11, 3, 5, 30)  # EDT pass
    assert not in_quiet(policy, utc(2024, 11, 3, 5, 40))  # 01:40 EDT
    assert in_quiet(policy, utc(2024, 11, 3, 6, 10))  # 01:10 EST, the second pass
    assert quiet_end(policy, utc(2024, 11, 3, 6, 10)) == utc(2024, 11, 3, 6, 30)


def test_digest_time_in_quiet_hours_moves_to_their_end() -> None:
    """A digest time inside quiet hours goes when they end; several collapse into one."""
    policy = Policy(mode=Mode.DIGEST, at=(T(7), T(20)), timezone=SH, quiet=(T(23), T(8)))
    assert due_at(policy, local(SH, 2024, 5, 1, 1, 0)) == local(SH, 2024, 5, 1, 8, 0)
    assert due_at(policy, local(SH, 2024, 5, 1, 21, 0)) == local(SH, 2024, 5, 2, 8, 0)
    assert due_at(policy, local(SH, 2024, 5, 1, 9, 0)) == local(SH, 2024, 5, 1, 20, 0)
    both = Policy(mode=Mode.DIGEST, at=(T(1), T(5)), timezone=SH, quiet=(T(0), T(6)))
    assert due_at(both, local(SH, 2024, 5, 1, 0, 30)) == local(SH, 2024, 5, 1, 6, 0)
    assert due_at(both, local(SH, 2024, 5, 1, 2, 0)) == local(SH, 2024, 5, 1, 6, 0)


@pytest.mark.parametrize("zone", [BERLIN, NY, SH, "Australia/Lord_Howe"])
def test_invariants_over_dst_weeks(zone: str) -> None:
    """Over the weeks around DST changes: due is never early, never in quiet hours, and an
    instant match outside quiet hours goes at once; digests go at an ``at`` time or at the
    end of quiet hours, within a day."""
    instant = Policy(timezone=zone, quiet=(T(22, 30), T(2, 30)))
    digest = Policy(
        mode=Mode.DIGEST, at=(T(2, 15), T(9), T(18)), timezone=zone, quiet=(T(1), T(3))
    )
    tz = zoneinfo.ZoneInfo(zone)
    for start in (utc(2024, 3, 5), utc(2024, 10, 1), utc(2024, 3, 27)):
        for step in range(0, 14 * 24 * 60, 37):
            now = start + step * 60.0
            due = due_at(instant, now)
            assert due >= now
            assert not in_quiet(instant, due)
            if not in_quiet(instant, now):
                assert due == now
            d = due_at(digest, now)
            assert d >= now
            assert not in_quiet(digest, d)
            assert next_digest(digest, now) <= d
            assert d - now < 24 * 3600
            clock = dt.datetime.fromtimestamp(d, tz).time()
            assert clock in (T(3), T(9), T(18))  # 02:15 is always in quiet hours
