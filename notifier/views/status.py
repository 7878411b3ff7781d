"""The service's state for the page's ``/status`` (what ``notifier status`` shows), with
nothing that names a subscriber: target names only, no chat ids, no expressions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notifier.views.secrets import config_secrets, scrub

if TYPE_CHECKING:
    from notifier.config import Config
    from notifier.store import Store

#: Source state kept: when it was read and what went wrong (no URLs, no headers).
_SOURCE_KEYS = ("type", "last_read", "last_error", "last_error_at", "digests")


async def service_status(store: Store, config: Config | None) -> dict[str, Any]:
    """``notifier status --json``'s data, fit for a page."""
    from notifier.commands.status import gather

    found = scrub(await gather(store, config), config_secrets(config))
    subs = found.get("subscribers", {})
    skipped = subs.get("skipped", [])
    return {
        "queue": found["queue"],
        "targets": found["targets"],
        "sources": [
            {"name": s["name"], **{k: s[k] for k in _SOURCE_KEYS if k in s}}
            for s in found["sources"]
        ],
        "workers": [
            {k: w[k] for k in ("host", "pid", "role", "heartbeat_age", "state", "claims")}
            for w in found["workers"]
        ],
        "subscribers": {
            k: v for k, v in subs.items() if k != "skipped" and isinstance(v, int | float)
        },
        # Subscriptions the matcher skips: why, not whose.
        "quarantined": [{"number": s["number"], "reason": s["reason"]} for s in skipped],
    }
