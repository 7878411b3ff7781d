"""How a matched item is scored.

The formula (copy for the README)::

    score    = keywords × heat

    keywords = Σ  term.weight × field_weight[field]
               over the distinct any- and all-terms that hit; a term counts once, in
               the field where it weighs most; more hits of the same term add nothing;
               none-terms never count.
    heat     = 1 + rank_bonus + points_bonus
    rank_bonus   = 0.02 × max(0, 11 − rank)     rank 1 → +0.20, rank 5 → +0.12,
                                                rank 10 → +0.02, rank ≥ 11 or unknown → 0
    points_bonus = 0.1 × log10(1 + points)      points = item.hotness (e.g. Hacker News
                                                score): 9 → +0.10, 99 → +0.20,
                                                999 → +0.30; unknown → 0

Field weights are the rule's ``field_weights`` (default: title 3, summary 1, source 1,
section 1). An item matches when the any/all/none conditions hold and
``score >= min_score``; ``min_score`` compares against the final score, so heat can
lift a borderline item by at most 20% plus 10% per factor of ten points.

Example: ``OpenAI`` (weight 1) in the title and the summary, ``芯片`` (weight 2) in the
summary only, item ranked 2nd with 151 points:
keywords = 1×3 + 2×1 = 5; heat = 1 + 0.18 + 0.218 = 1.398; score = 6.99.
"""

from __future__ import annotations

import math

from notifier.items import Item

RANK_STEP = 0.02
RANK_HORIZON = 11
POINTS_FACTOR = 0.1


def rank_bonus(rank: int) -> float:
    """Bonus for an early position in the digest (0 when the rank is unknown)."""
    if rank <= 0:
        return 0.0
    return RANK_STEP * max(0, RANK_HORIZON - rank)


def points_bonus(points: int | None) -> float:
    """Bonus for the points the digest states for the item, log-scaled."""
    if not points or points <= 0:
        return 0.0
    return POINTS_FACTOR * math.log10(1 + points)


def heat(item: Item) -> float:
    """The multiplier for an item's position and points."""
    return 1.0 + rank_bonus(item.rank) + points_bonus(item.hotness)


def heat_lines(item: Item) -> list[tuple[str, float]]:
    """Breakdown lines explaining :func:`heat`."""
    lines: list[tuple[str, float]] = []
    rb = rank_bonus(item.rank)
    if rb:
        lines.append((f"rank {item.rank}: 0.02 × (11 − {item.rank})", rb))
    pb = points_bonus(item.hotness)
    if pb:
        lines.append((f"{item.hotness} points: 0.1 × log10(1 + {item.hotness})", pb))
    lines.append(("heat = 1 + bonuses", heat(item)))
    return lines
