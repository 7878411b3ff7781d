"""Telegram subscriptions at scale: matching, changes, memory, a broadcast.

    python bench/subscribers.py            # 100,000 subscribers (the README's figures)
    python bench/subscribers.py --quick    # 20,000 subscribers, under a minute

Workload. ``--subscribers`` chats (default 100,000) each hold one subscription of 5 any-of
keywords drawn from the corpus vocabulary (``bench/_corpus.py``: Latin words and CJK
2-4-grams of the even-numbered digests, most frequent first) with Zipf-like weights: rank
*r* is drawn with probability ∝ 1/(r + 100), so popular words (OpenAI, 英伟达, 模型) are
shared by many subscribers and the long tail by few. The stories are the items of the
odd-numbered digests (about 160: a busy day of several sources). Chats and subscriptions
are written straight into a SQLite store (one transaction: setting up is not what is
measured), then read back the way the service does (``Directory.load``).

Figures (CPU time of this process, ``time.process_time``, except the store writes, which
are wall clock):

1. Load and build: reading every chat and subscription from the store; parsing them and
   building the one engine (``SubscriptionMatcher``, automaton included); RSS growth of
   each step (``/proc/self/statm``, after ``gc.collect()``), per subscription.
2. Matching the day: ``match_digest`` of every story against every subscription, one match
   per chat; matches per story. Baselines, same run: the same engine path with
   ``--baseline`` subscribers (default 1,000), and the naive loop (for each subscription,
   ``keyword in text`` for each keyword on the lower-cased title + summary) on a sample of
   stories.
3. One change taking effect: a subscription added (removed) through the store, then
   ``SubscriptionMatcher.refresh()`` (read the change log, re-read the chat, update the
   engine) and the next ``match_digest`` of one story, which rebuilds the small delta
   automaton; compared with the same match without a change. Median of ``--changes``.
   And the worst case, a full rebuild of the main automaton, which happens when the
   delta outgrows 1/32 of it (``notifier.engine.index``): about once per that many new
   distinct keywords.
4. A broadcast: one story matched by every subscriber; the deliveries built as ingest
   builds them (each chat's policy) and committed with the story in one transaction
   (``commit_digest``) into a fresh SQLite file; per delivery, against a 1,000-chat
   broadcast in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _corpus import load_digests, vocabulary

from notifier.items import Item
from notifier.pipeline.ingest import Ingestor
from notifier.pipeline.matching import Match
from notifier.store import NewStory, Store, open_store
from notifier.store.sqlite import SQLiteStore
from notifier.subscriptions.directory import Directory
from notifier.subscriptions.matcher import SubscriptionMatcher
from notifier.subscriptions.model import Chat, target_name
from notifier.subscriptions.targets import SubscriberTargets

KEYWORDS = 5
ZIPF_OFFSET = 100.0
TOKEN = "123456:bench"


def _rss_mb() -> float:
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


async def _acpu(coro: Any) -> tuple[float, Any]:
    t0 = time.process_time()
    out = await coro
    return time.process_time() - t0, out


def _workload() -> tuple[list[str], list[Item]]:
    digests, _ = load_digests()
    vocab = vocabulary([i for d in digests[0::2] for i in d])
    items = [i for d in digests[1::2] for i in d]
    return vocab, items


def make_exprs(n: int, vocab: list[str], seed: int = 7) -> list[str]:
    """``n`` expressions of 5 distinct keywords, Zipf-like over the vocabulary ranks."""
    rng = random.Random(seed)
    cum = list(itertools.accumulate(1.0 / (r + ZIPF_OFFSET) for r in range(len(vocab))))
    total = cum[-1]
    out = []
    for _ in range(n):
        words: dict[str, None] = {}
        while len(words) < KEYWORDS:
            words.setdefault(vocab[bisect.bisect(cum, rng.random() * total)])
        out.append(" ".join(f'"{w}"' if " " in w else w for w in words))
    return out


def _fill(store: SQLiteStore, exprs: Sequence[str], first_chat: int = 1) -> None:
    """Write chats and their subscriptions straight into the store (set-up only)."""
    assert store._db is not None
    db = store._db
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO chats (chat_id, created_at, last_number) VALUES (?, 1, 1)",
        [(first_chat + i,) for i in range(len(exprs))],
    )
    db.executemany(
        "INSERT INTO subscriptions (chat_id, number, expr, owner, created_at) "
        "VALUES (?, 1, ?, ?, 1)",
        [(first_chat + i, e, first_chat + i) for i, e in enumerate(exprs)],
    )
    db.execute("COMMIT")


class Naive:
    """For each subscription, for each keyword: ``keyword in text`` (lower-cased)."""

    def __init__(self, exprs: Sequence[str]) -> None:
        self.subs = [[w.strip('"').lower() for w in e.split()] for e in exprs]

    def match(self, item: Item) -> int:
        text = f"{item.title} {item.summary}".lower()
        return sum(1 for words in self.subs if any(w in text for w in words))


async def _build(store: Store) -> tuple[Directory, SubscriptionMatcher, dict[str, float]]:
    rss0 = _rss_mb()
    directory = Directory(store.subscriptions)
    load_s, _ = await _acpu(directory.load())
    rss1 = _rss_mb()

    def build() -> SubscriptionMatcher:
        matcher = SubscriptionMatcher(directory)
        matcher.engine._index.rebuild()
        return matcher

    build_s, matcher = _cpu(build)
    rss2 = _rss_mb()
    gc.freeze()  # what a long-running process should do once its engine is built
    return (
        directory,
        matcher,
        {
            "load_s": load_s,
            "build_s": build_s,
            "load_mb": rss1 - rss0,
            "build_mb": rss2 - rss1,
        },
    )


async def _change(
    store: Store, matcher: SubscriptionMatcher, item: Item, rounds: int
) -> dict[str, float]:
    """Median CPU ms of refresh + next match after one add / one remove, and without."""
    subs = store.subscriptions
    chat = 10_000_000
    await subs.save_chat(Chat(chat, created_at=1))
    await matcher.refresh()
    plain, add, remove = [], [], []
    for k in range(rounds):
        plain.append(_cpu(lambda: matcher.match_digest([item]))[0])
        # A keyword nobody had: the delta automaton must take it before the next match.
        sub = await subs.add(chat, f"{item.title.split()[0]} benchword{k}", chat, 1)
        t0 = time.process_time()
        await matcher.refresh()
        found = matcher.match_digest([item])
        add.append(time.process_time() - t0)
        assert any(m.target == target_name(chat) for m in found[0]), "the add took no effect"
        await subs.remove(chat, sub.id)
        t0 = time.process_time()
        await matcher.refresh()
        found = matcher.match_digest([item])
        remove.append(time.process_time() - t0)
        assert all(m.target != target_name(chat) for m in found[0]), "the remove took no effect"
    rebuild_s, _ = _cpu(matcher.engine._index.rebuild)
    return {
        "match_ms": 1e3 * statistics.median(plain),
        "add_ms": 1e3 * statistics.median(add),
        "remove_ms": 1e3 * statistics.median(remove),
        "rebuild_s": rebuild_s,
        "keys": float(len(matcher.engine._index)),
    }


def _big_rebuild(vocab: list[str], keys: int) -> float:
    """CPU seconds of a full automaton build over ``keys`` distinct keys (the worst case
    of one change, when subscribers bring a long tail of their own keywords)."""
    from notifier.engine.index import KeyIndex
    from notifier.folding import fold, is_word_char

    rng = random.Random(3)
    words = {fold(w).text for w in vocab}
    while len(words) < keys:
        words.add(fold(rng.choice(vocab) + rng.choice(vocab)).text)
    index = KeyIndex()
    for word in words:
        bounded = is_word_char(word[0]) or is_word_char(word[-1])
        index.add("\x00" + word if bounded else word)  # as the compiler keys them
    seconds, _ = _cpu(index.rebuild)
    return seconds


async def _broadcast(folder: Path, chats: int, item: Item) -> dict[str, float]:
    """Build and commit one story's deliveries to ``chats`` chats into a fresh store."""
    store = open_store(f"sqlite:///{folder}/broadcast-{chats}.db")
    async with store:
        directory = Directory(store.subscriptions)
        targets = SubscriberTargets(directory, token=TOKEN)
        ingest = Ingestor(store, [], targets.policy)
        now = time.time()
        matches = [Match(target_name(c), f"sub:{c}", 3.0) for c in range(1, chats + 1)]
        build_s, deliveries = _cpu(lambda: ingest._deliveries(item, matches, now))
        story = NewStory(item.id, (item.id,), item.title, item.url, "bench", item.to_json())
        t0 = time.perf_counter()
        commit = await store.commit_digest("h", "bench", [story], [], deliveries, now)
        write_s = time.perf_counter() - t0
        assert commit.deliveries == chats
    return {"build_s": build_s, "write_s": write_s, "per_delivery_us": 1e6 * write_s / chats}


async def run(args: argparse.Namespace) -> None:
    vocab, items = _workload()
    n, base_n = args.subscribers, args.baseline
    exprs = make_exprs(n, vocab)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows: dict[int, dict[str, float]] = {}
        for count in (base_n, n):
            store = open_store(f"sqlite:///{folder}/subs-{count}.db")
            async with store:
                assert isinstance(store, SQLiteStore)
                await store._run(lambda db, c=count: None)  # the store's thread is up
                await asyncio.get_running_loop().run_in_executor(
                    store._pool, _fill, store, exprs[:count]
                )
                directory, matcher, built = await _build(store)
                day_s, found = _cpu(lambda m=matcher: m.match_digest(items))
                matches = sum(len(f) for f in found) / len(items)
                change = await _change(store, matcher, items[0], args.changes)
                rows[count] = {**built, "day_s": day_s, "matches": matches, **change}
                del directory, matcher, found
                gc.unfreeze()
                gc.collect()
        big_keys = _big_rebuild(vocab, args.tail_keys)
        naive = Naive(exprs)
        sample = items[: args.sample]
        naive_s, _ = _cpu(lambda: [naive.match(i) for i in sample])
        naive_day = naive_s / len(sample) * len(items)
        cast = {c: await _broadcast(folder, c, items[0]) for c in (1_000, n)}

    big, small = rows[n], rows[base_n]
    per_item = 1e3 * big["day_s"] / len(items)
    print(
        f"{n:,} subscribers × {KEYWORDS} keywords (Zipf-like, 1/(rank+{ZIPF_OFFSET:g}), "
        f"{len(vocab):,}-word vocabulary); {len(items)} stories; CPU time, one core\n"
    )
    print("| step | subscribers | time | RSS growth | per subscription |")
    print("|---|---:|---:|---:|---:|")
    for count, row in ((base_n, small), (n, big)):
        print(
            f"| read from the store | {count:,} | {row['load_s']:.2f} s | "
            f"{row['load_mb']:.0f} MB | {1e6 * row['load_mb'] / count:,.0f} B |"
        )
        print(
            f"| parse + build the engine | {count:,} | {row['build_s']:.2f} s | "
            f"{row['build_mb']:.0f} MB | {1e6 * row['build_mb'] / count:,.0f} B |"
        )
    print()
    print("| matching the day | subscribers | time | per story | matches per story |")
    print("|---|---:|---:|---:|---:|")
    for label, count, row in (
        ("engine", base_n, small),
        ("engine", n, big),
    ):
        print(
            f"| {label} | {count:,} | {row['day_s']:.2f} s | "
            f"{1e3 * row['day_s'] / len(items):.1f} ms | {row['matches']:,.0f} |"
        )
    print(
        f"| naive loop ({len(sample)}-story sample) | {n:,} | {naive_day:.2f} s (est.) | "
        f"{1e3 * naive_day / len(items):.1f} ms | — |"
    )
    print(
        f"\nAt {n:,}: {per_item:.1f} ms per story, {naive_day / big['day_s']:.1f}× faster than "
        f"the naive loop; {big['day_s'] / small['day_s']:.0f}× the time of {base_n:,} "
        f"subscribers for {n // base_n}× the subscriptions and "
        f"{big['matches'] / max(small['matches'], 1e-9):.0f}× the matches.\n"
    )
    print("| one change at | keys | match one story | add → refresh + match | remove → ditto |")
    print("|---:|---:|---:|---:|---:|")
    for count, row in ((base_n, small), (n, big)):
        print(
            f"| {count:,} | {row['keys']:,.0f} | {row['match_ms']:.1f} ms | "
            f"{row['add_ms']:.1f} ms | {row['remove_ms']:.1f} ms |"
        )
    print(
        f"\nFull rebuild of the main automaton ({big['keys']:,.0f} keys), once per "
        f"~{max(1000, int(big['keys']) // 32):,} new distinct keywords: "
        f"{big['rebuild_s'] * 1e3:.0f} ms; with a long tail of {args.tail_keys:,} distinct "
        f"keys (vocabulary words and pairs of them): {big_keys:.2f} s, once per "
        f"~{args.tail_keys // 32:,} new keys.\n"
    )
    print("| broadcast to | build deliveries | commit (SQLite) | per delivery |")
    print("|---:|---:|---:|---:|")
    for count, row in cast.items():
        print(
            f"| {count:,} chats | {row['build_s']:.2f} s | {row['write_s']:.2f} s | "
            f"{row['per_delivery_us']:.1f} µs |"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--subscribers", type=int, default=100_000)
    p.add_argument("--baseline", type=int, default=1_000, help="subscribers of the baseline")
    p.add_argument("--sample", type=int, default=10, help="stories the naive loop runs on")
    p.add_argument("--changes", type=int, default=5, help="changes timed (median)")
    p.add_argument("--tail-keys", type=int, default=300_000, help="keys of the worst case")
    p.add_argument("--quick", action="store_true", help="20,000 subscribers, fewer rounds")
    args = p.parse_args()
    if args.quick:
        args.subscribers = min(args.subscribers, 20_000)
        args.sample, args.changes, args.tail_keys = 3, 3, 50_000
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
