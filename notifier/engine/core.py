"""The engine: every rule against an item, each field scanned once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, repeat

from notifier.engine.compile import Compiler, CRule, CTerm
from notifier.engine.index import KeyIndex
from notifier.engine.result import Hit, Result, Role, ScoredTerm
from notifier.engine.scoring import heat
from notifier.items import Item
from notifier.rules.model import FIELDS, Rule
from notifier.text import Folded, fold, is_word_char

_NO_RULES: tuple[int, ...] = ()
_EMPTY: frozenset[str] = frozenset()

# (term, fields where it hit)
_TermHits = list[tuple[CTerm, list[str]]]


class _State:
    """One item being matched: folded fields, keys found, regex results."""

    __slots__ = ("folded", "heat", "hits", "item", "regex")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.folded: dict[str, Folded] = {}
        self.hits: dict[str, set[str]] = {}
        self.regex: dict[tuple[str, str], tuple[int, int] | None] = {}
        self.heat = heat(item)


class Engine:
    """Matches items against rules; see the package docstring."""

    def __init__(self, rules: Sequence[Rule] = (), *, traditional: bool = False) -> None:
        self.traditional = traditional
        self._compiler = Compiler(traditional)
        self._rules: list[CRule | None] = []
        self._by_name: dict[str, int] = {}
        self._postings: dict[str, list[int]] = {}
        self._always: set[int] = set()
        self._index = KeyIndex()
        self._field_refs: Counter[str] = Counter()
        self._scan_fields: tuple[str, ...] = ()
        for rule in rules:
            self._add(rule)
        self._index.rebuild()

    # ------------------------------------------------------------------ rule set

    @property
    def rules(self) -> list[Rule]:
        """The rules, in the order they were added."""
        return [cr.rule for cr in self._rules if cr is not None]

    @property
    def warnings(self) -> list[str]:
        """Problems found while compiling rules (e.g. terms empty after folding)."""
        return self._compiler.warnings

    def __len__(self) -> int:
        return len(self._by_name)

    def add_rule(self, rule: Rule) -> None:
        """Add one rule; the automaton catches up lazily on the next match."""
        self._add(rule)

    def remove_rule(self, name: str) -> Rule:
        """Remove the rule called ``name`` and return it; ``KeyError`` if there is none."""
        rid = self._by_name.pop(name)
        cr = self._rules[rid]
        assert cr is not None
        self._rules[rid] = None
        for key in cr.keys:
            self._index.discard(key)
        for key in cr.triggers:
            rids = self._postings[key]
            rids.remove(rid)
            if not rids:
                del self._postings[key]
        self._always.discard(rid)
        self._field_refs.subtract(cr.fields)
        self._update_fields()
        return cr.rule

    def _add(self, rule: Rule) -> None:
        if rule.name in self._by_name:
            raise ValueError(f"duplicate rule name {rule.name!r}")
        rid = len(self._rules)
        cr = self._compiler.compile(rule, rid)
        self._rules.append(cr)
        self._by_name[rule.name] = rid
        for key in cr.keys:
            self._index.add(key)
        for key in cr.triggers:
            self._postings.setdefault(key, []).append(rid)
        if cr.always:
            self._always.add(rid)
        new = cr.fields - set(self._scan_fields)
        self._field_refs.update(cr.fields)
        if new:
            self._update_fields()

    def _update_fields(self) -> None:
        self._scan_fields = tuple(f for f in FIELDS if self._field_refs[f] > 0)

    # ------------------------------------------------------------------ matching

    def match(self, item: Item) -> list[Result]:
        """Results of the rules the item matches, in rule order."""
        st = self._scan(item)
        get = self._postings.get
        cands = set(self._always)
        for keys in st.hits.values():
            cands.update(chain.from_iterable(map(get, keys, repeat(_NO_RULES))))
        out: list[Result] = []
        rules = self._rules
        for rid in sorted(cands):
            cr = rules[rid]
            if cr is not None:
                r = self._run(cr, st, full=False)
                if r is not None:
                    out.append(r)
        return out

    def evaluate(self, item: Item, rules: Iterable[str] | None = None) -> list[Result]:
        """Results of every rule (or of the named ones, in that order), matched or not."""
        if rules is None:
            crs = [cr for cr in self._rules if cr is not None]
        else:
            crs = []
            for name in rules:
                rid = self._by_name.get(name)
                if rid is None:
                    raise KeyError(f"no rule named {name!r}")
                cr = self._rules[rid]
                assert cr is not None
                crs.append(cr)
        st = self._scan(item)
        results: list[Result] = []
        for cr in crs:
            r = self._run(cr, st, full=True)
            assert r is not None
            results.append(r)
        return results

    def _scan(self, item: Item) -> _State:
        st = _State(item)
        for f in self._scan_fields:
            raw = getattr(item, f) or ""
            if raw:
                fo = fold(raw, traditional=self.traditional)
                st.folded[f] = fo
                st.hits[f] = self._index.scan(fo.text)
        return st

    # ------------------------------------------------------------- one rule

    def _run(self, cr: CRule, st: _State, full: bool) -> Result | None:
        """Decide one rule. Without ``full``, stop at the first failed condition and
        return None; regexes run only once the literal conditions hold."""
        hits = st.hits
        none_hits = _lit_hits(cr.none_lit, cr.none_index, hits)
        if none_hits and not full:
            return None
        all_hits: _TermHits = []
        missing: CTerm | None = None
        for t in cr.all_lit:
            fs = _fields_hit(t, hits)
            if fs:
                all_hits.append((t, fs))
            elif not full:
                return None
            elif missing is None:
                missing = t
        any_hits = _lit_hits(cr.any_lit, cr.any_index, hits)
        if not full and cr.has_any and not any_hits and not cr.any_re:
            return None
        for t in cr.all_re:
            fs = self._regex_fields(t, st)
            if fs:
                all_hits.append((t, fs))
            elif not full:
                return None
            elif missing is None:
                missing = t
        for t in cr.none_re:
            fs = self._regex_fields(t, st)
            if fs:
                if not full:
                    return None
                none_hits.append((t, fs))
        for t in cr.any_re:
            fs = self._regex_fields(t, st)
            if fs:
                any_hits.append((t, fs))
        if not full and cr.has_any and not any_hits:
            return None

        scored = _score_terms(cr, any_hits, all_hits)
        score = sum(s.weight * s.field_weight for s in scored) * st.heat
        min_score = cr.rule.min_score
        if not cr.usable or (cr.has_any and not any_hits):
            reason = "no keyword"
        elif missing is not None:
            reason = f"missing required {missing.term.text!r}"
        elif none_hits:
            none_hits.sort(key=lambda th: th[0].order)
            t, fs = none_hits[0]
            reason = f"excluded by {t.term.text!r} in {fs[0]}"
        elif score < min_score:
            reason = f"score {score:.3g} < min_score {min_score:g}"
        else:
            reason = "matched"
        matched = reason == "matched"
        if not matched and not full:
            return None
        found = sorted(chain(any_hits, all_hits, none_hits), key=lambda th: th[0].order)
        hit_list = tuple(self._hit(t, t.role, f, st) for t, fs in found for f in fs)
        return Result(cr.rule, matched, score, hit_list, reason, scored, st.item)

    def _regex_fields(self, t: CTerm, st: _State) -> list[str]:
        rx = t.regex
        assert rx is not None
        out: list[str] = []
        for f in t.fields:
            hits = st.hits.get(f)
            if hits is None:
                continue  # empty field
            if rx.literals is not None and hits.isdisjoint(rx.literals):
                continue  # prefilter: none of its required literals is there
            ck = (rx.pattern, f)
            if ck not in st.regex:
                st.regex[ck] = rx.search(st.folded[f].text)
            if st.regex[ck] is not None:
                out.append(f)
        return out

    def _hit(self, t: CTerm, role: Role, f: str, st: _State) -> Hit:
        fo = st.folded[f]
        if t.regex is not None:
            span = st.regex[(t.regex.pattern, f)]
            assert span is not None
            s, e = span
        else:
            assert t.key is not None
            s, e = _find(fo.text, t.key)
        os, oe = fo.span(s, e)
        return Hit(t.term, role, f, os, oe, fo.original[os:oe])


# ----------------------------------------------------------------------- helpers


def _fields_hit(t: CTerm, hits: dict[str, set[str]]) -> list[str]:
    key = t.key
    if key is None:
        return []
    return [f for f in t.fields if key in hits.get(f, _EMPTY)]


def _lit_hits(
    terms: tuple[CTerm, ...], index: dict[str, list[CTerm]] | None, hits: dict[str, set[str]]
) -> _TermHits:
    """(term, fields) for the literal terms that hit, in rule order."""
    if index is None:
        out: _TermHits = []
        for t in terms:
            if t.key is not None:
                fs = [f for f in t.fields if t.key in hits.get(f, _EMPTY)]
                if fs:
                    out.append((t, fs))
        return out
    found: set[str] = set()
    for keys in hits.values():
        found.update(k for k in keys if k in index)
    cands = sorted((t for k in found for t in index[k]), key=lambda t: t.order)
    return [(t, fs) for t in cands if (fs := _fields_hit(t, hits))]


def _score_terms(cr: CRule, any_hits: _TermHits, all_hits: _TermHits) -> tuple[ScoredTerm, ...]:
    """Each distinct positive term once, at the field where it weighs most."""
    best: dict[str, ScoredTerm] = {}
    fw = cr.field_weight
    for t, fs in sorted(chain(any_hits, all_hits), key=lambda th: th[0].order):
        f = max(fs, key=lambda x: t.weight * fw[x])
        s = ScoredTerm(t.term, f, t.weight, fw[f])
        prev = best.get(t.ident)
        if prev is None or s.weight * s.field_weight > prev.weight * prev.field_weight:
            best[t.ident] = s
    return tuple(best.values())


def _find(text: str, key: str) -> tuple[int, int]:
    """First occurrence of a key in folded text, boundaries checked for bounded keys."""
    if key[0] != "\x00":
        i = text.find(key)
        return i, i + len(key)
    lit = key[1:]
    left, right = is_word_char(lit[0]), is_word_char(lit[-1])
    n = len(lit)
    i = text.find(lit)
    while i >= 0:
        if (not left or i == 0 or not is_word_char(text[i - 1])) and (
            not right or i + n >= len(text) or not is_word_char(text[i + n])
        ):
            return i, i + n
        i = text.find(lit, i + 1)
    raise AssertionError(f"key {lit!r} reported but not found")
