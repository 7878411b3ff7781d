"""The one-line keyword syntax of ``notifier test-rule --expr`` and Telegram ``/sub``.

    OpenAI 英伟达 "Sam Altman" +芯片 !广告 /GPT-\\d+/ OpenAI^2

- a plain word or a quoted phrase is an *any* term: one of them must hit;
- ``+word`` / ``+"a phrase"`` / ``+/re/`` is required (*all*);
- ``!word`` / ``!"a phrase"`` / ``!/re/`` excludes the item (*none*);
- ``/regex/`` is a regular expression term; a trailing ``i`` (``/gpt/i``) adds ``(?i)``;
- ``^2`` or ``^0.5`` after any term sets its weight.

Full-width ``＋ ！ ＂ “ ”`` and the ideographic space work as their ASCII twins, so a
Chinese input method does not get in the way. Inside quotes ``\\"`` and ``\\\\`` escape; inside
a regex ``\\/`` is a slash. Error messages give the column and never echo the expression
(it may come from a secret ``${VAR}``); :meth:`ExprError.caret` shows where, for a CLI.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from notifier.engine.regex import RegexError, compile_regex
from notifier.errors import ConfigError
from notifier.rules.model import Location, Rule, Term

REQUIRED = frozenset("+＋")
EXCLUDED = frozenset("!！")
QUOTES = frozenset('"＂“”')
SPACES = frozenset(" \t\u3000")

_WEIGHT_TAIL = re.compile(r"\^([0-9][0-9.]*)$")


class ExprError(ConfigError):
    """A keyword expression that cannot be read; ``column`` is 1-based."""

    def __init__(
        self,
        reason: str,
        column: int,
        *,
        text: str = "",
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason = reason
        self.column = column
        self.text = text
        super().__init__(f"column {column}: {reason}", path, line)

    def caret(self) -> str:
        """Return the expression and a ``^`` under the column (for terminals, not logs)."""
        before = self.text[: self.column - 1]
        # CJK and full-width characters take two terminal cells.
        width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in before)
        return f"{self.text}\n{' ' * width}^"


@dataclasses.dataclass(frozen=True, slots=True)
class Terms:
    """The terms of an expression, split by role."""

    any: tuple[Term, ...] = ()
    all: tuple[Term, ...] = ()
    none: tuple[Term, ...] = ()


class _Scanner:
    """Reads one expression left to right; ``pos`` is a 0-based index."""

    def __init__(self, text: str, where: Location | None) -> None:
        self.text = text
        self.pos = 0
        self.where = where

    def error(self, reason: str, pos: int) -> ExprError:
        path = self.where.path if self.where else None
        line = self.where.line if self.where else None
        return ExprError(reason, pos + 1, text=self.text, path=path, line=line)

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in SPACES:
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def read_term(self) -> tuple[str, Term]:
        """Read one term with its prefix; return the role (any/all/none) and the term."""
        start = self.pos
        role = "any"
        if self.text[self.pos] in REQUIRED:
            role = "all"
            self.pos += 1
        elif self.text[self.pos] in EXCLUDED:
            role = "none"
            self.pos += 1
        if self.at_end() or self.text[self.pos] in SPACES:
            sign = self.text[start]
            raise self.error(f"'{sign}' must be followed by a word, phrase or /regex/", start)
        char = self.text[self.pos]
        if char in QUOTES:
            body, regex = self._quoted(), False
        elif char == "/":
            body, regex = self._regex(), True
        else:
            return role, self._word()
        weight = self._weight_suffix()
        return role, Term(body, regex=regex, weight=weight)

    def _word(self) -> Term:
        start = self.pos
        while not self.at_end() and self.text[self.pos] not in SPACES:
            self.pos += 1
        word = self.text[start : self.pos]
        weight = 1.0
        tail = _WEIGHT_TAIL.search(word)
        if tail and tail.start() > 0:
            weight = self._number(tail.group(1), start + tail.start())
            word = word[: tail.start()]
        elif word.endswith("^") and len(word) > 1:
            raise self.error("'^' must be followed by a weight such as ^2", self.pos - 1)
        return Term(word, weight=weight)

    def _quoted(self) -> str:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while not self.at_end():
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char in QUOTES:
                self.pos += 1
                if not out:
                    raise self.error("empty phrase", start)
                return "".join(out)
            out.append(char)
            self.pos += 1
        raise self.error('unterminated quote: add the closing "', start)

    def _regex(self) -> str:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while not self.at_end():
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                nxt = self.text[self.pos + 1]
                out.append("/" if nxt == "/" else char + nxt)
                self.pos += 2
                continue
            if char == "/":
                self.pos += 1
                pattern = "".join(out)
                if not pattern:
                    raise self.error("empty regex", start)
                try:
                    compile_regex(pattern)  # the engine's own check, not just re.compile
                except RegexError as exc:  # the column shows which regex: not again
                    raise self.error(str(exc).replace(f" {pattern!r}", "", 1), start) from None
                if not self.at_end() and self.text[self.pos] == "i":
                    self.pos += 1
                    pattern = "(?i)" + pattern
                return pattern
            out.append(char)
            self.pos += 1
        raise self.error("unterminated regex: add the closing /", start)

    def _weight_suffix(self) -> float:
        """Read an optional ``^N`` right after a phrase or regex; then a space must follow."""
        weight = 1.0
        if not self.at_end() and self.text[self.pos] == "^":
            caret = self.pos
            self.pos += 1
            start = self.pos
            while not self.at_end() and self.text[self.pos] not in SPACES:
                self.pos += 1
            weight = self._number(self.text[start : self.pos], caret)
        if not self.at_end() and self.text[self.pos] not in SPACES:
            raise self.error("expected a space after the closing quote or /", self.pos)
        return weight

    def _number(self, raw: str, pos: int) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise self.error("'^' must be followed by a weight such as ^2", pos) from None
        if not value > 0:
            raise self.error("a weight must be a positive number", pos)
        return value


def parse_terms(text: str, *, location: Location | None = None) -> Terms:
    """Read the terms of an expression; an empty expression gives no terms.

    Raises:
        ExprError: on a syntax error or an invalid regex, with its column.
    """
    scanner = _Scanner(text, location)
    roles: dict[str, list[Term]] = {"any": [], "all": [], "none": []}
    scanner.skip_spaces()
    while not scanner.at_end():
        role, term = scanner.read_term()
        roles[role].append(term)
        scanner.skip_spaces()
    return Terms(tuple(roles["any"]), tuple(roles["all"]), tuple(roles["none"]))


def parse_expr(text: str, *, name: str = "expr", location: Location | None = None) -> Rule:
    """Return the rule an expression describes, named ``name``.

    Raises:
        ExprError: on a syntax error, an invalid regex, an empty expression, or an
            expression with only excluded words (it would match everything else).
    """
    where = location or Location(name)
    terms = parse_terms(text, location=where)
    scanner = _Scanner(text, where)
    if not terms.any and not terms.all:
        if not terms.none:
            raise scanner.error("empty expression: give at least one word", 0)
        first = len(text) - len(text.lstrip("".join(SPACES)))
        raise scanner.error("only excluded words: add a word to look for", first)
    return Rule(name=name, any=terms.any, all=terms.all, none=terms.none, location=location)


def format_expr(rule: Rule) -> str:
    """Return the expression of a rule's terms; ``parse_expr`` reads it back to equal terms.

    Per-term ``fields`` and the rule's other settings have no syntax and are left out.
    """
    parts = [_format_term(t) for t in rule.any]
    parts += ["+" + _format_term(t) for t in rule.all]
    parts += ["!" + _format_term(t) for t in rule.none]
    return " ".join(parts)


def _format_term(term: Term) -> str:
    if term.regex:
        body = "/" + _escape_slashes(term.text) + "/"
    elif _needs_quotes(term.text):
        escaped = "".join("\\" + c if c in QUOTES or c == "\\" else c for c in term.text)
        body = f'"{escaped}"'
    else:
        body = term.text
    if term.weight != 1.0:
        weight = int(term.weight) if term.weight.is_integer() else term.weight
        body += f"^{weight}"
    return body


def _escape_slashes(pattern: str) -> str:
    """Escape each bare ``/``; keep ``\\x`` pairs as they are."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append("\\/" if pattern[i] == "/" else pattern[i])
        i += 1
    return "".join(out)


def _needs_quotes(text: str) -> bool:
    first = text[:1]
    return (
        not text
        or any(c in SPACES or c.isspace() for c in text)
        or first in REQUIRED | EXCLUDED | QUOTES | {"/"}
        or text.endswith("^")
        or _WEIGHT_TAIL.search(text) is not None
    )
