"""The service's Prometheus metrics."""

from __future__ import annotations

import prometheus_client
import pytest
from prometheus_client.parser import text_string_to_metric_families

from notifier.metrics import OUTCOMES, Metrics
from notifier.store.base import State


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """``{(sample name, sorted labels): value}`` parsed back from ``render()``."""
    out = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            out[s.name, tuple(sorted(s.labels.items()))] = s.value
    return out


def test_counters() -> None:
    """Digests, items, matches and deliveries are counted by their labels."""
    m = Metrics()
    m.digest("folder", "ok")
    m.digest("folder", "ok")
    m.digest("http", "error")
    m.items("folder", 40)
    m.items("folder", 2)
    m.match("openai")
    m.match("openai", 3)
    m.delivery("tg", "sent", 0.25, n=5)
    m.delivery("tg", "retry")
    m.delivery("feishu", "gone", 0.1)
    m.http_request("/v1/digests", 401)
    got = samples(m)
    assert got["notifier_digests_total", (("result", "ok"), ("source", "folder"))] == 2
    assert got["notifier_digests_total", (("result", "error"), ("source", "http"))] == 1
    assert got["notifier_items_total", (("source", "folder"),)] == 42
    assert got["notifier_matches_total", (("rule", "openai"),)] == 4
    assert got["notifier_deliveries_total", (("channel", "tg"), ("outcome", "sent"))] == 5
    assert got["notifier_deliveries_total", (("channel", "tg"), ("outcome", "retry"))] == 1
    assert got["notifier_deliveries_total", (("channel", "feishu"), ("outcome", "gone"))] == 1
    assert got["notifier_http_requests_total", (("route", "/v1/digests"), ("status", "401"))] == 1


def test_histograms() -> None:
    """Send durations per channel (only when a request was made) and first-push latency."""
    m = Metrics()
    m.delivery("tg", "sent", 0.03)
    m.delivery("tg", "sent", 2.0)
    m.delivery("tg", "retry")  # no request: no duration
    m.first_push(0.12)
    got = samples(m)
    assert got["notifier_send_seconds_count", (("channel", "tg"),)] == 2
    assert got["notifier_send_seconds_sum", (("channel", "tg"),)] == pytest.approx(2.03)
    assert got["notifier_send_seconds_bucket", (("channel", "tg"), ("le", "0.05"))] == 1
    assert got["notifier_first_push_seconds_count", ()] == 1
    assert got["notifier_first_push_seconds_bucket", (("le", "0.1"),)] == 0
    assert got["notifier_first_push_seconds_bucket", (("le", "0.2"),)] == 1


def test_unknown_outcome_is_refused() -> None:
    """A typo in an outcome is a bug, not a new label."""
    with pytest.raises(ValueError, match="unknown delivery outcome"):
        Metrics().delivery("tg", "delivered")
    assert set(OUTCOMES) == {"sent", "retry", "failed", "gone"}


def test_queue_depth_follows_the_store() -> None:
    """``set_queue`` sets each (channel, state); one that disappears reads 0."""
    m = Metrics()
    m.set_queue({("tg", State.QUEUED): 7, ("tg", State.DEAD): 1, ("mail", "sending"): 2})
    got = samples(m)
    assert got["notifier_queue_depth", (("channel", "tg"), ("state", "queued"))] == 7
    assert got["notifier_queue_depth", (("channel", "tg"), ("state", "dead"))] == 1
    assert got["notifier_queue_depth", (("channel", "mail"), ("state", "sending"))] == 2
    m.set_queue({("tg", State.QUEUED): 3})
    got = samples(m)
    assert got["notifier_queue_depth", (("channel", "tg"), ("state", "queued"))] == 3
    assert got["notifier_queue_depth", (("channel", "tg"), ("state", "dead"))] == 0
    assert got["notifier_queue_depth", (("channel", "mail"), ("state", "sending"))] == 0


def test_registries_are_private() -> None:
    """Two instances count apart, and nothing lands in prometheus_client's global registry."""
    a, b = Metrics(), Metrics()
    a.match("x")
    assert samples(a)["notifier_matches_total", (("rule", "x"),)] == 1
    assert ("notifier_matches_total", (("rule", "x"),)) not in samples(b)
    names = {f.name for f in prometheus_client.REGISTRY.collect()}
    assert not any(n.startswith("notifier_") for n in names)


def test_render_is_prometheus_text() -> None:
    """The output declares every family with HELP and TYPE, in the text format."""
    m = Metrics()
    text = m.render().decode()
    for name, kind in [
        ("notifier_digests_total", "counter"),
        ("notifier_items_total", "counter"),
        ("notifier_matches_total", "counter"),
        ("notifier_deliveries_total", "counter"),
        ("notifier_send_seconds", "histogram"),
        ("notifier_first_push_seconds", "histogram"),
        ("notifier_queue_depth", "gauge"),
    ]:
        assert f"# TYPE {name} {kind}" in text
        assert f"# HELP {name} " in text
    assert m.content_type.startswith("text/plain")
