"""Durations, sizes and times of day as rules.yaml writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from notifier.config._units import parse_clock, parse_duration, parse_size


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30.0),
        (1.5, 1.5),
        ("90", 90.0),
        ("30s", 30.0),
        ("10m", 600.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("500ms", 0.5),
        ("2d", 172800.0),
        ("10M", 600.0),
        ("0s", 0.0),
    ],
)
def test_durations(value: object, seconds: float):
    """Numbers are seconds; units s, m, h, d, ms combine."""
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "10 minutes", "m", "-5s", -1, True, None, [], "1x"])
def test_bad_durations(value: object):
    """Anything else is refused."""
    assert parse_duration(value) is None


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (1000, 1000),
        ("800B", 800),
        ("512KB", 512 * 1024),
        ("5MB", 5 * 1024**2),
        ("5mb", 5 * 1024**2),
        ("5 MiB", 5 * 1024**2),
        ("1.5M", int(1.5 * 1024**2)),
        ("1GB", 1024**3),
        ("100", 100),
    ],
)
def test_sizes(value: object, size: int):
    """Sizes in bytes, KB, MB, GB (binary units)."""
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["5 megabytes", "MB", "-1", -1, True, None, "5TB", "5ib"])
def test_bad_sizes(value: object):
    """Anything else is refused."""
    assert parse_size(value) is None


@pytest.mark.parametrize(
    ("value", "raw", "time"),
    [
        ("09:00", None, dt.time(9, 0)),
        ("9:05", None, dt.time(9, 5)),
        ("23:59:30", None, dt.time(23, 59, 30)),
        (1080, "18:00", dt.time(18, 0)),  # YAML 1.1 reads an unquoted 18:00 as 1080
        (540, "9:00", dt.time(9, 0)),
    ],
)
def test_clock(value: object, raw: str | None, time: dt.time):
    """HH:MM, quoted or not."""
    assert parse_clock(value, raw) == time


@pytest.mark.parametrize(
    ("value", "raw"), [("24:00", None), ("9am", None), ("09:60", None), (900, "900"), (9, None)]
)
def test_bad_clock(value: object, raw: str | None):
    """Out-of-range or non-clock values are refused."""
    assert parse_clock(value, raw) is None
