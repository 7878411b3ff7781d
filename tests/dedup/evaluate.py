"""Precision and recall of the dedup rule on the labelled corpus pairs (not a test).

Run: ``.venv/bin/python -m tests.dedup.evaluate``. Prints, per SimHash threshold ``d``:
the labelled pairs found (``tests/dedup/pairs.py``), the false merges among all 65,341
corpus pairs, and how often a headline survives a publisher's edit (built from every corpus
title that has a fingerprint). The figures in ``docs/dedup.md`` come from here.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import Any

from notifier.dedup import fingerprint, fingerprint_text, hamming, story_keys, title_units
from notifier.dedup.simhash import MAX_UNITS, MIN_UNITS
from tests.dedup.pairs import (
    AMBIGUOUS,
    DIFFERENT,
    SAME_REPEATED,
    SAME_REWORDED,
    corpus_items,
    lookup,
)

THRESHOLDS = (0, 3, 4, 5, 6, 7, 8, 10, 12, 14)


def _pairs(refs: list) -> set[frozenset[int]]:
    return {frozenset((lookup(a), lookup(b))) for a, b in refs}


def _edits() -> dict[str, Callable[[str], str | None]]:
    def cut(share: float, min_len: int) -> Callable[[str], str | None]:
        return lambda t: t[: int(len(t) * share)] + "…" if len(t) >= min_len else None

    def first_clause(t: str) -> str | None:
        head = re.split(r"[，,：:；;]", t)[0]
        return head if head != t and len(title_units(head)) >= 5 else None

    return {
        "full-width, case, punctuation": lambda t: t.upper().replace("，", ", ") + "！",
        "Traditional characters": _to_traditional,
        "' | Fortune' appended": lambda t: t + " | Fortune",
        "'【IT之家】' prepended": lambda t: "【IT之家】" + t,
        "'RT name:' prepended": lambda t: "RT dotey: " + t,
        "cut to 70% + '…' (≥40 chars)": cut(0.7, 40),
        "cut to 50% + '…' (≥60 chars)": cut(0.5, 60),
        "only the first clause": first_clause,
    }


@functools.cache
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def _to_traditional(text: str) -> str:
    return str(_s2t().convert(text))


def _sentence_tail() -> None:
    """Distances between the distinct sentences of all titles and summaries: a larger
    same-domain sample of "different text" than the titles alone."""
    texts: dict[str, str] = {}
    for item in corpus_items():
        for part in re.split(r"[。！？!?\n]|\. ", item.title + "\n" + item.summary):
            units = title_units(part)[:MAX_UNITS]
            if len(units) >= MIN_UNITS:
                texts.setdefault(" ".join(units), part)
    keys = sorted(texts)
    fps = [fingerprint_text(texts[k]) or 0 for k in keys]
    close: list[tuple[int, str, str]] = []
    n = len(keys)
    for a in range(n):
        for b in range(a + 1, n):
            d = hamming(fps[a], fps[b])
            # a sentence cut short elsewhere is the same text, not a different one
            if d <= 16 and not (keys[a].startswith(keys[b]) or keys[b].startswith(keys[a])):
                close.append((d, texts[keys[a]], texts[keys[b]]))
    pairs = n * (n - 1) // 2
    print(f"\n{n} distinct sentences, {pairs:,} pairs; pairs within d (cumulative):")
    print("  " + ", ".join(f"{d}: {sum(x[0] <= d for x in close)}" for d in range(4, 17)))
    for d, a, b in sorted(close)[:8]:
        print(f"  {d:2d}  {a[:40]!r} ~ {b[:40]!r}")


def main() -> None:
    """Print the tables."""
    items = corpus_items()
    fps = [fingerprint(item) for item in items]
    keys = [set(story_keys(item)) for item in items]
    repeated, reworded = _pairs(SAME_REPEATED), _pairs(SAME_REWORDED)
    different, ambiguous = _pairs(DIFFERENT), _pairs(AMBIGUOUS)
    same = repeated | reworded
    all_pairs = [frozenset(p) for p in itertools.combinations(range(len(items)), 2)]
    by_key = {p for p in all_pairs if keys[min(p)] & keys[max(p)]}
    dist = {}
    for p in all_pairs:
        a, b = sorted(p)
        if fps[a] is not None and fps[b] is not None:
            dist[p] = hamming(fps[a], fps[b])
    print(
        f"items {len(items)}, fingerprinted {sum(f is not None for f in fps)}, "
        f"pairs {len(all_pairs)}, labelled same {len(same)}, different {len(different)}"
    )
    print(
        f"same key: {len(by_key)} pairs, {len(by_key & same)} labelled same, "
        f"{len(by_key - same - ambiguous)} false"
    )
    print()
    print(
        " d | repeated | reworded | labelled different merged | all false merges | "
        "precision | recall"
    )
    for d in THRESHOLDS:
        merged = by_key | {p for p, x in dist.items() if x <= d}
        merged -= ambiguous
        tp = len(merged & same)
        fp = len(merged - same)
        print(
            f"{d:2d} | {len(merged & repeated):4d}/{len(repeated):<3d} | "
            f"{len(merged & reworded):4d}/{len(reworded):<3d} | "
            f"{len(merged & different):12d}/{len(different):<12d} | {fp:16d} | "
            f"{tp / (tp + fp) if tp + fp else 1:9.2f} | {tp / len(same):6.2f}"
        )
    negatives = sorted(x for p, x in dist.items() if p not in same and p not in ambiguous)
    print(
        f"\nclosest different-story pair: {negatives[0]} bits; "
        f"labelled reworded pairs: {sorted(dist[p] for p in reworded if p in dist)} bits"
    )

    print("\nedit | titles | share within d = 0, 3, 6, 8, 10")
    titles = [item.title for item, fp in zip(items, fps, strict=True) if fp is not None]
    for name, edit in _edits().items():
        ds = []
        for title in titles:
            edited = edit(title)
            if edited is None:
                continue
            a, b = fingerprint_text(title), fingerprint_text(edited)
            ds.append(64 if a is None or b is None else hamming(a, b))
        shares = " ".join(f"{sum(x <= d for x in ds) / len(ds):4.2f}" for d in (0, 3, 6, 8, 10))
        print(f"{name:32s} | {len(ds):3d} | {shares}")
    _sentence_tail()


if __name__ == "__main__":
    main()
