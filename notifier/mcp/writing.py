"""The tools that change things, only with ``notifier mcp --allow-write``: a rule added to
or removed from the rules file the operator named, dead deliveries queued again."""

from __future__ import annotations

import time
from typing import Any

from notifier.mcp import rules_file
from notifier.mcp.state import ServerState, ToolFailure

Answer = tuple[str, dict[str, Any]]
#: Delivery ids one ``retry`` call takes.
MAX_RETRY = 100


async def add_rule(state: ServerState, rule: str) -> Answer:
    """Append ``rule`` (one rule in YAML) to the rules file, checked as ``notifier check``."""
    state.need_write("add_rule")
    path = _rules_file(state)
    name = rules_file.add_rule(path, rule)
    state.reload()
    return f"rule {name!r} added to {path}", {"path": path, "added": name}


async def remove_rule(state: ServerState, name: str) -> Answer:
    """Delete the rule called ``name`` from the rules file."""
    state.need_write("remove_rule")
    path = _rules_file(state)
    rules_file.remove_rule(path, name)
    state.reload()
    return f"rule {name!r} removed from {path}", {"path": path, "removed": name}


async def retry(state: ServerState, ids: list[int]) -> Answer:
    """Queue the dead deliveries ``ids`` again, as ``notifier retry ID...`` does."""
    state.need_write("retry")
    if not ids:
        raise ToolFailure("give the ids of dead deliveries (see deliveries with state dead)")
    if len(ids) > MAX_RETRY:
        raise ToolFailure(f"at most {MAX_RETRY} delivery ids per call")
    wanted = sorted(set(ids))
    count = await state.store.requeue(wanted, now=time.time())
    return (
        f"{count} of {len(wanted)} deliveries queued again (only dead ones are)",
        {"ids": wanted, "queued": count},
    )


def _rules_file(state: ServerState) -> str:
    if not state.rules_file:
        raise ToolFailure("no rules file: start the server with --rules-file PATH or -c")
    return state.rules_file
