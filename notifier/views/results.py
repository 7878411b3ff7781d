"""An engine :class:`~notifier.engine.Result` as ``notifier test-rule`` shows it: JSON
(``--json``), explanation lines (``--explain``) and highlight spans. Shared by the command,
the playground and the day page, so that they say the same thing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from notifier.engine import Hit, Result


def hit_json(h: Hit) -> dict[str, Any]:
    """One hit: the term, its role, the field and the span found."""
    return {
        "term": h.term.text,
        "role": h.role,
        "field": h.field,
        "start": h.start,
        "end": h.end,
        "text": h.text,
    }


def result_json(
    r: Result, *, matched: bool | None = None, reason: str | None = None
) -> dict[str, Any]:
    """The verdict as ``test-rule --json`` writes it (``matched``/``reason`` override the
    result's own, e.g. for a match over its rule's cap)."""
    return {
        "rule": r.rule.name,
        "matched": r.matched if matched is None else matched,
        "score": round(r.score, 4),
        "reason": r.reason if reason is None else reason,
        "hits": [hit_json(h) for h in r.hits],
        "breakdown": [[label, value] for label, value in r.breakdown],
    }


def explain_lines(r: Result) -> list[str]:
    """What ``test-rule --explain`` prints under a result: each hit, then the score."""
    lines = []
    for h in r.hits:
        where = f"{h.field}[{h.start}:{h.end}]"
        lines.append(f"{h.role:<4}  {h.term.text!r} in {where} = {h.text!r}")
    for label, value in r.breakdown:
        shown = f"{value:.4g}" if isinstance(value, float) else value
        lines.append(f"{label}: {shown}")
    return lines


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-empty spans with overlapping and touching ones merged."""
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def field_spans(hits: Sequence[Hit], field: str) -> list[tuple[int, int]]:
    """The merged spans of the positive hits (any/all) in ``field``, to highlight."""
    return merge_spans((h.start, h.end) for h in hits if h.field == field and h.role != "none")
