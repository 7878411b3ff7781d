"""The read-only tools as plain data: each returns a one-line summary and a JSON-ready dict.

They say what the CLI and the web page say, through the same code: ``test_rule`` and
``search_stories`` are :func:`notifier.views.trial.try_rule` (the engine of ``notifier
test-rule``), ``hot_topics`` is :func:`notifier.views.day.day_page`, ``deliveries`` and
``status`` are ``notifier deliveries --json`` / ``status --json`` with names only.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from notifier.mcp.state import ServerState, ToolFailure

Answer = tuple[str, dict[str, Any]]
#: Characters of a story's summary in ``search_stories`` (the link has the rest).
SUMMARY_CHARS = 300
#: What a subscriber's chat (``tg:<chat id>``) is called: its id is never shown.
SUBSCRIBER = "subscriber"
#: Delivery states a client may ask for; ``failed``: queued again after a failure.
DELIVERY_STATES = ("queued", "sending", "sent", "dead", "summarised", "dropped", "failed")
#: The earliest date ``hot_topics`` takes.
FIRST_DAY = dt.date(2000, 1, 1)


async def search_stories(
    state: ServerState, query: str, days: int, source: str | None, limit: int
) -> Answer:
    """Stored stories of the last ``days`` days matching the expression ``query``."""
    trial = await _try(state, query, days=days, limit=limit, source=source)
    stories = []
    for m in trial.matches:
        s = m.story
        terms = dict.fromkeys(h["term"] for h in m.result["hits"] if h["role"] != "none")
        cut = s.summary[: SUMMARY_CHARS - 1] + "…"
        summary = s.summary if len(s.summary) <= SUMMARY_CHARS else cut
        stories.append(
            {
                "id": s.id,
                "title": s.title,
                "url": s.url,
                "source": s.source,
                "date": s.date,
                "heat": s.sources,
                "score": round(m.score, 4),
                "terms": list(terms),
                "summary": summary,
            }
        )
    data = {
        "query": query,
        "source": source,
        "first": trial.first,
        "last": trial.last,
        "considered": trial.considered,
        "total": trial.total,
        "stories": stories,
    }
    where = f" from {source}" if source else ""
    return (
        f"{trial.total} of {trial.considered} stories{where} dated {trial.first}..{trial.last} "
        f"match; the best {len(stories)} first",
        data,
    )


async def test_rule(state: ServerState, rule: str, days: int, limit: int) -> Answer:
    """What ``rule`` (an expression or one rule in YAML) would have caught."""
    trial = await _try(state, rule, days=days, limit=limit)
    return (
        f"rule {trial.rule!r} ({trial.kind}) would have caught {trial.total} of "
        f"{trial.considered} stories dated {trial.first}..{trial.last}; nothing was saved",
        trial.to_json(),
    )


async def hot_topics(state: ServerState, date: str | None, limit: int) -> Answer:
    """The day's stories grouped by rule, best first (the web page's day)."""
    from notifier.views.day import day_page
    from notifier.views.stories import today, zone_of

    config = state.config
    tz = zone_of(config)
    day = _day(date, today(tz, time.time()))
    page = await day_page(
        state.store, config, day, tz=tz, per_group=limit, cache=state.match_cache()
    )
    data = page.to_json()
    matched = sum(g.total for g in page.groups)
    return (
        f"{page.stories} stories dated {data['day']} ({page.tz}); {len(page.groups)} rules "
        f"match {matched} times; at most {limit} stories per rule",
        data,
    )


async def explain(state: ServerState, story_id: int, rule: str) -> Answer:
    """How ``rule`` (a rule of the config, or an expression) judges story ``story_id``."""
    from notifier.engine import Engine
    from notifier.views.results import explain_lines, result_json
    from notifier.views.stories import story_by_id, story_item, zone_of

    config = state.config
    row = await story_by_id(state.store, story_id, tz=zone_of(config))
    if row is None:
        raise ToolFailure(f"no story {story_id} in the store (ids come from search_stories)")
    named = {r.name: r for r in config.rules} if config is not None else {}
    if rule in named:
        chosen = named[rule]
    else:
        from notifier.views.trial import TrialError, read_rule

        try:
            chosen, _ = read_rule(rule, config)
        except TrialError as exc:
            raise ToolFailure(f"not a rule of the config, nor a rule expression: {exc}") from None
    traditional = bool(config.settings.fold_traditional) if config is not None else False
    result = Engine([chosen], traditional=traditional).evaluate(story_item(row))[0]
    data = {
        **result_json(result),
        "explain": explain_lines(result),
        "story": {**row.to_json(), "heat": row.sources},
    }
    verdict = "matches" if result.matched else f"does not match ({result.reason})"
    return f"rule {chosen.name!r} {verdict} story {story_id}, score {result.score:.2f}", data


async def deliveries(
    state: ServerState, target: str | None, status: str | None, limit: int
) -> Answer:
    """Deliveries, newest first, as ``notifier deliveries --json`` lists them."""
    from notifier.commands.deliveries import to_json
    from notifier.store import State

    if status is not None and status not in DELIVERY_STATES:
        raise ToolFailure(f"state must be one of {', '.join(DELIVERY_STATES)}")
    states = [State(status)] if status and status != "failed" else None
    found = await state.store.deliveries(states, target, limit, failing=status == "failed")
    rows = [_named(to_json(d)) for d in found]
    return f"{len(rows)} deliveries, newest first", {"deliveries": rows}


async def status(state: ServerState) -> Answer:
    """Targets, queue, sources, workers, last errors (``notifier status --json``)."""
    from notifier.commands.status import gather

    data = await gather(state.store, state.config)
    for skipped in data.get("subscribers", {}).get("skipped", []):
        skipped.pop("chat", None)
    queue = ", ".join(f"{n} {s}" for s, n in data["queue"].items() if n) or "empty"
    return f"queue: {queue}; {len(data['targets'])} targets", data


async def check_config(state: ServerState) -> Answer:
    """``notifier check``: every problem of the config as ``file:line: message``."""
    from notifier.config import inspect_config

    path = state.config_path
    if not path:
        raise ToolFailure("this server was started without a config file (-c RULES.yaml)")
    report = inspect_config(path)
    config = report.config
    data = {
        "path": path,
        "ok": config is not None and not report.errors,
        "problems": [str(e) for e in report.errors],
        "warnings": [str(w) for w in report.warnings],
        "rules": len(config.rules) if config is not None else None,
        "channels": sorted(config.channels) if config is not None else None,
    }
    if data["ok"]:
        summary = f"{path}: OK, {data['rules']} rules, {len(config.channels)} channels"
    else:
        summary = f"{path}: {len(report.errors)} problems"
    return summary, data


async def _try(state: ServerState, text: str, **kwargs: Any) -> Any:
    from notifier.views.trial import TrialError, try_rule

    try:
        return await try_rule(state.store, state.config, text, **kwargs)
    except TrialError as exc:
        raise ToolFailure(str(exc)) from None


def _day(text: str | None, today: dt.date) -> dt.date:
    """The date ``text`` names (default: today), between 2000-01-01 and tomorrow."""
    if text is None or not text.strip():
        return today
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ToolFailure("date must be YYYY-MM-DD, e.g. 2025-12-08") from None
    last = today + dt.timedelta(days=1)
    if not FIRST_DAY <= day <= last:
        raise ToolFailure(f"date must be from {FIRST_DAY} to {last}")
    return day


def _named(row: dict[str, Any]) -> dict[str, Any]:
    """A delivery with a subscriber's chat (``tg:<chat id>``) called ``subscriber``."""
    from notifier.subscriptions.model import chat_of

    if chat_of(str(row.get("target", ""))) is not None:
        row["target"] = SUBSCRIBER
    return row
