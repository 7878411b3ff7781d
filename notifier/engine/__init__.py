"""The matching engine: every rule against every item, each field scanned once.

    engine = Engine(rules, traditional=False)
    engine.match(item)              # results of the rules the item matches
    engine.evaluate(item)           # results of every rule, matched or not
    engine.evaluate(item, ["ai"])   # results of the named rules
    engine.add_rule(rule); engine.remove_rule("ai")

How it works. Fields are folded (``notifier.folding.fold``: NFKC, casefold, zero-width
characters dropped, optionally Traditional → Simplified). All literal terms of all rules
are folded the same way and compiled into one Aho-Corasick automaton pair
(``notifier.engine.index``), so each field of an item is scanned once whatever the number
of rules. Terms whose first/last character is a word character (Latin letter, digit,
``_``; see ``notifier.folding.is_word_char``) only count where the text has a word boundary
on that side: ``AI`` does not hit ``said``, ``GPT-5`` does not hit ``GPT-50`` but hits
``GPT-5.1``, ``AI`` hits ``AI芯片``; after a term ending in a letter a digit may follow
(``iPhone`` hits ``iPhone16``); CJK terms hit anywhere. The hits name the rules
worth evaluating (postings: key → rules that need it: the any-terms, or for a rule
without any-terms one of its required terms); only those rules are evaluated, from the
set of keys found per field. Regex terms run on folded text, their literals folded the
same way and ``\\b`` a Latin-word boundary (``notifier.engine.pattern``), only for rules
whose literal conditions already hold, and only on fields where one of the literals every
match needs occurs (``notifier.engine.regex``); a rule whose any-terms include a regex
without such a literal is evaluated for every item. The score formula is in
``notifier.engine.scoring``.

Aho-Corasick library, measured on this workload (``python bench/match.py --compare``:
folded titles + summaries of the 362 corpus items, keys drawn from the corpus
vocabulary, one shard = free + bounded automata, scan = the set of keys found, with the
boundary checks; CPU time, shared machine, ±30 %)::

    keys     library          build     RSS Δ    scan µs/item   keys found/item
    3,000    pyahocorasick    0.003 s   0.1 MB        66              15
             ahocorasick-rs   0.004 s   0.7 MB        11              15
    30,000   pyahocorasick    0.031 s   2.0 MB       162             141
             ahocorasick-rs   0.048 s   5.7 MB     40-62             141
    300,000  pyahocorasick    0.62 s     54 MB       222             141
             ahocorasick-rs   1.2 s      77 MB       100             141

ahocorasick-rs scans 2-6× faster on this mostly-CJK text (pyahocorasick walks its trie
slowly over a large alphabet and hands every hit to a Python loop, while
``set(find_matches_as_strings())`` collects the free keys in one call);
pyahocorasick builds about twice as fast and takes ~30 % less memory at 300,000 keys.
Scanning is paid per item, building once, so the engine uses ahocorasick-rs.
Neither supports cheap incremental updates (pyahocorasick's ``add_word`` after
``make_automaton`` needs ``make_automaton`` again), hence the main + delta shards of
``notifier.engine.index``: ``Engine.add_rule`` / ``remove_rule`` only touch that rule's
postings; the small delta automaton is rebuilt lazily on the next match, the main one
only when the delta outgrows 1/32 of it or half its keys are dead (1.2 s at 300,000
keys).

Long-running processes should call ``gc.freeze()`` once the engine is built: 100,000
rules are millions of objects that each full garbage collection would walk again
(~40 % of the throughput at 10,000 rules).

Results come in rule order. ``match`` is the hot path; ``evaluate`` (explanations)
decides every rule one by one and is the reference ``match`` is tested against
(tests/engine/test_fast_path.py: same rules, same scores bit for bit, same hits).

The hot path (``Engine.match``), per item:

1. fold the fields and scan them (above): the set of keys found per field, then
   key → fields found in;
2. *plain* rules (literal terms only, each positive key once, term values exact in
   binary; every generated rule of the bench, most real ones) are decided from term
   postings (``notifier.engine.plain``): one dict update per (key found, rule with that
   key), sums and counts per rule, one check per candidate; no per-rule evaluation;
3. the other rules (regexes, repeated keys, weights like 0.1) are evaluated one by one,
   only when a key they need was found (or always, for a regex without a literal);
4. a :class:`Result` per matched rule holds the rule, the score and the item view; its
   hits, scored terms and breakdown are worked out from the keys found on first use.

Measured at 10,000 bench rules (``bench/match.py``; items are a ~50-character title and
a ~270-character summary, each matches ~75 rules; one core of this machine, CPython
3.11): fold + scan ≈ 45 µs/item, step 2 ≈ 50 µs (≈ 95 postings + 75 candidates), the
75 ``Result`` objects ≈ 40 µs, garbage collection of what the caller keeps ≈ 10-15 %.
Everything after the scan is Python work per (item, matched rule), so the cost per item
grows with the matches, not with the rules: ~2 µs per matched rule. Tried and dropped,
measured on the same items: marking word boundaries in the text so that the automaton
checks them (``"\x01".join(re.split(...))``: 13 µs/item, more than the boundary loop
it replaces), ``find_matches_as_indexes`` instead of ``_as_strings`` (+4 µs/item: a
tuple per occurrence), a lighter ``Result`` with three slots (−6 µs/item at 75
matches: the cost is allocation and cache misses on the rule objects, not the stores).
"""

from __future__ import annotations

from notifier.engine.core import Engine
from notifier.engine.regex import MAX_REGEX_INPUT, RegexError, check_regex, compile_regex
from notifier.engine.result import Hit, Result, ScoredTerm

__all__ = [
    "MAX_REGEX_INPUT",
    "Engine",
    "Hit",
    "RegexError",
    "Result",
    "ScoredTerm",
    "check_regex",
    "compile_regex",
]
