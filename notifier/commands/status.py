"""``notifier status``: sources, targets, the queue, the workers and the last errors.

With several processes on one store (PostgreSQL), the queue is the cluster's and the workers
are every process with a heartbeat (see ``notifier.pipeline.workers``).
"""

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
from notifier.subscriptions.model import chat_of


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
    for name in sorted(n for n in names if chat_of(n) is None):
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
        if config is not None and name not in config.channels:
            row["status"] = "not configured"
        targets.append(row)
    sources = await store.source_states()
    if config is not None:
        for spec in config.sources:
            sources.setdefault(spec.name, {})
    return {
        "store": _mask(store.url),
        "queue": {s.value: sum(n for (_, st), n in counts.items() if st is s) for s in State},
        "targets": targets,
        "sources": [{"name": name, **state} for name, state in sorted(sources.items())],
        "workers": await workers(store),
        "subscribers": await subscribers(store, counts),
    }


async def subscribers(store: Store, counts: dict[tuple[str, State], int]) -> dict[str, Any]:
    """The Telegram subscribers' chats together (there may be 100,000 of them): how many,
    their subscriptions, their deliveries by state, and the subscriptions the matcher skips
    because their expressions no longer read (an older version's, or written by hand)."""
    from notifier.subscriptions.matcher import unreadable

    out: dict[str, Any] = dict(await store.subscriptions.count())
    for s in State:
        out[s.value] = sum(
            n for (t, st), n in counts.items() if st is s and chat_of(t) is not None
        )
    live = await store.subscriptions.subscriptions(live_only=True)
    out["skipped"] = [
        {
            "subscription": sub.id,
            "number": sub.number,
            "chat": sub.chat_id,
            "expr": sub.expr,
            "reason": reason,
        }
        for sub, reason in unreadable(live)
    ]
    return out


async def workers(store: Store, now: float | None = None) -> list[dict[str, Any]]:
    """The processes of the cluster, from their heartbeats, with the claims each holds; then
    claimers without a heartbeat (``notifier ingest`` or ``run --once`` dispatching)."""
    from notifier.pipeline.workers import HEARTBEAT

    now = time.time() if now is None else now
    out: list[dict[str, Any]] = []
    for w in await store.workers():
        age = max(0.0, now - w.heartbeat_at)
        out.append(
            {
                "worker": w.id,
                "host": w.host,
                "pid": w.pid,
                "role": w.role,
                "started_at": w.started_at,
                "heartbeat_at": w.heartbeat_at,
                "heartbeat_age": round(age, 1),
                # Three missed beats: killed, hung or cut off; its claims expire with the lease.
                "state": "running" if age <= 3 * HEARTBEAT else "not responding",
                "claims": w.claims,
            }
        )
    known = {w["worker"] for w in out}
    others: dict[str, int] = {}
    for d in await store.deliveries([State.SENDING], limit=100_000):
        claimer = d.claimed_by or "?"
        if claimer not in known:
            others[claimer] = others.get(claimer, 0) + 1
    for claimer, n in sorted(others.items()):
        host, _, rest = claimer.partition(":")
        pid = rest.partition(":")[0]
        out.append(
            {
                "worker": claimer,
                "host": host,
                "pid": int(pid) if pid.isdigit() else None,
                "role": None,
                "started_at": None,
                "heartbeat_at": None,
                "heartbeat_age": None,
                "state": "no heartbeat",
                "claims": n,
            }
        )
    return out


def render(status: dict[str, Any]) -> str:
    """The status as text for a terminal."""
    q = status["queue"]
    lines = [
        f"store    {status['store']}",
        "queue    "
        + (
            ", ".join(f"{q[s]} {s}" for s in ("queued", "sending", "sent", "dead") if q.get(s))
            or "empty"
        ),
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
    subs = status["subscribers"]
    if subs["chats"]:
        lines += [
            "",
            f"subscribers  {subs['active_chats']} of {subs['chats']} chats active, "
            f"{subs['subscriptions']} subscriptions; {subs['queued']} queued, "
            f"{subs['sent']} sent, {subs['dropped']} dropped",
        ]
        for bad in subs["skipped"]:
            lines.append(
                f"  #{bad['number']} of chat {bad['chat']} (id {bad['subscription']}) skipped: "
                f"{bad['expr']}: {bad['reason']}"
            )
    if status["sources"]:
        lines += ["", "sources"]
        for s in status["sources"]:
            read = f"last read {_when(s['last_read'])}" if s.get("last_read") else "not read yet"
            lines.append(f"  {s['name']:<20} {read}")
            if s.get("last_error"):
                lines.append(f"  {'':<20} last error: {s['last_error']}")
    if status["workers"]:
        lines += ["", "workers"]
        for w in status["workers"]:
            name = f"{w['host']}:{w['pid']}" if w["pid"] is not None else w["worker"]
            beat = (
                f"heartbeat {_ago(w['heartbeat_age'])}"
                if w["heartbeat_age"] is not None
                else "no heartbeat"
            )
            state = "" if w["state"] == "running" else f" ({w['state']})"
            role = w["role"] or "-"
            lines.append(f"  {name:<28} {role:<7} {beat}{state}, {w['claims']} claims")
    return "\n".join(lines)


def _when(at: float | None) -> str:
    if not at:
        return "never"
    ago = max(0, int(time.time() - at))
    stamp = dt.datetime.fromtimestamp(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp} ({ago // 60} min ago)" if ago >= 60 else f"{stamp} ({ago} s ago)"


def _ago(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60} min ago" if seconds >= 60 else f"{seconds} s ago"


def _mask(url: str) -> str:
    from channels.base import mask_url

    return mask_url(url)
