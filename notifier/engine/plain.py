"""Plain rules decided from term postings, without evaluating them one by one.

A rule is *plain* (``CRule.plain``) when its terms are literals, no positive key
occurs twice and its term values (weight × field weight) are exact in binary (see
``compile._plain``): then its verdict follows from sums and counts over the keys an
item hit, in any order, bit for bit as ``Engine._run`` computes it. Most rules are
plain. The postings hold, per key and role, groups ``(values, rule ids)``: the rules
whose term has that key and the same *values* (weight, own fields, field weights).
``values[fields hit]`` is the term's value (``weight × field weight`` at its best own
field) or None when none of its own fields hit; it is computed once per distinct
combination and cached, since every term with the same weight, fields and field
weights shares one :class:`Values`.

Per item the work is one dict update per (key hit, plain rule with that key) and one
check per candidate rule; see :meth:`PlainPostings.decide`.
"""

from __future__ import annotations

from notifier.engine.compile import CRule, CTerm

#: (values, rule ids): one group of postings of a key
Group = tuple["Values", list[int]]


class Values(dict[tuple[str, ...], float | None]):
    """Fields a key hit in → a term's value there (None: not in its own fields)."""

    __slots__ = ("_fields", "_fw", "_weight")

    def __init__(self, weight: float, fields: frozenset[str], fw: dict[str, float]) -> None:
        super().__init__()
        self._weight = weight
        self._fields = fields
        self._fw = fw

    def __missing__(self, fs: tuple[str, ...]) -> float | None:
        own = [self._weight * self._fw[f] for f in fs if f in self._fields]
        v = self[fs] = max(own) if own else None
        return v


class PlainPostings:
    """key → groups of plain rules, per role; :meth:`decide` gives their verdicts."""

    def __init__(self) -> None:
        self.any: dict[str, list[Group]] = {}
        self.all: dict[str, list[Group]] = {}
        self.none: dict[str, list[Group]] = {}
        #: rule id → (required terms, has any-terms, min_score); None: not plain
        self.spec: list[tuple[int, bool, float] | None] = []
        self._values: dict[tuple[object, ...], Values] = {}
        self._specs: dict[tuple[int, bool, float], tuple[int, bool, float]] = {}

    def _groups(self, cr: CRule) -> list[tuple[dict[str, list[Group]], CTerm]]:
        terms = ((self.any, cr.any_lit), (self.all, cr.all_lit), (self.none, cr.none_lit))
        return [(post, t) for post, ts in terms for t in ts if t.key is not None]

    def _vals(self, t: CTerm, fw: dict[str, float]) -> Values:
        sig = (t.weight, t.fieldset, id(fw))  # field-weight dicts are shared per setting
        v = self._values.get(sig)
        if v is None:
            v = self._values[sig] = Values(t.weight, t.fieldset, fw)
        return v

    def add(self, cr: CRule) -> None:
        """Post rule ``cr`` (plain) under its keys."""
        self.spec.extend([None] * (cr.rid + 1 - len(self.spec)))
        spec = (len(cr.all_lit), cr.has_any, cr.rule.min_score)
        self.spec[cr.rid] = self._specs.setdefault(spec, spec)  # shared: stays in cache
        for post, t in self._groups(cr):
            assert t.key is not None
            vals = self._vals(t, cr.field_weight)
            groups = post.setdefault(t.key, [])
            for g in groups:
                if g[0] is vals:
                    g[1].append(cr.rid)
                    break
            else:
                groups.append((vals, [cr.rid]))

    def remove(self, cr: CRule) -> None:
        """Undo :meth:`add`."""
        self.spec[cr.rid] = None
        for post, t in self._groups(cr):
            assert t.key is not None
            groups = post[t.key]
            for g in groups:
                if cr.rid in g[1]:
                    g[1].remove(cr.rid)
            groups[:] = [g for g in groups if g[1]]
            if not groups:
                del post[t.key]

    def decide(self, kf: dict[str, tuple[str, ...]], heat: float) -> dict[int, float]:
        """rule id → score of the plain rules the item matches, given key → fields hit."""
        acc: dict[int, float] = {}  # rule → Σ any-term values (the rules an any-term hit)
        get = acc.get
        post = self.any
        for k in kf.keys() & post.keys():
            fs = kf[k]
            for vals, rids in post[k]:
                v = vals[fs]
                if v is not None:
                    for rid in rids:
                        acc[rid] = get(rid, 0.0) + v
        req: dict[int, float] = {}  # rule → Σ all-term values
        n_req: dict[int, int] = {}  # rule → required terms that hit
        if self.all:
            post = self.all
            for k in kf.keys() & post.keys():
                fs = kf[k]
                for vals, rids in post[k]:
                    v = vals[fs]
                    if v is not None:
                        for rid in rids:
                            req[rid] = req.get(rid, 0.0) + v
                            n_req[rid] = n_req.get(rid, 0) + 1
        veto: set[int] = set()
        if self.none:
            post = self.none
            for k in kf.keys() & post.keys():
                fs = kf[k]
                for vals, rids in post[k]:
                    if vals[fs] is not None:
                        veto.update(rids)
        spec = self.spec
        out: dict[int, float] = {}
        for rid, kw in acc.items():
            n_all, _, min_score = spec[rid]  # type: ignore[misc]
            if n_all:
                if n_req.get(rid) != n_all:
                    continue
                kw += req[rid]
            if veto and rid in veto:
                continue
            score = kw * heat
            if score >= min_score:
                out[rid] = score
        for rid, n in n_req.items():  # rules with only required terms
            n_all, has_any, min_score = spec[rid]  # type: ignore[misc]
            if has_any or n != n_all or (veto and rid in veto):
                continue
            score = req[rid] * heat
            if score >= min_score:
                out[rid] = score
        return out
