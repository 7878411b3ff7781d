"""Rules compiled for the engine: folded keys, compiled regexes, fields and weights."""

from __future__ import annotations

import dataclasses

from notifier.engine.regex import CompiledRegex, RegexError, compile_regex
from notifier.engine.result import Role
from notifier.errors import ConfigError
from notifier.folding import fold, is_word_char
from notifier.rules.model import DEFAULT_FIELD_WEIGHTS, FIELDS, Rule, Term

#: Rules with more positive or negative literal terms than this are evaluated through
#: a key → terms index instead of a loop over their terms.
BIG_RULE = 48


@dataclasses.dataclass(frozen=True, slots=True)
class CTerm:
    """A compiled term."""

    term: Term
    role: Role
    order: int  # position in the rule (any, all, none order)
    #: The literal's key (``notifier.engine.index``), or None for a regex or a literal
    #: that is empty after folding (which never hits).
    key: str | None
    regex: CompiledRegex | None
    fields: tuple[str, ...]
    fieldset: frozenset[str]
    weight: float
    #: Identity for "a term counts once": its key or its pattern.
    ident: str


@dataclasses.dataclass(slots=True)
class CRule:
    """A compiled rule."""

    rid: int
    rule: Rule
    any_lit: tuple[CTerm, ...]
    all_lit: tuple[CTerm, ...]
    none_lit: tuple[CTerm, ...]
    any_re: tuple[CTerm, ...]
    all_re: tuple[CTerm, ...]
    none_re: tuple[CTerm, ...]
    #: Whether the rule has any-terms (then one of them must hit).
    has_any: bool
    #: Whether it has a positive term at all (a rule without one never matches).
    usable: bool
    field_weight: dict[str, float]
    #: Keys whose hit makes the rule worth evaluating; ``always``: evaluate every item.
    triggers: tuple[str, ...]
    always: bool
    #: Every key the rule references (terms and regex prefilters).
    keys: tuple[str, ...]
    fields: frozenset[str]
    #: Literal terms only, each positive key once, exact weights (the common case):
    #: ``Engine.match`` decides these from term postings (``notifier.engine.plain``)
    #: instead of evaluating them one by one.
    plain: bool = False
    any_index: dict[str, list[CTerm]] | None = None
    none_index: dict[str, list[CTerm]] | None = None


def literal_key(folded: str) -> str:
    """The index key of a folded literal (bounded keys get a ``\\x00`` prefix)."""
    if is_word_char(folded[0]) or is_word_char(folded[-1]):
        return "\x00" + folded
    return folded


class Compiler:
    """Compiles rules, caching folded terms and regexes across rules."""

    def __init__(self, traditional: bool) -> None:
        self.traditional = traditional
        self._keys: dict[str, str] = {}
        self._regexes: dict[str, CompiledRegex] = {}
        self._field_sets: dict[tuple[str, ...], tuple[tuple[str, ...], frozenset[str]]] = {}
        self._weight_sets: dict[tuple[tuple[str, float], ...], dict[str, float]] = {}
        self.warnings: list[str] = []

    def _key(self, text: str) -> str:
        """The index key of a literal term ("" when it is empty after folding)."""
        k = self._keys.get(text)
        if k is None:
            f = fold(text, traditional=self.traditional).text.replace("\x00", "").strip()
            k = literal_key(f) if f else ""
            if len(self._keys) < 1_000_000:
                self._keys[text] = k
        return k

    def _regex(self, rule: Rule, pattern: str) -> CompiledRegex:
        c = self._regexes.get(pattern)
        if c is None:
            try:
                c = compile_regex(pattern, traditional=self.traditional)
            except RegexError as e:
                loc = rule.location
                raise ConfigError(
                    f"rule {rule.name!r}: {e}",
                    loc.path if loc else None,
                    loc.line if loc else None,
                ) from None
            self._regexes[pattern] = c
        return c

    def compile(self, rule: Rule, rid: int) -> CRule:
        """Compile ``rule``; raise :class:`ConfigError` for unknown fields or bad regexes."""
        rule_fields = self._fields(rule, rule.fields)
        lit: dict[Role, list[CTerm]] = {"any": [], "all": [], "none": []}
        rxs: dict[Role, list[CTerm]] = {"any": [], "all": [], "none": []}
        order = 0
        used = set(rule_fields[0])
        roles: tuple[tuple[Role, tuple[Term, ...]], ...] = (
            ("any", rule.any),
            ("all", rule.all),
            ("none", rule.none),
        )
        for role, terms in roles:
            for term in terms:
                fields = rule_fields if term.fields is None else self._fields(rule, term.fields)
                if term.fields is not None:
                    used.update(fields[0])
                ct = self._term(rule, term, role, order, fields)
                (lit if ct.regex is None else rxs)[role].append(ct)
                order += 1
        cr = CRule(
            rid=rid,
            rule=rule,
            any_lit=tuple(lit["any"]),
            all_lit=tuple(lit["all"]),
            none_lit=tuple(lit["none"]),
            any_re=tuple(rxs["any"]),
            all_re=tuple(rxs["all"]),
            none_re=tuple(rxs["none"]),
            has_any=bool(rule.any),
            usable=bool(rule.any or rule.all),
            field_weight=self._weights(rule),
            triggers=(),
            always=False,
            keys=(),
            fields=frozenset(used),
        )
        cr.triggers, cr.always = _triggers(cr)
        cr.plain = _plain(cr)
        keys = [ct.key for ct in (*cr.any_lit, *cr.all_lit, *cr.none_lit) if ct.key is not None]
        for ct in (*cr.any_re, *cr.all_re, *cr.none_re):
            if ct.regex is not None and ct.regex.literals:
                keys.extend(ct.regex.literals)
        cr.keys = tuple(keys)
        if len(cr.any_lit) > BIG_RULE:
            cr.any_index = _index(cr.any_lit)
        if len(cr.none_lit) > BIG_RULE:
            cr.none_index = _index(cr.none_lit)
        return cr

    def _fields(
        self, rule: Rule, fields: tuple[str, ...]
    ) -> tuple[tuple[str, ...], frozenset[str]]:
        """Checked fields, as a tuple and a frozenset (cached: rules share them)."""
        got = self._field_sets.get(fields)
        if got is None:
            _check_fields(rule, fields)
            got = self._field_sets[fields] = (tuple(fields), frozenset(fields))
        return got

    def _weights(self, rule: Rule) -> dict[str, float]:
        """The rule's weight per field (one shared dict per distinct setting)."""
        fw = rule.field_weights
        if fw == DEFAULT_FIELD_WEIGHTS:
            fw = DEFAULT_FIELD_WEIGHTS
        sig = () if fw is DEFAULT_FIELD_WEIGHTS else tuple(sorted(fw.items()))
        got = self._weight_sets.get(sig)
        if got is None:
            got = {f: float(fw.get(f, DEFAULT_FIELD_WEIGHTS.get(f, 1.0))) for f in FIELDS}
            self._weight_sets[sig] = got
        return got

    def _term(
        self,
        rule: Rule,
        term: Term,
        role: Role,
        order: int,
        fields: tuple[tuple[str, ...], frozenset[str]],
    ) -> CTerm:
        ftuple, fset = fields
        w = term.weight
        if term.regex:
            rx = self._regex(rule, term.text)
            return CTerm(term, role, order, None, rx, ftuple, fset, w, "re:" + term.text)
        key = self._key(term.text)
        if not key:
            self.warnings.append(
                f"rule {rule.name!r}: term {term.text!r} is empty after folding; it never hits"
            )
            return CTerm(term, role, order, None, None, ftuple, fset, w, f"empty:{order}")
        return CTerm(term, role, order, key, None, ftuple, fset, w, key)


def _check_fields(rule: Rule, fields: tuple[str, ...]) -> None:
    for f in fields:
        if f not in FIELDS:
            loc = rule.location
            raise ConfigError(
                f"rule {rule.name!r}: unknown field {f!r} (fields: {', '.join(FIELDS)})",
                loc.path if loc else None,
                loc.line if loc else None,
            )


#: A rule decided from postings sums its term values in the order the keys come; that
#: equals the in-order sum of ``keyword_score`` only if every partial sum is exact:
#: values that are multiples of 2**-16 below 2**30, at most 64 of them.
_MAX_PLAIN_TERMS = 64


def _exact(v: float) -> bool:
    return abs(v) < 2.0**30 and v * 65536.0 == int(v * 65536.0)


def _plain(cr: CRule) -> bool:
    """Whether postings can decide the rule exactly as ``Engine._run`` does."""
    if cr.any_re or cr.all_re or cr.none_re or not cr.usable:
        return False
    positive = (*cr.any_lit, *cr.all_lit)
    if len(positive) > _MAX_PLAIN_TERMS or any(t.key is None for t in cr.all_lit):
        return False  # an empty required term: the rule never matches (slow path)
    keys = [t.key for t in positive if t.key is not None]
    if len(set(keys)) != len(keys):
        return False  # a key twice counts once: the slow path dedupes
    fw = cr.field_weight
    return all(_exact(t.weight * fw[f]) for t in positive for f in t.fields)


def _index(terms: tuple[CTerm, ...]) -> dict[str, list[CTerm]]:
    index: dict[str, list[CTerm]] = {}
    for t in terms:
        if t.key is not None:
            index.setdefault(t.key, []).append(t)
    return index


def _triggers(cr: CRule) -> tuple[tuple[str, ...], bool]:
    """Keys one of which must hit for the rule to match (or: evaluate always)."""
    if cr.has_any:
        keys = [t.key for t in cr.any_lit if t.key is not None]
        always = False
        for t in cr.any_re:
            assert t.regex is not None
            if t.regex.literals:
                keys.extend(t.regex.literals)
            else:
                always = True
        return tuple(dict.fromkeys(keys)), always
    if not cr.usable:
        return (), False
    if any(t.key is None for t in cr.all_lit):
        return (), False  # an empty required term never hits
    if cr.all_lit:
        return (max((t.key for t in cr.all_lit if t.key), key=len),), False
    for t in cr.all_re:
        assert t.regex is not None
        if t.regex.literals:
            return tuple(sorted(t.regex.literals)), False
    return (), True
