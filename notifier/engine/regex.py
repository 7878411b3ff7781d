"""Regex terms: a static safety check, a literal prefilter, and compilation.

Regex terms run on the *folded* field text (lower case, NFKC, see ``notifier.folding``) with
``re.IGNORECASE``, on at most :data:`MAX_REGEX_INPUT` characters of each field; their
literals are folded the same way and ``\\b`` is a Latin-word boundary
(``notifier.engine.pattern``).

**Safety without timeouts.** Python's ``re`` backtracks, so some patterns take
exponential or high-polynomial time on unlucky text. :func:`check_regex` rejects, with a
message saying why:

* backreferences (``\\1``, ``(?P=name)``, ``(?(1)…)``);
* nested quantifiers: a quantifier allowing more than one repetition inside a group
  that is itself repeated more than once (``(a+)+``, ``(\\w+\\s?)*``);
* alternation inside a group repeated more than once (``(a|ab)*``);
* two unbounded quantifiers (``*``, ``+``, ``{n,}``, or ``{n,m}`` with ``m - n > 20``)
  in a row without a literal character between them that the first cannot match:
  ``\\d+\\.\\d+`` is fine, ``a.*b.*c`` and ``\\d+\\s*\\d+`` are not;
* bounded quantifiers whose choices (``m - n + 1`` each) multiply beyond 10,000, or
  beyond 25 when the pattern also has an unbounded quantifier.

Possessive quantifiers (``.*+``) and atomic groups never backtrack and are exempt from
the last two rules. What is accepted runs in O(n²) steps at worst on the capped input.

**Prefilter.** :func:`required_literals` finds a set of literal strings one of which
every match must contain (``gpt-?\\d+`` → {``gpt``}, ``(open|close)ai`` →
{``openai``, ``closeai``}). The engine puts them in its Aho-Corasick automaton, so a
regex only runs on fields where one of its literals occurs; a regex without one runs on
every item.
"""

from __future__ import annotations

import dataclasses
import math
import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

from notifier.engine.pattern import rewrite
from notifier.folding import fold

#: Regex terms see at most this many characters of a field.
MAX_REGEX_INPUT = 2000
_BIG = 20  # a quantifier with more than this many choices counts as unbounded
_MAX_SMALL_PRODUCT = 10_000  # product of bounded choices, pattern without unbounded ones
_MAX_SMALL_WITH_BIG = 25  # … and with some
_MAX_SET = 32  # alternatives kept when expanding literal sets

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)


class RegexError(ValueError):
    """A regex term that does not compile or is unsafe to run."""


@dataclasses.dataclass(frozen=True, slots=True)
class CompiledRegex:
    """A checked, compiled regex term."""

    pattern: str
    regex: re.Pattern[str]
    #: One of these occurs in any folded text the regex matches; ``None``: no prefilter.
    literals: frozenset[str] | None

    def search(self, text: str) -> tuple[int, int] | None:
        """First match in the first :data:`MAX_REGEX_INPUT` characters of ``text``."""
        m = self.regex.search(text, 0, MAX_REGEX_INPUT)
        return (m.start(), m.end()) if m else None


def compile_regex(pattern: str, *, traditional: bool = False) -> CompiledRegex:
    """Check and compile a regex term; raise :class:`RegexError` with the reason.

    The pattern is checked as written, then runs rewritten for folded text
    (``notifier.engine.pattern``: literals folded, ``\\b`` a Latin-word boundary)."""
    if not pattern:
        raise RegexError("empty regex")
    try:
        parsed = P.parse(pattern, re.IGNORECASE)
        re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise RegexError(f"invalid regex {pattern!r}: {e}") from None
    check_regex(pattern, parsed)
    verbose = bool(parsed.state.flags & re.VERBOSE)
    source = rewrite(pattern, traditional=traditional, verbose=verbose)
    try:
        regex = re.compile(source, re.IGNORECASE)
        parsed = P.parse(source, re.IGNORECASE)
    except re.error as e:  # a bug of the rewrite, never the user's
        raise RegexError(f"regex {pattern!r} cannot be folded: {e}") from None
    if regex.match(""):
        raise RegexError(f"regex {pattern!r} matches the empty string, so it matches everything")
    return CompiledRegex(pattern, regex, required_literals(parsed))


# ------------------------------------------------------------------ safety check


def check_regex(pattern: str, parsed: Any = None) -> None:
    """Raise :class:`RegexError` if ``pattern`` may backtrack catastrophically."""
    if parsed is None:
        try:
            parsed = P.parse(pattern, re.IGNORECASE)
        except re.error as e:
            raise RegexError(f"invalid regex {pattern!r}: {e}") from None
    _check_nesting(pattern, list(parsed), in_repeat=False)
    small = _small_product(list(parsed))
    limit = _MAX_SMALL_WITH_BIG if _has_big_repeat(list(parsed)) else _MAX_SMALL_PRODUCT
    if small > limit:
        raise RegexError(
            f"regex {pattern!r}: bounded quantifiers allow {small:.0f} combinations "
            f"(at most {limit} here); use fewer or narrower ranges"
        )
    _check_sequence(pattern, _flatten(list(parsed)))


def _check_nesting(pattern: str, items: list[Any], in_repeat: bool) -> None:
    for op, av in items:
        if op in (C.GROUPREF, C.GROUPREF_EXISTS):
            raise RegexError(f"regex {pattern!r}: backreferences are not supported")
        if op in _REPEATS:
            _, hi, sub = av
            many = hi > 1
            if many and in_repeat:
                raise RegexError(
                    f"regex {pattern!r}: nested quantifier (a repeated group contains "
                    "another quantifier); it can take exponential time"
                )
            _check_nesting(pattern, list(sub), in_repeat or many)
        elif op is C.BRANCH:
            if in_repeat:
                raise RegexError(
                    f"regex {pattern!r}: alternation inside a repeated group; "
                    "it can take exponential time"
                )
            for alt in av[1]:
                _check_nesting(pattern, list(alt), in_repeat)
        elif op is C.SUBPATTERN:
            _check_nesting(pattern, list(av[3]), in_repeat)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            _check_nesting(pattern, list(av[1]), in_repeat)
        elif op is C.ATOMIC_GROUP:
            _check_nesting(pattern, list(av), in_repeat)


def _choices(lo: int, hi: int) -> float:
    return math.inf if hi == C.MAXREPEAT or hi - lo > _BIG else hi - lo + 1


def _small_product(items: list[Any]) -> float:
    total = 1.0
    for op, av in items:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            c = _choices(lo, hi)
            if c != math.inf:
                total *= c
            total *= _small_product(list(sub))
        elif op is C.SUBPATTERN:
            total *= _small_product(list(av[3]))
        elif op is C.BRANCH:
            total *= max(_small_product(list(alt)) for alt in av[1])
        elif op in (C.ASSERT, C.ASSERT_NOT):
            total *= _small_product(list(av[1]))
    return total


# Flattened elements: ("lit", chars) a mandatory character from a small set,
# ("rep", body) an unbounded backtracking quantifier, ("other", None) anything else.
def _flatten(items: list[Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for op, av in items:
        if op is C.LITERAL:
            out.append(("lit", {chr(av)}))
        elif op is C.IN and _small_class(av) is not None:
            out.append(("lit", _small_class(av)))
        elif op is C.SUBPATTERN:
            out.extend(_flatten(list(av[3])))
        elif op is C.MAX_REPEAT or op is C.MIN_REPEAT:
            lo, hi, sub = av
            if _choices(lo, hi) == math.inf:
                out.append(("rep", list(sub)))
            elif lo == hi == 1:
                out.extend(_flatten(list(sub)))
            else:
                out.append(("other", None))
        elif op is C.BRANCH or op in (C.ASSERT, C.ASSERT_NOT):
            alts = av[1] if op is C.BRANCH else [av[1]]
            if any(_has_big_repeat(list(a)) for a in alts):
                out.append(("rep", None))  # opaque: may match anything
            else:
                out.append(("other", None))
        else:
            out.append(("other", None))
    return out


def _has_big_repeat(items: list[Any]) -> bool:
    for op, av in items:
        if (op is C.MAX_REPEAT or op is C.MIN_REPEAT) and _choices(av[0], av[1]) == math.inf:
            return True
        if any(_has_big_repeat(sub) for sub in _children(op, av)):
            return True
    return False


def _children(op: Any, av: Any) -> list[list[Any]]:
    """The sub-sequences of a parsed item."""
    if op in _REPEATS:
        return [list(av[2])]
    if op is C.SUBPATTERN:
        return [list(av[3])]
    if op is C.BRANCH:
        return [list(a) for a in av[1]]
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [list(av[1])]
    if op is C.ATOMIC_GROUP:
        return [list(av)]
    return []


def _check_sequence(pattern: str, elems: list[tuple[str, Any]]) -> None:
    have_rep = False
    last_rep: Any = None
    separated = True
    for kind, val in elems:
        if kind == "rep":
            if have_rep and not separated:
                raise RegexError(
                    f"regex {pattern!r}: two unbounded quantifiers with nothing between "
                    "them that the first cannot match; it can take very long on some "
                    "text. Split it into terms (+required), bound it like .{0,20}, or "
                    "make the first possessive (.*+)"
                )
            have_rep, last_rep, separated = True, val, False
        elif kind == "lit" and have_rep and not separated:
            separated = not any(_body_matches(last_rep, ch) for ch in val)


def _small_class(av: list[Any]) -> set[str] | None:
    """The characters of a class made only of literals and small ranges."""
    chars: set[str] = set()
    for op, a in av:
        if op is C.LITERAL:
            chars.add(chr(a))
        elif op is C.RANGE and a[1] - a[0] < 64:
            chars.update(chr(c) for c in range(a[0], a[1] + 1))
        else:
            return None
    return chars


def _body_matches(body: Any, ch: str) -> bool:
    """Whether a quantifier body can match ``ch`` (conservative: unknown → True)."""
    if body is None or len(body) != 1:
        return True
    op, av = body[0]
    variants = {ch, ch.lower(), ch.upper()}
    if op is C.LITERAL:
        return chr(av) in variants or chr(av).lower() in variants
    if op is C.NOT_LITERAL:
        return bool(variants - {chr(av), chr(av).lower()})
    if op is C.ANY:
        return ch != "\n"
    if op is C.IN:
        return any(_in_matches(av, c) for c in variants)
    return True


def _in_matches(av: list[Any], ch: str) -> bool:
    negate = False
    hit = False
    for op, a in av:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit |= chr(a).lower() == ch.lower()
        elif op is C.RANGE:
            hit |= a[0] <= ord(ch) <= a[1] or a[0] <= ord(ch.lower()) <= a[1]
        elif op is C.CATEGORY:
            hit |= _category(a, ch)
        else:
            return True  # unknown item: assume it matches
    return hit != negate


def _category(cat: Any, ch: str) -> bool:
    name = str(cat)
    if name.endswith("NOT_DIGIT"):
        return not ch.isdecimal()
    if name.endswith("DIGIT"):
        return ch.isdecimal()
    if name.endswith("NOT_SPACE"):
        return not ch.isspace()
    if name.endswith("SPACE"):
        return ch.isspace()
    if name.endswith("NOT_WORD"):
        return not (ch.isalnum() or ch == "_")
    if name.endswith("WORD"):
        return ch.isalnum() or ch == "_"
    return True


# ------------------------------------------------------------------- prefilter


def required_literals(parsed: Any) -> frozenset[str] | None:
    """A set of strings one of which every match contains, or ``None``."""
    exact, best = _analyze(list(parsed))
    cands = [c for c in (exact, best) if c and "" not in c]
    if not cands:
        return None
    chosen = max(cands, key=_quality)
    # The literals must read the same in folded text (they are matched there).
    if any(fold(s).text != s for s in chosen):
        return None
    return frozenset(chosen)


def _quality(s: set[str] | None) -> tuple[int, int]:
    if not s or "" in s:
        return (0, 0)
    return (min(len(x) for x in s), -len(s))


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    return b if _quality(b) > _quality(a) else a


def _cross(a: set[str], b: set[str]) -> set[str] | None:
    if len(a) * len(b) > _MAX_SET:
        return None
    return {x + y for x in a for y in b}


def _safe_char(c: int) -> str | None:
    ch = chr(c)
    if ch.isascii() or ch.lower() == ch.upper():
        return ch.lower()
    return None  # a cased non-ASCII letter: IGNORECASE may match other spellings


def _analyze(items: list[Any]) -> tuple[set[str] | None, set[str] | None]:
    """(exact set of the whole sequence or None, best required set found inside)."""
    run: set[str] | None = {""}
    whole: set[str] | None = {""}
    best: set[str] | None = None
    for op, av in items:
        exact, inner = _analyze_item(op, av)
        best = _better(best, inner)
        if exact is not None and run is not None:
            crossed = _cross(run, exact)
            if crossed is None:
                best = _better(best, run)
                run = exact
            else:
                run = crossed
        elif exact is not None:
            run = exact
        else:
            best = _better(best, run)
            run = None
        whole = None if exact is None or whole is None else _cross(whole, exact)
    best = _better(best, run)
    return whole, best


def _analyze_item(op: Any, av: Any) -> tuple[set[str] | None, set[str] | None]:
    if op is C.LITERAL:
        ch = _safe_char(av)
        return ({ch}, None) if ch is not None else (None, None)
    if op is C.IN:
        chars = _small_class(av)
        if chars and len(chars) <= 8 and all(_safe_char(ord(c)) for c in chars):
            return {c.lower() for c in chars}, None
        return None, None
    if op is C.SUBPATTERN:
        return _analyze(list(av[3]))
    if op is C.ATOMIC_GROUP:
        return _analyze(list(av))
    if op is C.AT or op in (C.ASSERT, C.ASSERT_NOT):
        return {""}, None
    if op is C.BRANCH:
        results = [_analyze(list(alt)) for alt in av[1]]
        exact: set[str] | None = set()
        for e, _ in results:
            if e is None or exact is None or len(exact) + len(e) > _MAX_SET:
                exact = None
            else:
                exact |= e
        needed: set[str] | None = set()
        for e, b in results:
            pick = _better(e, b) if e and "" not in e else b
            if not pick or needed is None or len(needed) + len(pick) > _MAX_SET:
                needed = None
            else:
                needed |= pick
        return exact, needed
    if op in _REPEATS:
        lo, hi, sub = av
        e, b = _analyze(list(sub))
        if lo == hi == 1:
            return e, b
        return None, (_better(e, b) if lo >= 1 else None)
    return None, None
