"""``notifier status``: sources, targets, the queue and the last errors."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

from notifier.commands._config import EXIT_CONFIG
from notifier.commands._store import with_store
from notifier.config import Config
from notifier.store import State, Store


def run(args: argparse.Namespace) -> int:
    """Print the status (``--json``: one object); 2 when the config cannot be read."""
    status = with_store(args, gather)
    if status is None:
        return EXIT_CONFIG
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        print(render(status))
    return 0


async def gather(store: Store, config: Config | None) -> dict[str, Any]:
    """Collect the status from the store (and the config's names, when given)."""
    counts = await store.counts()
    states = await store.target_states()
    names = set(config.channels) if config else set()
    names |= {target for target, _ in counts} | set(states)
    targets = []
    for name in sorted(names):
        state = states.get(name)
        row: dict[str, Any] = {"name": name, "status": state.status if state else "active"}
        for s in State:
            row[s.value] = counts.get((name, s), 0)
        if state is not None:
            row.update(
                detail=state.detail,
                last_sent_at=state.last_sent_at,
                last_error=state.last_error,
                last_error_at=state.last_error_at,
            )
        if config is not None and name not in config.channels and not name.startswith("tg:"):
            row["status"] = "not configured"
        targets.append(row)
    sources = await store.source_states()
    if config is not None:
        for spec in config.sources:
            sources.setdefault(spec.name, {})
    claims = await store.deliveries([State.SENDING], limit=1000)
    workers: dict[str, int] = {}
    for d in claims:
        workers[d.claimed_by or "?"] = workers.get(d.claimed_by or "?", 0) + 1
    return {
        "store": _mask(store.url),
        "queue": {s.value: sum(n for (_, st), n in counts.items() if st is s) for s in State},
        "targets": targets,
        "sources": [{"name": name, **state} for name, state in sorted(sources.items())],
        "workers": [{"worker": w, "claims": n} for w, n in sorted(workers.items())],
    }


def render(status: dict[str, Any]) -> str:
    """The status as text for a terminal."""
    q = status["queue"]
    lines = [
        f"store    {status['store']}",
        "queue    "
        + ", ".join(f"{q[s]} {s}" for s in ("queued", "sending", "sent", "dead") if q.get(s))
        or "queue    empty",
        "",
        "targets",
    ]
    for t in status["targets"]:
        counts = f"{t['queued']} queued, {t['sent']} sent, {t['dead']} dead"
        lines.append(f"  {t['name']:<20} {t['status']:<14} {counts}")
        if t.get("last_sent_at"):
            lines.append(f"  {'':<20} last sent {_when(t['last_sent_at'])}")
        if t.get("last_error"):
            lines.append(f"  {'':<20} last error {_when(t['last_error_at'])}: {t['last_error']}")
    if status["sources"]:
        lines += ["", "sources"]
        for s in status["sources"]:
            read = f"last read {_when(s['last_read'])}" if s.get("last_read") else "not read yet"
            lines.append(f"  {s['name']:<20} {read}")
            if s.get("last_error"):
                lines.append(f"  {'':<20} last error: {s['last_error']}")
    if status["workers"]:
        lines += ["", "workers (claims in flight)"]
        lines += [f"  {w['worker']:<32} {w['claims']}" for w in status["workers"]]
    return "\n".join(lines)


def _when(at: float | None) -> str:
    if not at:
        return "never"
    ago = max(0, int(time.time() - at))
    stamp = dt.datetime.fromtimestamp(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp} ({ago // 60} min ago)" if ago >= 60 else f"{stamp} ({ago} s ago)"


def _mask(url: str) -> str:
    from channels.base import mask_url

    return mask_url(url)
