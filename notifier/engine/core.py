"""The engine: every rule against an item, each field scanned once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from typing import cast

from notifier.engine.compile import Compiler, CRule, CTerm
from notifier.engine.index import KeyIndex
from notifier.engine.plain import PlainPostings
from notifier.engine.result import Hit, ItemView, Result, ScoredTerm, TermHits
from notifier.engine.scoring import heat
from notifier.items import Item
from notifier.rules.model import FIELDS, Rule
from notifier.text import fold, is_word_char

_NO_RULES: tuple[int, ...] = ()


class _State:
    """One item being matched: the view results keep, and the keys found per field."""

    __slots__ = ("hits", "kf", "view")

    def __init__(self, item: Item) -> None:
        self.view = ItemView(item, heat(item))
        self.hits: dict[str, set[str]] = {}
        self.kf: dict[str, tuple[str, ...]] = {}


class Engine:
    """Matches items against rules; see the package docstring."""

    def __init__(self, rules: Sequence[Rule] = (), *, traditional: bool = False) -> None:
        self.traditional = traditional
        self._compiler = Compiler(traditional)
        self._rules: list[CRule | None] = []
        self._by_name: dict[str, int] = {}
        #: key → rules (not plain) worth evaluating when it hits
        self._postings: dict[str, list[int]] = {}
        #: the plain rules, decided from their term postings
        self._plain = PlainPostings()
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
        if cr.plain:
            self._plain.remove(cr)
        else:
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
        if cr.plain:
            self._plain.add(cr)
        else:
            for key in cr.triggers:
                self._postings.setdefault(key, []).append(rid)
        if cr.always:
            self._always.add(rid)
        self._field_refs.update(cr.fields)
        if not cr.fields.issubset(self._scan_fields):
            self._update_fields()

    def _update_fields(self) -> None:
        self._scan_fields = tuple(f for f in FIELDS if self._field_refs[f] > 0)

    # ------------------------------------------------------------------ matching

    def match(self, item: Item) -> list[Result]:
        """Results of the rules the item matches, in rule order."""
        st = self._scan(item)
        view = st.view
        rules = cast("list[CRule]", self._rules)  # plain and candidate ids are live rules
        plain = self._plain.decide(st.kf, view.heat)
        # Other rules: those a hit key (or nothing: ``always``) makes worth evaluating.
        get = self._postings.get
        cands = set(self._always)
        for keys in st.hits.values():
            cands.update(chain.from_iterable(map(get, keys, repeat(_NO_RULES))))
        if not cands:
            return [Result(rules[rid], score, view) for rid, score in sorted(plain.items())]
        out: dict[int, Result] = {rid: Result(rules[rid], s, view) for rid, s in plain.items()}
        for rid in cands:
            cr = self._rules[rid]
            if cr is not None and (r := self._run(cr, st, full=False)) is not None:
                out[rid] = r
        return [out[rid] for rid in sorted(out)]

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
                st.view.folded[f] = fo
                st.hits[f] = self._index.scan(fo.text)
        st.kf = st.view.keys = _key_fields(st.hits)
        return st

    # ------------------------------------------------------------- one rule

    def _run(self, cr: CRule, st: _State, full: bool) -> Result | None:
        """Decide one rule. Without ``full``, stop at the first failed condition and
        return None; regexes run only once the literal conditions hold."""
        kf = st.kf
        none_hits = _lit_hits(cr.none_lit, cr.none_index, kf) if cr.none_lit else []
        if none_hits and not full:
            return None
        all_hits: TermHits = []
        missing: CTerm | None = None
        for t in cr.all_lit:
            fs = _fields_hit(t, kf)
            if fs:
                all_hits.append((t, fs))
            elif not full:
                return None
            elif missing is None:
                missing = t
        any_hits = _lit_hits(cr.any_lit, cr.any_index, kf)
        if not any_hits and cr.has_any and not cr.any_re and not full:
            return None
        if cr.all_re or cr.none_re or cr.any_re:
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
            if not any_hits and cr.has_any and not full:
                return None

        positive = any_hits + all_hits if all_hits else any_hits
        score = keyword_score(cr.field_weight, positive) * st.view.heat
        min_score = cr.rule.min_score
        if not full:
            if score < min_score or not cr.usable:
                return None
            return Result(cr, score, st.view, positive, positive)
        if not cr.usable or (cr.has_any and not any_hits):
            reason = "no keyword"
        elif missing is not None:
            reason = f"missing required '{missing.term.text}'"
        elif none_hits:
            t, fs = min(none_hits, key=lambda th: th[0].order)
            reason = f"excluded by '{t.term.text}' in {fs[0]}"
        elif score < min_score:
            reason = f"score {score:.3g} < min_score {min_score:g}"
        else:
            reason = "matched"
        found = positive + none_hits
        return Result(cr, score, st.view, found, positive, reason == "matched", reason)

    def _regex_fields(self, t: CTerm, st: _State) -> tuple[str, ...]:
        rx = t.regex
        assert rx is not None
        out: list[str] = []
        cache = st.view.regex
        for f in t.fields:
            hits = st.hits.get(f)
            if hits is None:
                continue  # empty field
            if rx.literals is not None and hits.isdisjoint(rx.literals):
                continue  # prefilter: none of its required literals is there
            ck = (rx.pattern, f)
            if ck not in cache:
                cache[ck] = rx.search(st.view.folded[f].text)
            if cache[ck] is not None:
                out.append(f)
        return tuple(out)


# ----------------------------------------------------------------------- helpers


def _fields_hit(t: CTerm, kf: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Fields where literal term ``t`` hit (its own fields only)."""
    fs = kf.get(t.key)  # type: ignore[arg-type]  # None (empty term) is never a key
    if fs is None:
        return ()
    if t.fieldset.issuperset(fs):
        return fs
    return tuple(f for f in fs if f in t.fieldset)


def _lit_hits(
    terms: tuple[CTerm, ...],
    index: dict[str, list[CTerm]] | None,
    kf: dict[str, tuple[str, ...]],
) -> TermHits:
    """(term, fields) for the literal terms that hit, in rule order."""
    if index is None:
        out: TermHits = []
        get = kf.get
        for t in terms:
            fs = get(t.key)  # type: ignore[arg-type]
            if fs is not None:
                if not t.fieldset.issuperset(fs):
                    fs = tuple(f for f in fs if f in t.fieldset)
                    if not fs:
                        continue
                out.append((t, fs))
        return out
    found = kf.keys() & index.keys()
    cands = sorted((t for k in found for t in index[k]), key=lambda t: t.order)
    return [(t, fs) for t in cands if (fs := _fields_hit(t, kf))]


def _key_fields(hits: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """key → fields it was found in (set operations; a loop only over shared keys)."""
    kf: dict[str, tuple[str, ...]] = {}
    for f, keys in hits.items():
        if not kf:
            kf = dict.fromkeys(keys, (f,))
            continue
        new = keys - kf.keys()
        for k in keys - new if len(new) != len(keys) else ():
            kf[k] = (*kf[k], f)
        kf.update(dict.fromkeys(new, (f,)))
    return kf


def positive_hits(cr: CRule, kf: dict[str, tuple[str, ...]]) -> TermHits:
    """The any- and all-terms of a plain rule that hit (``Result`` computes it lazily)."""
    hits = _lit_hits(cr.any_lit, cr.any_index, kf)
    hits.extend((t, fs) for t in cr.all_lit if (fs := _fields_hit(t, kf)))
    return hits


def keyword_score(fw: dict[str, float], positive: TermHits) -> float:
    """Σ weight × field weight over distinct terms, each at its best field."""
    if len(positive) == 1:
        t, fs = positive[0]
        if len(fs) == 1:
            return t.weight * fw[fs[0]]
        return max(t.weight * fw[f] for f in fs)
    best: dict[str, float] = {}
    for t, fs in positive:
        v = max(t.weight * fw[f] for f in fs)
        prev = best.get(t.ident)
        if prev is None or v > prev:
            best[t.ident] = v
    return sum(best.values())


def score_terms(fw: dict[str, float], positive: TermHits) -> tuple[ScoredTerm, ...]:
    """The terms behind :func:`keyword_score`, same order, same values."""
    best: dict[str, ScoredTerm] = {}
    for t, fs in positive:
        f = fs[0]
        for g in fs[1:]:
            if t.weight * fw[g] > t.weight * fw[f]:
                f = g
        s = ScoredTerm(t.term, f, t.weight, fw[f])
        prev = best.get(t.ident)
        if prev is None or s.weight * s.field_weight > prev.weight * prev.field_weight:
            best[t.ident] = s
    return tuple(best.values())


def make_hit(t: CTerm, f: str, view: ItemView) -> Hit:
    """The :class:`Hit` of term ``t`` in field ``f`` (first occurrence, original offsets)."""
    fo = view.folded[f]
    if t.regex is not None:
        span = view.regex[(t.regex.pattern, f)]
        assert span is not None
        s, e = span
    else:
        assert t.key is not None
        s, e = _find(fo.text, t.key)
    os, oe = fo.span(s, e)
    return Hit(t.term, t.role, f, os, oe, fo.original[os:oe])


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
