"""Read one entry of ``rules:`` into a :class:`Rule`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from notifier.config._check import Checker
from notifier.config._nodes import Node
from notifier.config._problems import suggest
from notifier.rules.expr import ExprError, parse_terms
from notifier.rules.model import Location, Rule, Term

RULE_KEYS = (
    "name",
    "any",
    "all",
    "none",
    "regex",
    "keywords",
    "fields",
    "weights",
    "min_score",
    "tags",
    "notify",
    "max_items",
    "delivery",
)
TERM_KEYS = ("term", "pattern", "weight", "fields")
#: A rule's ``delivery:`` overrides its targets' mode for its matches.
DELIVERY_MODES = ("instant", "digest")


@dataclasses.dataclass(slots=True)
class RuleContext:
    """What reading a rule needs from the rest of the config."""

    check: Checker
    field_weights: Mapping[str, float]
    targets: frozenset[str]


def read_rule(node: Node, index: int, ctx: RuleContext) -> Rule | None:
    """Return the rule of ``rules[index]``, or ``None`` after reporting its problems."""
    check = ctx.check
    values = check.mapping(node, f"rules[{index}]")
    if values is None:
        return None
    check.known_keys(node, RULE_KEYS)
    errors_before = len(check.problems.errors)
    name = None
    if "name" in values:
        name = check.string(values["name"], "name")
    else:
        check.error(node.line, "rule has no name: (give it one, e.g. name: openai)")
    label = f"rule {name!r}" if name and not values["name"].env else "rule"

    terms: dict[str, list[Term]] = {"any": [], "all": [], "none": []}
    before_terms = len(check.problems.errors)
    for role in ("any", "all", "none"):
        if role in values:
            terms[role] += _terms(values[role], role, ctx, regex=False)
    if "regex" in values:
        terms["any"] += _terms(values["regex"], "regex", ctx, regex=True)
    if "keywords" in values:
        _keywords(values["keywords"], ctx, terms)
    terms_ok = len(check.problems.errors) == before_terms and not any(
        values[k].broken for k in ("any", "all", "none", "regex", "keywords") if k in values
    )

    kwargs: dict[str, object] = {}
    if "fields" in values:
        kwargs["fields"] = check.fields(values["fields"], "fields")
    kwargs["field_weights"] = dict(ctx.field_weights)
    if "weights" in values:
        kwargs["field_weights"] = check.weights(values["weights"], "weights", ctx.field_weights)
    if "min_score" in values and values["min_score"].value is not None:
        kwargs["min_score"] = check.number(values["min_score"], "min_score", positive=False)
    if "tags" in values:
        kwargs["tags"] = check.strings(values["tags"], "tags", single=True)
    if "notify" in values:
        kwargs["notify"] = read_notify(values["notify"], ctx)
    if "max_items" in values and values["max_items"].value is not None:
        kwargs["max_items"] = check.count(values["max_items"], "max_items")
    if "delivery" in values and values["delivery"].value is not None:
        kwargs["delivery"] = check.choice(values["delivery"], "delivery", DELIVERY_MODES)

    if terms_ok and not terms["any"] and not terms["all"]:
        if terms["none"]:
            msg = f"{label} only excludes: add any:, all:, regex: or keywords: to look for"
        else:
            msg = f"{label} has no terms: give any:, all:, regex: or keywords:"
        check.error(node.line, msg)
    if name is None or len(check.problems.errors) > errors_before or _broken(values):
        return None
    return Rule(
        name=name,
        any=tuple(terms["any"]),
        all=tuple(terms["all"]),
        none=tuple(terms["none"]),
        location=Location(check.path, node.line),
        **kwargs,  # type: ignore[arg-type]
    )


def read_notify(node: Node, ctx: RuleContext) -> tuple[str, ...] | None:
    """Return notify targets, each declared under ``channels:``."""
    check = ctx.check
    names = check.strings(node, "notify", single=True)
    if names is None:
        return None
    if not names:
        check.error(node.line, "notify: give at least one target, e.g. [console]")
        return None
    items = check.items(node, "notify", single=True) or []
    bad = False
    for item, target in zip(items, names, strict=True):
        if target not in ctx.targets:
            known = ", ".join(sorted(ctx.targets))
            hint = "" if item.env else suggest(target, ctx.targets)
            check.error(
                item.line,
                f"notify: {item.show()} is not a declared channel{hint}; channels: {known}",
            )
            bad = True
    return None if bad else names


def _terms(node: Node, key: str, ctx: RuleContext, *, regex: bool) -> list[Term]:
    items = ctx.check.items(node, key)
    out: list[Term] = []
    for item in items or []:
        term = _term(item, key, ctx.check, regex=regex)
        if term is not None:
            out.append(term)
    return out


def _term(node: Node, key: str, check: Checker, *, regex: bool) -> Term | None:
    """Read ``word`` or ``{term: word | pattern: re, weight: 2, fields: [title]}``."""
    if not isinstance(node.value, dict):
        text = check.string(node, key)
        if text is None or (regex and not _compiles(node, key, check)):
            return None
        return Term(text, regex=regex)
    allowed = ("pattern", "weight", "fields") if regex else TERM_KEYS
    check.known_keys(node, allowed, noun="key")
    values = node.value
    given = [k for k in ("term", "pattern") if k in values and k in allowed]
    if len(given) != 1:
        need = "pattern:" if regex else "term: (a word) or pattern: (a regex)"
        check.error(node.line, f"{key}: each mapping needs exactly one {need}")
        return None
    text = check.string(values[given[0]], f"{key}.{given[0]}")
    is_regex = given[0] == "pattern"
    if text is None or (is_regex and not _compiles(values[given[0]], key, check)):
        return None
    weight: float | None = 1.0
    if "weight" in values:
        weight = check.number(values["weight"], f"{key}.weight", positive=True)
    fields = None
    if "fields" in values:
        fields = check.fields(values["fields"], f"{key}.fields")
        if fields is None:
            return None
    if weight is None:
        return None
    return Term(text, regex=is_regex, weight=weight, fields=fields)


def _compiles(node: Node, key: str, check: Checker) -> bool:
    """The engine's own check (compiles, and cannot backtrack catastrophically): what
    `notifier check` accepts, the engine runs."""
    from notifier.engine.regex import RegexError, compile_regex

    try:
        compile_regex(node.value)
    except RegexError as exc:
        # A pattern from ${VAR} is shown as written; a position would tell its length.
        why = str(exc).replace(repr(node.value), node.show()).removeprefix("regex ")
        if node.env:
            why = why.split(" at position ")[0]
        check.fail(node, f"{key}: {why}")
        return False
    return True


def _keywords(node: Node, ctx: RuleContext, terms: dict[str, list[Term]]) -> None:
    check = ctx.check
    text = check.string(node, "keywords")
    if text is None:
        return
    try:
        parsed = parse_terms(text, location=Location(check.path, node.line))
    except ExprError as exc:
        check.fail(node, f"keywords: {exc.message}")
        return
    terms["any"] += parsed.any
    terms["all"] += parsed.all
    terms["none"] += parsed.none


def _broken(values: Mapping[str, Node]) -> bool:
    """Whether a value's ``${VAR}`` failed (reported already; the rule is not usable)."""
    return any(n.broken for n in values.values())
