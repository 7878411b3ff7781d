"""The matching engine: every rule against every item, each field scanned once.

    engine = Engine(rules, traditional=False)
    engine.match(item)              # results of the rules the item matches
    engine.evaluate(item)           # results of every rule, matched or not
    engine.evaluate(item, ["ai"])   # results of the named rules
    engine.add_rule(rule); engine.remove_rule("ai")

How it works. Fields are folded (``notifier.text.fold``: NFKC, casefold, zero-width
characters dropped, optionally Traditional → Simplified). All literal terms of all rules
are folded the same way and compiled into one Aho-Corasick automaton pair
(``notifier.engine.index``), so each field of an item is scanned once whatever the number
of rules. Terms whose first/last character is a word character (Latin letter, digit,
``_``; see ``notifier.text.is_word_char``) only count where the text has a word boundary
on that side: ``AI`` does not hit ``said``, ``GPT-5`` does not hit ``GPT-50`` but hits
``GPT-5.1``, ``AI`` hits ``AI芯片``; CJK terms hit anywhere. The hits name the rules
worth evaluating (postings: key → rules that need it: the any-terms, or for a rule
without any-terms one of its required terms); only those rules are evaluated, from the
set of keys found per field. Regex terms run on folded text, only for rules whose literal
conditions already hold, and only on fields where one of the literals every match needs
occurs (``notifier.engine.regex``); a rule whose any-terms include a regex without such a
literal is evaluated for every item. The score formula is in ``notifier.engine.scoring``.

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

Results come in rule order. ``match`` scores simple rules (only literal any-terms) from
term postings without evaluating them one by one, and builds ``Result.hits`` lazily.
Cost per item ≈ 15-40 µs (fold + scan) + ~1 µs per (hit key, rule) posting + ~1.5 µs
per matched rule: see bench/match.py for figures at 10 to 100,000 rules.
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
