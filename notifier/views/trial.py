"""A rule tried on the last days' stored stories: the playground (``/play``) and the MCP
server's ``try_rule``.

The text is a rule expression as ``notifier test-rule --expr`` takes it (``OpenAI +GPT
!广告``) or one rule in YAML, as under ``rules:`` in rules.yaml. It is read the way
``test-rule`` and ``notifier check`` read them (regexes through the engine's own check, so
one that could backtrack catastrophically is refused) and evaluated by the same engine;
each match carries what ``test-rule --json`` and ``--explain`` would say of it.

``${VAR}`` in the YAML is never read from the environment (it would show its value).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
import time
from typing import TYPE_CHECKING, Any

from notifier.views.cache import StoryCache
from notifier.views.results import explain_lines, result_json
from notifier.views.stories import StoryRow, story_item, today, zone_of

if TYPE_CHECKING:
    from notifier.config import Config
    from notifier.engine import Result
    from notifier.rules import Rule, Term
    from notifier.store import Store

#: The longest text accepted (an expression or a YAML rule).
MAX_TEXT = 4000
MAX_DAYS = 90
#: What tells a YAML rule from an expression: a rule's key at the start of a line.
_YAML = re.compile(r"(?m)^\s*(?:-\s+)?(?:name|any|all|none|regex|keywords|fields)\s*:")
_PATH = "<playground>"
#: Stories looked at before letting the event loop run something else.
_SLICE = 1000


class TrialError(ValueError):
    """Text that is not a usable rule, or bounds exceeded: a one-line message."""


@dataclasses.dataclass(frozen=True)
class TrialMatch:
    """A story the rule matched, and why."""

    story: StoryRow
    score: float
    #: ``test-rule --json``'s verdict: rule, matched, score, reason, hits, breakdown.
    result: dict[str, Any]
    #: What ``test-rule --explain`` prints under it.
    explanation: tuple[str, ...]
    #: Spans of the positive hits, to highlight: field -> [(start, end)].
    spans: dict[str, list[tuple[int, int]]]

    def to_json(self) -> dict[str, Any]:
        """The keys of a ``test-rule --json`` line, plus the story's id, date and heat."""
        return {
            "digest": self.story.origin,
            **self.result,
            "item": story_item(self.story).to_json(),
            "id": self.story.id,
            "date": self.story.date,
            "heat": self.story.sources,
            "url": self.story.url,
            "explain": list(self.explanation),
        }


@dataclasses.dataclass(frozen=True)
class Trial:
    """What a rule would have caught."""

    rule: str
    #: ``expr`` or ``yaml``.
    kind: str
    days: int
    first: str
    last: str
    #: Stories looked at.
    considered: int
    #: Best first, at most the limit asked for.
    matches: list[TrialMatch]
    #: Matches in all (may exceed ``len(matches)``).
    total: int

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: the range, the counts and every match."""
        return {
            "rule": self.rule,
            "kind": self.kind,
            "days": self.days,
            "first": self.first,
            "last": self.last,
            "considered": self.considered,
            "total": self.total,
            "matches": [m.to_json() for m in self.matches],
        }


def read_rule(text: str, config: Config | None) -> tuple[Rule, str]:
    """The rule ``text`` states and its kind (``expr`` or ``yaml``).

    Raises:
        TrialError: too long, or not a rule (the reader's message, one line).
    """
    from notifier.errors import ConfigError

    if len(text) > MAX_TEXT:
        raise TrialError(f"the rule is too long: at most {MAX_TEXT} characters")
    if not text.strip():
        raise TrialError("type a rule expression, e.g. OpenAI +GPT !广告, or a rule in YAML")
    try:
        if _YAML.search(text):
            return _yaml_rule(text, config), "yaml"
        from notifier.rules.expr import parse_expr

        return parse_expr(text.strip(), name="expr"), "expr"
    except ConfigError as exc:
        where = f"line {exc.line}: " if exc.path == _PATH and exc.line else ""
        raise TrialError(_one_line(where + exc.message)) from None


async def try_rule(
    store: Store,
    config: Config | None,
    text: str,
    *,
    days: int = 7,
    now: float | None = None,
    limit: int = 200,
    source: str | None = None,
    cache: StoryCache | None = None,
) -> Trial:
    """Evaluate the rule ``text`` states on the stories of the last ``days`` days (today
    counts; in the config's delivery time zone), of ``source`` only if given. ``cache``
    keeps the stories and their folded text between calls (the page's).

    Raises:
        TrialError: a bad rule, a refused regex, ``days`` outside 1..90, text too long.
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise TrialError(f"days must be a whole number from 1 to {MAX_DAYS}")
    rule, kind = read_rule(text, config)
    from notifier.engine import Engine

    traditional = bool(config.settings.fold_traditional) if config is not None else False
    engine = Engine([rule], traditional=traditional)
    if cache is None or cache.traditional != traditional:
        cache = StoryCache(traditional)
    tz = zone_of(config)
    last = today(tz, time.time() if now is None else now)
    first = last - dt.timedelta(days=days - 1)
    needs = _needs(rule, traditional)
    stories: list[StoryRow] = []
    candidates: list[StoryRow] = []
    day = last
    while day >= first:  # newest day first
        if needs is None:
            rows = await cache.day(store, day, tz)
            candidates += rows
        else:  # only the stories holding a word of each group: the engine would agree
            held = await cache.day_text(store, day, tz, needs[1])
            rows = held.rows
            chosen = set.intersection(*(held.holding(group) for group in needs[0]))
            candidates += [rows[i] for i in sorted(chosen)]
        stories += rows if not source else [s for s in rows if s.source == source]
        day -= dt.timedelta(days=1)
    if source:
        candidates = [s for s in candidates if s.source == source]
    found: list[tuple[float, StoryRow, Result]] = []
    for i, story in enumerate(candidates, 1):
        if i % _SLICE == 0:
            await asyncio.sleep(0)  # let the event loop serve others
        found += [(r.score, story, r) for r in engine.match(story_item(story))]
    found.sort(key=lambda f: (-f[0], -f[1].sources, f[1].id))
    best = [_match(story, r) for _, story, r in found[: max(0, limit)]]
    return Trial(
        rule=rule.name,
        kind=kind,
        days=days,
        first=first.isoformat(),
        last=last.isoformat(),
        considered=len(stories),
        matches=best,
        total=len(found),
    )


def _match(story: StoryRow, r: Result) -> TrialMatch:
    """What is shown of a match (its hits are worked out here, for the shown ones only)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for h in r.hits:
        if h.role != "none" and h.end > h.start:
            spans.setdefault(h.field, []).append((h.start, h.end))
    return TrialMatch(story, r.score, result_json(r), tuple(explain_lines(r)), spans)


def _needs(rule: Rule, traditional: bool) -> tuple[list[list[str]], tuple[str, ...]] | None:
    """What a story's folded text must hold for ``rule`` to match it: one word at least of
    each group (the any-terms together are one group, each all-term one), and the fields
    to look in; ``None`` when nothing can be said. A regex term stands for the literals one
    of which its every match holds (the engine's own prefilter), if it has them."""
    from notifier.engine.regex import compile_regex
    from notifier.folding import fold_text

    def words(term: Term) -> list[str] | None:
        if term.regex:
            found = compile_regex(term.text, traditional=traditional).literals
            return sorted(found) if found else None
        return [fold_text(term.text, traditional=traditional).replace("\x00", "").strip()]

    groups: list[list[str]] = []
    for term in rule.all:
        one = words(term)
        if one is not None:
            groups.append(one)
    if rule.any:
        each = [words(t) for t in rule.any]
        if all(w is not None for w in each):
            groups.append([w for ws in each if ws is not None for w in ws])
    if not groups:
        return None
    fields = {f for t in (*rule.any, *rule.all) for f in (t.fields or rule.fields)}
    return [[w for w in g if w] for g in groups], tuple(sorted(fields))


def _yaml_rule(text: str, config: Config | None) -> Rule:
    """One rule in YAML (a mapping, or a one-item list as under ``rules:``); named
    ``yaml`` when it has no name."""
    from notifier.config._check import Checker
    from notifier.config._nodes import Node, compose
    from notifier.config._problems import Problems
    from notifier.config._rules import RuleContext
    from notifier.config._rules import read_rule as read_yaml_rule
    from notifier.rules.model import DEFAULT_FIELD_WEIGHTS

    problems = Problems()
    node = compose(text, _PATH, problems, environ={})
    if problems:
        raise problems.sorted(_PATH)[0]
    if node is not None and isinstance(node.value, list) and len(node.value) == 1:
        node = node.value[0]
    if node is None or not isinstance(node.value, dict):
        raise TrialError("a YAML rule must be one mapping, e.g. name: x / any: [OpenAI]")
    if "name" not in node.value:
        node.value["name"] = Node("yaml", node.line)
    weights = config.settings.field_weights if config is not None else DEFAULT_FIELD_WEIGHTS
    targets = frozenset(config.channels) if config is not None else frozenset()
    check = Checker(_PATH, problems)
    ctx = RuleContext(check, weights, targets | {"console"})
    if "notify" in node.value:  # where it would go does not change what it catches
        del node.value["notify"]
    rule = read_yaml_rule(node, 0, ctx)
    if problems or rule is None:
        errors = problems.sorted(_PATH)
        raise errors[0] if errors else TrialError("not a usable rule")
    return rule


def _one_line(message: str, limit: int = 300) -> str:
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
