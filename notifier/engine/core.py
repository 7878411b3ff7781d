"""The engine: every rule against an item, each field scanned once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from typing import cast

from notifier.engine.compile import Compiler, CRule, CTerm
from notifier.engine.hits import fields_hit, keyword_score, lit_hits
from notifier.engine.index import KeyIndex
from notifier.engine.plain import PlainPostings
from notifier.engine.result import ItemView, Result, TermHits
from notifier.engine.scoring import heat
from notifier.folding import fold
from notifier.items import Item
from notifier.rules.model import FIELDS, Rule

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
        #: exclusive label → its rules, in rule order (``Rule.exclusive``)
        self._exclusive: dict[str, list[int]] = {}
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
        if cr.rule.exclusive is not None:
            group = self._exclusive[cr.rule.exclusive]
            group.remove(rid)
            if not group:
                del self._exclusive[cr.rule.exclusive]
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
        if rule.exclusive is not None:
            self._exclusive.setdefault(rule.exclusive, []).append(rid)
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
        cands = set(self._always)
        if self._postings:
            get = self._postings.get
            for keys in st.hits.values():
                cands.update(chain.from_iterable(map(get, keys, repeat(_NO_RULES))))
        if not cands:
            found = [Result(rules[rid], score, view) for rid, score in sorted(plain.items())]
        else:
            out = {rid: Result(rules[rid], s, view) for rid, s in plain.items()}
            for rid in cands:
                cr = self._rules[rid]
                if cr is not None and (r := self._run(cr, st, full=False)) is not None:
                    out[rid] = r
            found = [out[rid] for rid in sorted(out)]
        return _first_of_groups(found) if self._exclusive else found

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
        if self._exclusive:
            self._demote(results, st)
        return results

    def _demote(self, results: list[Result], st: _State) -> None:
        """Unmatch results whose item an earlier rule of their exclusive group took."""
        matched = {self._by_name[r.rule.name]: r.matched for r in results}
        for i, r in enumerate(results):
            label = r.rule.exclusive
            if label is None or not r.matched:
                continue
            rid = self._by_name[r.rule.name]
            for other in self._exclusive[label]:
                if other >= rid:
                    break
                cr = self._rules[other]
                assert cr is not None
                if other not in matched:
                    matched[other] = self._run(cr, st, full=False) is not None
                if matched[other]:
                    results[i] = r.unmatched(
                        f"matched, but the item goes to '{cr.rule.name}' (first_group_only)"
                    )
                    break

    def _scan(self, item: Item) -> _State:
        st = _State(item)
        scan = self._index.scanner()
        folded, hits, trad = st.view.folded, st.hits, self.traditional
        for f in self._scan_fields:
            raw = getattr(item, f)
            if raw:
                fo = folded[f] = fold(raw, traditional=trad)
                hits[f] = scan(fo.text)
        st.kf = st.view.keys = _key_fields(hits)
        return st

    # ------------------------------------------------------------- one rule

    def _run(self, cr: CRule, st: _State, full: bool) -> Result | None:
        """Decide one rule. Without ``full``, stop at the first failed condition and
        return None; regexes run only once the literal conditions hold."""
        kf = st.kf
        none_hits = lit_hits(cr.none_lit, cr.none_index, kf) if cr.none_lit else []
        if none_hits and not full:
            return None
        all_hits: TermHits = []
        missing: CTerm | None = None
        for t in cr.all_lit:
            fs = fields_hit(t, kf)
            if fs:
                all_hits.append((t, fs))
            elif not full:
                return None
            elif missing is None:
                missing = t
        any_hits = lit_hits(cr.any_lit, cr.any_index, kf)
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


def _first_of_groups(results: list[Result]) -> list[Result]:
    """``results`` (rule order) without those an earlier rule of their group took."""
    taken: set[str] = set()
    out: list[Result] = []
    for r in results:
        label = r.rule.exclusive
        if label is not None:
            if label in taken:
                continue
            taken.add(label)
        out.append(r)
    return out


def _key_fields(hits: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """key → fields it was found in (set operations; a loop only over shared keys)."""
    if len(hits) == 2:  # the common case: title and summary
        (f, a), (g, b) = hits.items()
        kf = dict.fromkeys(b, (g,))
        kf.update(dict.fromkeys(a, (f,)))
        if not a.isdisjoint(b):
            kf.update(dict.fromkeys(a & b, (f, g)))
        return kf
    kf = {}
    for f, keys in hits.items():
        if not kf:
            kf = dict.fromkeys(keys, (f,))
            continue
        new = keys - kf.keys()
        for k in keys - new if len(new) != len(keys) else ():
            kf[k] = (*kf[k], f)
        kf.update(dict.fromkeys(new, (f,)))
    return kf
