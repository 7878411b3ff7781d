"""``notifier deliveries``: list deliveries, newest first."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from notifier.commands._config import EXIT_CONFIG
from notifier.commands._store import with_store
from notifier.config import Config
from notifier.store import Delivery, State, Store


def run(args: argparse.Namespace) -> int:
    """Print the deliveries asked for; 2 when the config cannot be read."""
    states = None
    if args.dead:
        states = [State.DEAD]
    elif args.state:
        states = [State(args.state)]

    async def work(store: Store, config: Config | None) -> list[Delivery]:
        return await store.deliveries(states, args.target, args.limit, failing=args.failed)

    found = with_store(args, work)
    if found is None:
        return EXIT_CONFIG
    for d in found:
        if args.json:
            print(json.dumps(to_json(d), ensure_ascii=False))
        else:
            print(line(d))
    return 0


def to_json(d: Delivery) -> dict[str, object]:
    """A delivery as a JSON-ready dict."""
    return {
        "id": d.id,
        "target": d.target,
        "state": d.state.value,
        "title": d.entry.get("title"),
        "url": d.entry.get("url"),
        "rules": list(d.rules),
        "score": d.score,
        "attempts": d.attempts,
        "due_at": d.due_at,
        "created_at": d.created_at,
        "sent_at": d.sent_at,
        "last_error": d.last_error,
    }


def line(d: Delivery) -> str:
    """One delivery on one line (and its last error on the next)."""
    when = d.sent_at if d.state is State.SENT else d.due_at
    stamp = dt.datetime.fromtimestamp(when).astimezone().strftime("%m-%d %H:%M")
    title = (d.entry.get("title") or "")[:60]
    text = f"{d.id:>7} {d.state.value:<10} {stamp} {d.target:<16} {d.score:6.1f}  {title}"
    if d.attempts:
        text += f"  (attempts: {d.attempts})"
    if d.last_error and d.state is not State.SENT:
        text += f"\n{'':>8}{d.last_error}"
    return text
