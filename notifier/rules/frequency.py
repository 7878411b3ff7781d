"""Read TrendRadar's ``frequency_words.txt`` unchanged, as notifier rules.

What TrendRadar does (``trendradar/core/frequency.py``: ``load_frequency_words``,
``parse_frequency_words_content``, ``_parse_word``, ``matches_word_groups``; and
``trendradar/core/analyzer.py``: ``count_word_frequency``), and what we keep:

- Groups are separated by an empty line (TrendRadar splits on ``"\\n\\n"``); a line of only
  spaces does *not* end a group. Lines are stripped; a line starting with ``#`` is a comment.
- In a group: a plain word is one of the group's words (any-of); ``+word`` is required
  (all-of); ``@N`` (N > 0) caps how many items the group reports -> ``Rule.max_items``;
  ``!word`` excludes a title from **every** group of the file, wherever it is written.
- ``/pattern/`` (optional trailing letters, ignored) is a case-insensitive regex, also after
  ``+`` and ``!``; ``word => 名称`` gives a display name; a first line ``[名称]`` names the
  group. The rule is named after the group: its ``[名称]``, else its words (or their display
  names) joined with `` / ``, as TrendRadar shows it.
- A group's first line ``[GLOBAL_FILTER]`` starts a section whose lines (words or regexes;
  lines starting with ``! + @`` are ignored) exclude titles from every group;
  ``[WORD_GROUPS]`` goes back to groups. Both are case-insensitive.
- Only the title is looked at: the rules get ``fields=("title",)`` unless asked otherwise.

Where notifier differs, on purpose:

- Matching (done by the engine): TrendRadar tests ``word.lower() in title.lower()``, a plain
  substring; notifier folds NFKC and case (and 繁→简 when ``fold_traditional``) and matches a
  term that starts or ends with a Latin letter or digit only at a word boundary on that
  side. So ``ai`` no longer matches ``said`` or ``Gaia``, ``mac`` no longer matches
  ``machine``; CJK words match anywhere, as before.
- TrendRadar files a title under the *first* group it matches only; notifier evaluates each
  group as its own rule, so a title can match several groups (the dispatcher dedups per
  target), unless the file is read with ``first_group_only`` (``Rule.exclusive``).
- A ``\\b`` in a regex is a Latin-word boundary (a CJK character counts as one), so
  ``/\\bAI\\b/`` matches "AI芯片", which Python's ``\\b`` does not.
- Mistakes TrendRadar passes over are reported: an invalid regex (TrendRadar prints a
  warning and keeps ``/…/`` as a literal that never matches), ``@N`` that is not a
  positive number (ignored there), ``+``/``!`` with no word (TrendRadar's empty word
  matches every title, so a lone ``!`` silences the whole file), and a file with no group
  at all (TrendRadar then reports every title).
- A UTF-8 byte-order mark is dropped (TrendRadar keeps it as part of the first word).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from notifier.engine.regex import RegexError, compile_regex
from notifier.errors import ConfigError
from notifier.rules.model import DEFAULT_FIELD_WEIGHTS, Location, Rule, Term

SECTIONS = ("GLOBAL_FILTER", "WORD_GROUPS")
_DISPLAY = re.compile(r"\s*=>\s*")
_REGEX = re.compile(r"^/(.+)/[a-z]*$")


@dataclasses.dataclass(frozen=True, slots=True)
class _Word:
    term: Term
    shown: str  # the display name, or the word / pattern as written


@dataclasses.dataclass(slots=True)
class _Group:
    line: int
    alias: str | None = None
    normal: list[_Word] = dataclasses.field(default_factory=list)
    required: list[_Word] = dataclasses.field(default_factory=list)
    max_items: int | None = None


class _Reader:
    """Turns the text of one file into groups and file-wide excluded terms."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.groups: list[_Group] = []
        self.excluded: list[Term] = []
        self.errors: list[ConfigError] = []

    def error(self, line: int, message: str) -> None:
        self.errors.append(ConfigError(message, self.path, line))

    def read(self, text: str) -> None:
        section = "WORD_GROUPS"
        for block in _blocks(text):
            lines = [(n, s) for n, s in block if s and not s.startswith("#")]
            if not lines:
                continue
            first = lines[0][1]
            if first.startswith("[") and first.endswith("]") and first[1:-1].upper() in SECTIONS:
                section = first[1:-1].upper()
                lines = lines[1:]
            if section == "GLOBAL_FILTER":
                for n, s in lines:
                    if not s.startswith(("!", "+", "@")):
                        self._add_word(n, s, self._exclude)
            elif lines:
                self._group(lines)

    def _group(self, lines: list[tuple[int, str]]) -> None:
        group = _Group(line=lines[0][0])
        first = lines[0][1]
        if first.startswith("[") and first.endswith("]"):
            group.alias = first[1:-1].strip() or None
            lines = lines[1:]
        for n, s in lines:
            if s.startswith("@"):
                count = s[1:]
                if count.isdigit() and int(count) > 0:
                    group.max_items = int(count)
                else:
                    self.error(n, f"'{s}': @N takes a positive whole number, e.g. @5")
            elif s.startswith("!"):
                self._add_word(n, s[1:], self._exclude, sign="!")
            elif s.startswith("+"):
                self._add_word(n, s[1:], group.required.append, sign="+")
            else:
                self._add_word(n, s, group.normal.append)
        if group.normal or group.required:
            self.groups.append(group)

    def _exclude(self, word: _Word) -> None:
        self.excluded.append(word.term)

    def _add_word(self, line: int, raw: str, add: Callable[[_Word], None], sign: str = "") -> None:
        word = _parse_word(raw)
        if isinstance(word, str):
            self.error(line, f"'{sign}{raw}': {word}" if sign else word)
        else:
            add(word)


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Split into groups at empty lines; each line as (1-based number, stripped text)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.split("\n"), start=1):
        if line == "":
            blocks.append([])
        else:
            blocks[-1].append((number, line.strip()))
    return [b for b in blocks if b]


def _parse_word(raw: str) -> _Word | str:
    """Read ``word``, ``/regex/`` or either with ``=> name``; return an error message if bad."""
    parts = _DISPLAY.split(raw, maxsplit=1) if "=>" in raw else [raw]
    config = parts[0].strip()
    shown = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
    if not config:
        return "a word is missing (an empty word would match every title)"
    match = _REGEX.match(config)
    if match:
        pattern = match.group(1)
        try:
            compile_regex(pattern)  # the engine's own check (case-blind), not just re.compile
        except RegexError as exc:
            return str(exc).replace(repr(pattern), f"/{pattern}/", 1)
        # TrendRadar compiles with re.IGNORECASE; say so inside the pattern.
        return _Word(Term("(?i)" + pattern, regex=True), shown or pattern)
    return _Word(Term(config), shown or config)


def parse_frequency_words(
    text: str,
    path: str = "frequency_words.txt",
    *,
    fields: tuple[str, ...] = ("title",),
    notify: tuple[str, ...] = ("console",),
    tags: tuple[str, ...] = (),
    field_weights: Mapping[str, float] = DEFAULT_FIELD_WEIGHTS,
    first_group_only: bool = False,
) -> tuple[list[Rule], list[ConfigError]]:
    """Return the rules of a TrendRadar keyword file's text, and every problem found.

    Each group becomes one rule located at its first line; every ``!`` word and every
    ``[GLOBAL_FILTER]`` word of the file lands in each rule's ``none``. With
    ``first_group_only``, a title goes to the first group that matches it only, as in
    TrendRadar (the rules share ``Rule.exclusive``, the path).
    """
    reader = _Reader(path)
    reader.read(text)
    if not reader.groups and not reader.errors:
        reader.error(1, "no keyword groups (TrendRadar would report every title)")
    rules: list[Rule] = []
    seen: set[str] = set()
    excluded = tuple(reader.excluded)
    for group in reader.groups:
        name = group.alias or " / ".join(w.shown for w in group.normal + group.required)
        if name in seen:
            name = f"{name} (line {group.line})"
        seen.add(name)
        rules.append(
            Rule(
                name=name,
                any=tuple(w.term for w in group.normal),
                all=tuple(w.term for w in group.required),
                none=excluded,
                fields=fields,
                tags=tags,
                notify=notify,
                field_weights=dict(field_weights),
                max_items=group.max_items,
                exclusive=path if first_group_only else None,
                location=Location(path, group.line),
            )
        )
    return rules, reader.errors


def load_frequency_words(
    path: str | Path,
    *,
    fields: tuple[str, ...] = ("title",),
    notify: tuple[str, ...] = ("console",),
    tags: tuple[str, ...] = (),
    first_group_only: bool = False,
) -> list[Rule]:
    """Read a TrendRadar keyword file (UTF-8) and return its rules.

    Raises:
        ConfigError: the first problem, as ``path:line: message``; also when the file
            cannot be read.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError("not UTF-8 text", str(path), line) from None
    rules, errors = parse_frequency_words(
        text,
        str(path),
        fields=fields,
        notify=notify,
        tags=tags,
        first_group_only=first_group_only,
    )
    if errors:
        raise errors[0]
    return rules
