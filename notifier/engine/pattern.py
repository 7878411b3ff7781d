"""A regex term's source, rewritten to run on folded text.

Regex terms run on folded field text (``notifier.folding.fold``), so their literal
characters are folded the same way as terms and text: each run of literal characters
is folded as a whole (``/華為發布/`` is ``/华为发布/``, ``/輝達/`` is ``/英伟达/`` with
``fold_traditional``; ``/ＧＰＴ/`` is ``/gpt/``), a literal under a quantifier alone
(``/華+/`` is ``/华+/``), and a character class gets the folded form of each of its
single characters (``[華為]`` is ``[華為华为]``). Escapes, ranges, group names and
verbose patterns (``(?x)``) are left as they are.

``\\b`` and ``\\B`` become Latin-word boundaries: Python counts CJK characters as word
characters, so ``/\\bOpenAI\\b/`` would never match "OpenAI发布"; here a word character
is one of ``notifier.folding.is_word_char`` (letters, digits and ``_`` of scripts written
with spaces), and a CJK character is a boundary, as for literal terms.
"""

from __future__ import annotations

import re

from notifier.folding import NO_SPACE, fold

__all__ = ["BOUNDARY", "NOT_BOUNDARY", "WORD_CHAR", "rewrite"]


def _word_class() -> str:
    ranges = "".join(
        f"\\U{a:08x}-\\U{b:08x}" if b > 0xFFFF else f"\\u{a:04x}-\\u{b:04x}" for a, b in NO_SPACE
    )
    return f"[^\\W{ranges}]"


#: A word character for ``\b`` (``notifier.folding.is_word_char``, as a regex class).
WORD_CHAR = _word_class()
BOUNDARY = f"(?:(?<={WORD_CHAR})(?!{WORD_CHAR})|(?<!{WORD_CHAR})(?={WORD_CHAR}))"
NOT_BOUNDARY = f"(?:(?<={WORD_CHAR})(?={WORD_CHAR})|(?<!{WORD_CHAR})(?!{WORD_CHAR}))"

_QUANTIFIER = re.compile(r"[*+?]|\{\d*(?:,\d*)?\}")
_SPECIAL = frozenset("\\[(){.^$|*+?")
_FLAGS = frozenset("aiLmsux-")


def rewrite(pattern: str, *, traditional: bool = False, verbose: bool = False) -> str:
    """``pattern`` (a valid regex) with its literals folded and ``\\b`` made Latin."""
    if verbose:
        return pattern  # whitespace and comments are not literals there: left alone
    out: list[str] = []
    run: list[str] = []  # literal characters not yet written

    def flush() -> None:
        if run:
            text = "".join(run)
            out.append(text if text.isascii() else _literal(text, traditional))
            run.clear()

    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c not in _SPECIAL:
            if not c.isascii() and _QUANTIFIER.match(pattern, i + 1):
                flush()  # the quantifier applies to this character alone
                f = _literal(c, traditional)
                out.append(f if len(fold(c, traditional=traditional).text) == 1 else f"(?:{f})")
            else:
                run.append(c)
            i += 1
            continue
        flush()
        if c == "\\":
            j = _escape_end(pattern, i)
            esc = pattern[i:j]
            out.append({"\\b": BOUNDARY, "\\B": NOT_BOUNDARY}.get(esc, esc))
        elif c == "[":
            j = _class_end(pattern, i)
            out.append(_fold_class(pattern[i:j], traditional))
        elif c == "(":
            j = _group_start_end(pattern, i)
            out.append(pattern[i:j])
        elif c == "{" and (m := _QUANTIFIER.match(pattern, i)) is not None:
            j = m.end()
            out.append(pattern[i:j])
        else:
            j = i + 1
            out.append(re.escape(c) if c == "{" else c)
        i = j
    flush()
    return "".join(out)


def _literal(text: str, traditional: bool) -> str:
    return re.escape(fold(text, traditional=traditional).text)


def _escape_end(p: str, i: int) -> int:
    """End of the escape starting at ``p[i] == '\\\\'`` (``\\N{...}`` whole)."""
    j = i + 2
    if p[i + 1 : j] == "N" and p[j : j + 1] == "{":
        j = p.index("}", j) + 1
    return j


def _class_end(p: str, i: int) -> int:
    """End of the character class starting at ``p[i] == '['``."""
    j = i + 1
    if p[j : j + 1] == "^":
        j += 1
    if p[j : j + 1] == "]":
        j += 1  # a leading ] is a literal
    while p[j] != "]":
        j += 2 if p[j] == "\\" else 1
    return j + 1


def _fold_class(cls: str, traditional: bool) -> str:
    """``[...]`` with the folded form of each single non-ASCII character added."""
    body = cls[1:-1]
    start = 1 if body.startswith("^") else 0
    items: list[str] = []
    j = start
    while j < len(body):
        k = _escape_end(body, j) if body[j] == "\\" else j + 1
        items.append(body[j:k])
        j = k
    extra: list[str] = []
    for k, item in enumerate(items):
        in_range = (k + 1 < len(items) and items[k + 1] == "-" and k + 2 < len(items)) or (
            k >= 2 and items[k - 1] == "-"
        )
        if len(item) != 1 or item.isascii() or in_range:
            continue
        f = fold(item, traditional=traditional).text
        if len(f) == 1 and f != item and f not in body and f not in extra:
            extra.append(f)
    if not extra:
        return cls
    return "[" + body + "".join(re.escape(x) for x in extra) + "]"


def _group_start_end(p: str, i: int) -> int:
    """End of the opening of the group starting at ``p[i] == '('``: ``(``, ``(?:``,
    ``(?P<name>``, ``(?=``, ``(?<!``, ``(?i)``, ``(?i:``; a comment ``(?#...)`` whole."""
    if p[i + 1 : i + 2] != "?":
        return i + 1
    nxt = p[i + 2 : i + 3]
    if nxt in (":", "=", "!", ">"):
        return i + 3
    if nxt == "<":
        return i + 4  # (?<= or (?<!
    if nxt == "P":
        return p.index(">" if p[i + 3 : i + 4] == "<" else ")", i) + 1
    if nxt in ("#", "("):
        return p.index(")", i) + 1
    j = i + 2
    while p[j] in _FLAGS:
        j += 1
    return j + 1  # past ':' or ')'
