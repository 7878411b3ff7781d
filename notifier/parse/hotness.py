"""Hacker News scores written inside titles (and HN-style bodies) become ``hotness``.

Title spellings: ``（得分：19 小时内 151+）`` → 151, ``(得分: 151)``, ``评分: 151``,
``得分：151``, ``（151 分）``, ``151 points``. The number kept is the points, never the
hours. The score is removed from the title.
"""

from __future__ import annotations

import re

_DIGIT_RE = re.compile(r"\d")

_PAREN_RE = re.compile(r"[（(]([^()（）]{1,60})[）)]")
_LABEL = r"(?:得分|评分|分数|热度|score|points?)"
_LABELLED_RE = re.compile(rf"\s*{_LABEL}\s*[:：]\s*(.+)", re.IGNORECASE)
_UNIT_RES = (
    re.compile(r"\s*(\d[\d,]*)\+?\s*(?:分|points?|pts)\s*", re.IGNORECASE),
    re.compile(r"\s*(\d[\d,]*)\+?\s*(?:points?|pts)\s*[,，;；].*", re.IGNORECASE),
)
_NUMBER_RE = re.compile(
    r"(\d[\d,]*)\+?\s*(小时|分钟|天|周|hours?|hrs?|h\b|minutes?|mins?|days?)?", re.IGNORECASE
)
# Bare forms must end the title or be followed by a separator.
_END = r"(?=\s*(?:$|[|｜,，;；·/–—-]))"
_BARE_RES = (
    re.compile(rf"(?:得分|评分)\s*[:：]\s*(\d[\d,]*)\+?{_END}"),
    re.compile(rf"(?<![\w.])(\d[\d,]*)\+?\s*points?\b{_END}", re.IGNORECASE),
)
_BODY_RES = (
    re.compile(r"(?:得分|评分)\s*[:：]\s*(\d[\d,]*)"),
    re.compile(r"\bPoints:\s*(\d[\d,]*)"),
)
_SEPARATORS = " \t|｜,，;；·/–—-:："


def _points(text: str) -> int | None:
    """The first number in ``text`` that is not a duration."""
    for m in _NUMBER_RE.finditer(text):
        if m.group(2) is None:
            return int(m.group(1).replace(",", ""))
    return None


def _paren_score(content: str) -> int | None:
    m = _LABELLED_RE.fullmatch(content)
    if m is not None:
        return _points(m.group(1))
    for regex in _UNIT_RES:
        m = regex.fullmatch(content)
        if m is not None:
            return int(m.group(1).replace(",", ""))
    return None


def _tidy(title: str) -> str:
    return " ".join(title.split()).strip(_SEPARATORS)


def split_hotness(title: str) -> tuple[str, int | None]:
    """Return ``(title without its score, points)``; ``points`` is ``None`` if none."""
    if _DIGIT_RE.search(title) is None:
        return title, None
    for m in _PAREN_RE.finditer(title):
        points = _paren_score(m.group(1))
        if points is not None:
            return _tidy(title[: m.start()] + " " + title[m.end() :]), points
    for regex in _BARE_RES:
        bare = regex.search(title)
        if bare is not None:
            points = int(bare.group(1).replace(",", ""))
            return _tidy(title[: bare.start()] + " " + title[bare.end() :]), points
    return title, None


def body_hotness(text: str) -> int | None:
    """A score an HN-style body states (``（得分：…）``, ``评分: 30 |``, ``Points: 12``)."""
    if _DIGIT_RE.search(text) is None:
        return None
    for m in _PAREN_RE.finditer(text):
        points = _paren_score(m.group(1))
        if points is not None and _LABELLED_RE.fullmatch(m.group(1)):
            return points
    for regex in _BODY_RES:
        found = regex.search(text)
        if found is not None:
            return int(found.group(1).replace(",", ""))
    return None
