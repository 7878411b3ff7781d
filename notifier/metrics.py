"""Prometheus metrics of ``notifier run``, served at ``GET /metrics``.

Each :class:`Metrics` has a registry of its own (not prometheus_client's global one), so
tests and several services in one process do not share counts.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

#: The outcomes of a send, as ``notifier_deliveries_total{outcome}`` counts them.
OUTCOMES = ("sent", "retry", "failed", "gone")

# Seconds. A send is a request or a few (split messages); timeouts end near 30 s.
_SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Digest in -> first request out: the target is under 200 ms; quiet hours and digest
# times make some wait for hours.
_FIRST_PUSH_BUCKETS = (
    *(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    *(300.0, 3600.0, 6 * 3600.0, 24 * 3600.0),
)


class Metrics:
    """The service's counters, histograms and gauges, in a private registry."""

    #: The ``Content-Type`` of :meth:`render`.
    content_type: str = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._digests = Counter(
            "notifier_digests",
            "Digests read, by source and result (ok, duplicate, error).",
            ["source", "result"],
            registry=r,
        )
        self._items = Counter(
            "notifier_items", "Items read from digests, by source.", ["source"], registry=r
        )
        self._matches = Counter(
            "notifier_matches", "Items matched, by rule.", ["rule"], registry=r
        )
        self._deliveries = Counter(
            "notifier_deliveries",
            "Delivery sends by channel and outcome (sent, retry, failed, gone).",
            ["channel", "outcome"],
            registry=r,
        )
        self._send_seconds = Histogram(
            "notifier_send_seconds",
            "Time one send to a channel took, in seconds.",
            ["channel"],
            buckets=_SEND_BUCKETS,
            registry=r,
        )
        self._first_push = Histogram(
            "notifier_first_push_seconds",
            "From a digest coming in to the first request out for its matches, in seconds.",
            buckets=_FIRST_PUSH_BUCKETS,
            registry=r,
        )
        self._queue = Gauge(
            "notifier_queue_depth",
            "Deliveries in the store, by channel and state.",
            ["channel", "state"],
            registry=r,
        )
        self._http = Counter(
            "notifier_http_requests",
            "Requests to the HTTP endpoint, by route and status code.",
            ["route", "status"],
            registry=r,
        )
        self._queue_labels: set[tuple[str, str]] = set()

    def digest(self, source: str, result: str) -> None:
        """Count one digest read by ``source`` (``result``: ok, duplicate or error)."""
        self._digests.labels(source, result).inc()

    def items(self, source: str, n: int) -> None:
        """Count ``n`` items read from a digest of ``source``."""
        self._items.labels(source).inc(n)

    def match(self, rule: str, n: int = 1) -> None:
        """Count ``n`` items matched by ``rule``."""
        self._matches.labels(rule).inc(n)

    def delivery(
        self, channel: str, outcome: str, seconds: float | None = None, n: int = 1
    ) -> None:
        """Count ``n`` deliveries sent (or not) to ``channel`` and the send's duration.

        Args:
            channel: The target's name.
            outcome: One of :data:`OUTCOMES`.
            seconds: How long the send took (``None``: no request was made).
            n: Deliveries the send carried (a digest message carries several).

        Raises:
            ValueError: An unknown outcome.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown delivery outcome {outcome!r}; expected one of {OUTCOMES}")
        self._deliveries.labels(channel, outcome).inc(n)
        if seconds is not None:
            self._send_seconds.labels(channel).observe(seconds)

    def first_push(self, seconds: float) -> None:
        """Record the time from a digest coming in to the first request out for it."""
        self._first_push.observe(seconds)

    def http_request(self, route: str, status: int) -> None:
        """Count one request to the HTTP endpoint."""
        self._http.labels(route, str(status)).inc()

    def set_queue(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Set the queue depth from ``{(channel, state): count}`` (``Store.counts()``).

        A (channel, state) set before and missing now reads 0.
        """
        seen = {(str(channel), str(state)) for channel, state in counts}
        for channel, state in self._queue_labels - seen:
            self._queue.labels(channel, state).set(0)
        for (channel, state), n in counts.items():
            self._queue.labels(str(channel), str(state)).set(n)
        self._queue_labels |= seen

    def render(self) -> bytes:
        """Return every metric in the Prometheus text format (see :attr:`content_type`)."""
        return generate_latest(self.registry)
