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
corpus titles + summaries, 390 items, keys drawn from the corpus vocabulary, one
shard = free + bounded automata, scan = set of keys hit with boundary checks)::

    keys      library         build    scan µs/item   memory
    3,000     pyahocorasick   0.005 s      22.0        0.5 MB
              ahocorasick-rs  0.008 s       8.0        1.1 MB
    30,000    pyahocorasick   0.060 s      49.0        5.5 MB
              ahocorasick-rs  0.060 s      19.0        9.0 MB
    300,000   pyahocorasick   1.2 s       128          53 MB
              ahocorasick-rs  1.0 s        93          36 MB

ahocorasick-rs is 1.4-2.7× faster to scan (its ``find_matches_as_strings`` lets
``set()`` collect the free keys without a Python loop), builds as fast, and uses less
memory at scale; pyahocorasick's one advantage, adding words after ``make_automaton``,
still rebuilds the failure links, so neither supports cheap incremental updates. The
engine uses ahocorasick-rs, with a main + delta shard for incremental changes
(``Engine.add_rule`` / ``remove_rule``: the delta is rebuilt lazily, the main shard
only when the delta grows past an eighth of it).
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
