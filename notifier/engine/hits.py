"""Which terms of a rule hit, the score they make, and where they are in the original.

Shared by the engine (``Engine._run``) and by :class:`~notifier.engine.result.Result`,
which works out the hits and the score's terms of a match only when asked.
"""

from __future__ import annotations

from notifier.engine.compile import CRule, CTerm
from notifier.engine.result import Hit, ItemView, ScoredTerm, TermHits
from notifier.folding import ends_word, is_word_char, right_bound


def fields_hit(t: CTerm, kf: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Fields where literal term ``t`` hit (its own fields only)."""
    fs = kf.get(t.key)  # type: ignore[arg-type]  # None (empty term) is never a key
    if fs is None:
        return ()
    if t.fieldset.issuperset(fs):
        return fs
    return tuple(f for f in fs if f in t.fieldset)


def lit_hits(
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
    return [(t, fs) for t in cands if (fs := fields_hit(t, kf))]


def positive_hits(cr: CRule, kf: dict[str, tuple[str, ...]]) -> TermHits:
    """The any- and all-terms of a plain rule that hit (``Result`` computes it lazily)."""
    hits = lit_hits(cr.any_lit, cr.any_index, kf)
    hits.extend((t, fs) for t in cr.all_lit if (fs := fields_hit(t, kf)))
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
    left, right = is_word_char(lit[0]), right_bound(lit[-1])
    n = len(lit)
    i = text.find(lit)
    while i >= 0:
        if (not left or i == 0 or not is_word_char(text[i - 1])) and ends_word(right, text, i + n):
            return i, i + n
        i = text.find(lit, i + 1)
    raise AssertionError(f"key {lit!r} reported but not found")
