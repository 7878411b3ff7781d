"""Throughput of the matching engine against a naive baseline.

    python bench/match.py              # 10 / 1,000 / 10,000 / 100,000 rules
    python bench/match.py --quick      # the same, shorter timings and baseline samples
    python bench/match.py --vocab all  # rules drawn from the very items they run on
    python bench/match.py --compare    # Aho-Corasick libraries, Traditional→Simplified

Workload. Items are the digests of ../shared/corpus (read with ``notifier.parse``
when available, else a crude splitter). Rules are generated with a fixed seed from the
corpus vocabulary: Latin words and CJK 2-4-grams (``bench/_corpus.py``); each rule has
1-5 any-terms, one in five a ``+required`` term and one in five a ``!excluded`` term.
By default (``--vocab holdout``) the vocabulary comes from the even-numbered digests and
the rules run on the items of the odd-numbered ones, as rules are written before the
news they catch; ``--vocab all`` draws both from every digest (every rule then matches
at least one of the 362 items, so matches per item grow as rules / 362).

"of which fold + scan" is the floor under ``match``: folding the fields and scanning
them with the automata (``Engine._scan``), no work per rule. The extra "titles only"
rows (``--titles``, default 10,000) run the same rules on the same items with the
summaries dropped: short items, as in digests that only list headlines. The
"fold_traditional" rows (``--traditional``, default 10,000) fold Traditional to
Simplified as well, as rules.yaml does by default.

Baseline: TrendRadar's approach, for each rule and each keyword ``keyword in text`` on
the lower-cased title + summary (keywords lower-cased in advance). At large rule counts
it runs on a sample of the items (the table says how many).

After building the engine the bench calls ``gc.freeze()``, as a long-running process
should: 100,000 rules are millions of objects that every full garbage collection would
otherwise walk again (at 10,000 rules this costs ~40 % of the throughput; measure it
with ``--no-freeze``).

Each rule count runs in a fresh process so that peak RSS is its own. Times are CPU
time of that one process (``time.process_time``: the engine is single-threaded, and the
figures stay meaningful on a busy machine); µs/item is per item, all rules.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _corpus import load_digests, make_rules, vocabulary

from notifier.engine.index import Shard
from notifier.items import Item
from notifier.rules.model import Rule

SIZES = (10, 1_000, 10_000, 100_000)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _rate(run: Callable[[Sequence[Item]], object], items: Sequence[Item], seconds: float) -> float:
    """Items per second: best of three rounds of at least ``seconds / 3`` each."""
    best = 0.0
    for _ in range(3):
        n = 0
        t0 = time.process_time()
        while True:
            run(items)
            n += len(items)
            dt = time.process_time() - t0
            if dt >= seconds / 3:
                break
        best = max(best, n / dt)
    return best


def _workload(vocab_mode: str, titles_only: bool = False) -> tuple[list[str], list[Item], str]:
    digests, reader = load_digests()
    if vocab_mode == "all":
        items = [i for d in digests for i in d]
        vocab = vocabulary(items)
    else:
        vocab = vocabulary([i for d in digests[0::2] for i in d])
        items = [i for d in digests[1::2] for i in d]
    if titles_only:
        items = [dataclasses.replace(i, summary="") for i in items]
    return vocab, items, reader


class Baseline:
    """For each rule, for each keyword: ``keyword in text`` (TrendRadar)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = [
            (
                r.name,
                [t.text.lower() for t in r.any],
                [t.text.lower() for t in r.all],
                [t.text.lower() for t in r.none],
            )
            for r in rules
        ]

    def match(self, item: Item) -> list[str]:
        text = f"{item.title} {item.summary}".lower()
        out: list[str] = []
        for name, any_, all_, none in self.rules:
            if any(w in text for w in none):
                continue
            if not all(w in text for w in all_):
                continue
            if any_ and not any(w in text for w in any_):
                continue
            out.append(name)
        return out


def run_one(
    n: int,
    quick: bool,
    vocab_mode: str,
    freeze: bool,
    titles_only: bool = False,
    traditional: bool = False,
) -> dict[str, object]:
    """Build and time one rule count (meant to run in its own process)."""
    from notifier.engine import Engine
    from notifier.folding import fold

    vocab, items, reader = _workload(vocab_mode, titles_only)
    rules = make_rules(n, vocab)
    # One-time lazy setup of the folding tables (~0.1 s; OpenCC ~10 ms), not the build.
    fold("é 軟體", traditional=traditional)
    gc.collect()
    rss0 = _rss_mb()
    t0 = time.process_time()
    engine = Engine(rules, traditional=traditional)
    build = time.process_time() - t0
    gc.collect()
    rss_build = _rss_mb() - rss0

    if freeze:
        gc.freeze()  # what a long-running process should do once its engine is built
    matches = sum(len(engine.match(i)) for i in items) / len(items)
    seconds = 1.0 if quick else 3.0
    eng_rate = _rate(lambda its: [engine.match(i) for i in its], items, seconds)
    # The floor under match(): folding the fields and scanning them, nothing per rule.
    scan_rate = _rate(lambda its: [engine._scan(i) for i in its], items, seconds / 2)

    base = Baseline(rules)
    budget = 0.02 if quick else 0.1  # seconds of baseline work per item count
    sample = max(5, min(len(items), int(budget * 2e6 / max(1, n))))
    b_items = items[:sample]
    base_matches = sum(len(base.match(i)) for i in b_items) / len(b_items)
    base_rate = _rate(lambda its: [base.match(i) for i in its], b_items, seconds / 2)
    return {
        "rules": n,
        "workload": "titles only" if titles_only else "fold_traditional" if traditional else "",
        "terms": sum(len(r.terms) for r in rules),
        "keys": len(engine._index),
        "items": len(items),
        "reader": reader,
        "build_s": build,
        "rss_build_mb": rss_build,
        "peak_rss_mb": _peak_rss_mb(),
        "engine_items_s": eng_rate,
        "scan_us": 1e6 / scan_rate,
        "matches_per_item": matches,
        "baseline_items_s": base_rate,
        "baseline_sample": sample,
        "baseline_matches_per_item": base_matches,
    }


def _table(rows: list[dict[str, object]]) -> str:
    head = (
        "| rules | terms | build | build RSS Δ | peak RSS | engine items/s | µs/item "
        "| of which fold + scan | baseline items/s (sample) | engine ÷ baseline "
        "| matched rules/item |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for r in rows:
        e, b = float(r["engine_items_s"]), float(r["baseline_items_s"])  # type: ignore[arg-type]
        lines.append(
            f"| {r['rules']:,}{' ' + str(r['workload']) if r.get('workload') else ''} "
            f"| {r['terms']:,} | {float(r['build_s']):.2f} s "  # type: ignore[arg-type]
            f"| {float(r['rss_build_mb']):.0f} MB | {float(r['peak_rss_mb']):.0f} MB "  # type: ignore[arg-type]
            f"| {e:,.0f} | {1e6 / e:,.1f} | {float(r['scan_us']):,.1f} "  # type: ignore[arg-type]
            f"| {b:,.0f} ({r['baseline_sample']}) "
            f"| {e / b:,.0f}× | {float(r['matches_per_item']):.1f} |"  # type: ignore[arg-type]
        )
    return head + "\n".join(lines)


def main_bench(
    quick: bool,
    vocab_mode: str,
    sizes: Sequence[int],
    freeze: bool,
    titles: Sequence[int],
    traditional: Sequence[int] = (),
) -> None:
    rows: list[dict[str, object]] = []
    runs = [(n, "") for n in sizes]
    runs += [(n, "--titles-only") for n in titles]
    runs += [(n, "--fold-traditional") for n in traditional]
    for n, variant in runs:
        cmd = [sys.executable, __file__, "--one", str(n), "--vocab", vocab_mode]
        if quick:
            cmd.append("--quick")
        if not freeze:
            cmd.append("--no-freeze")
        if variant:
            cmd.append(variant)
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        r = rows[-1]
        print(
            f"  {n:>7,} rules{f' ({variant[2:]})' if variant else ''}: "
            f"{float(r['engine_items_s']):>9,.0f} items/s "  # type: ignore[arg-type]
            f"(baseline {float(r['baseline_items_s']):,.0f})",  # type: ignore[arg-type]
            file=sys.stderr,
        )
    first = rows[0]
    print(
        f"Corpus: {first['items']} items ({first['reader']}), vocabulary: {vocab_mode}; "
        f"Python {sys.version.split()[0]}, one core, CPU time; "
        f"gc.freeze() after the build: {'yes' if freeze else 'no'}.\n"
    )
    print(_table(rows))


# ------------------------------------------------------------------ --compare


def compare() -> None:
    """Aho-Corasick libraries and Traditional→Simplified converters on the corpus."""
    import random

    from notifier.engine.compile import literal_key
    from notifier.engine.index import BACKENDS
    from notifier.folding import fold

    digests, _ = load_digests()
    items = [i for d in digests for i in d]
    texts = [(fold(i.title).text, fold(i.summary).text) for i in items]
    vocab = vocabulary(items)
    rng = random.Random(7)
    print("| keys | library | build | RSS Δ | scan µs/item | keys hit/item |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in (3_000, 30_000, 300_000):
        words = rng.sample(vocab, min(n, len(vocab)))
        while len(words) < n:  # beyond the vocabulary: pairs of words
            words.append(rng.choice(vocab) + rng.choice(vocab))
        keys = sorted({literal_key(f) for w in words if (f := fold(w).text)})
        for name in ("py", "rs"):
            gc.collect()
            rss0 = _rss_mb()
            t0 = time.process_time()
            shard = BACKENDS[name](keys)
            build = time.process_time() - t0
            gc.collect()
            rss = _rss_mb() - rss0
            hits = sum(len(shard.scan(a)) + len(shard.scan(b)) for a, b in texts) / len(texts)

            rate = _rate(_scan_all(shard, texts), [items[0]], 1.0)  # passes over texts/s
            us = 1e6 / rate / len(texts)
            lib = {"py": "pyahocorasick", "rs": "ahocorasick-rs"}[name]
            print(
                f"| {len(keys):,} | {lib} | {build:.3f} s | {rss:.1f} MB | {us:.1f} | {hits:.1f} |"
            )
            del shard
    _compare_t2s(items)


def _scan_all(shard: Shard, texts: list[tuple[str, str]]) -> Callable[[Sequence[Item]], None]:
    def run(_: Sequence[Item]) -> None:
        for a, b in texts:
            shard.scan(a)
            shard.scan(b)

    return run


def _compare_t2s(items: list[Item]) -> None:
    import opencc
    import zhconv  # type: ignore[import-untyped]

    from notifier.folding import fold

    fields = [t for i in items for t in (i.title, i.summary) if t]
    samples = ["輝達", "英偉達", "軟體", "伺服器", "核心文件", "程序"]

    def t2s(s: str) -> str:
        return opencc.OpenCC("t2s").convert(s)  # type: ignore[no-any-return]

    cc_t2s, cc_tw = opencc.OpenCC("t2s"), opencc.OpenCC("tw2sp")
    convs: dict[str, Callable[[str], str]] = {
        "zhconv zh-cn": lambda s: zhconv.convert(s, "zh-cn"),
        "opencc tw2sp": cc_tw.convert,
        "opencc t2s": cc_t2s.convert,
        "notifier fold (for reference)": lambda s: fold(s).text,
        "notifier fold(traditional=True)": lambda s: fold(s, traditional=True).text,
    }
    print(f"\n| converter | µs/item | fields changed (of {len(fields)}) | {' | '.join(samples)} |")
    print("|---|---:|---:|" + "---|" * len(samples))
    for name, conv in convs.items():
        conv("預熱")
        base = (lambda s: fold(s).text) if name.startswith("notifier") else (lambda s: s)
        if name == "notifier fold (for reference)":
            base = lambda s: s  # noqa: E731
        changed = sum(1 for f in fields if conv(f) != base(f))
        t0 = time.process_time()
        for f in fields:
            conv(f)
        us = (time.process_time() - t0) / len(items) * 1e6
        outs = " | ".join(conv(s) for s in samples)
        print(f"| {name} | {us:.1f} | {changed} | {outs} |")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="shorter timings")
    ap.add_argument("--vocab", choices=("holdout", "all"), default="holdout")
    ap.add_argument("--compare", action="store_true", help="compare AC libraries, converters")
    ap.add_argument("--no-freeze", action="store_true", help="no gc.freeze() after the build")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=SIZES)
    ap.add_argument(
        "--titles",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=(10_000,),
        help="rule counts for extra rows on the same items without summaries",
    )
    ap.add_argument(
        "--traditional",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=(10_000,),
        help="rule counts for extra rows that also fold Traditional Chinese",
    )
    ap.add_argument("--titles-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--fold-traditional", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(
            json.dumps(
                run_one(
                    args.one,
                    args.quick,
                    args.vocab,
                    not args.no_freeze,
                    args.titles_only,
                    args.fold_traditional,
                )
            )
        )
    elif args.compare:
        compare()
    else:
        main_bench(
            args.quick, args.vocab, args.sizes, not args.no_freeze, args.titles, args.traditional
        )


if __name__ == "__main__":
    main()
