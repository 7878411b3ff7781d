"""72live: Hugo front matter, ``N.  [Title](url)`` entries with an indented body.

The intro paragraph and everything under a commentary heading (``### 点评``) or bold line
(``**点评：**``) are not items. Entries without a leading link fall back to the generic
list-entry title (bold text, else first sentence).
"""

from __future__ import annotations

from notifier.parse.blocks import Line, annotate, indented_body, numbered
from notifier.parse.common import entry_title, text_of
from notifier.parse.result import Context, Draft


def parse(lines: list[Line], ctx: Context) -> list[Draft]:
    """Drafts of every numbered entry outside non-news parts."""
    annotate(lines)
    drafts: list[Draft] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        i += 1
        entry = numbered(line)
        if entry is None:
            continue
        body, i = indented_body(lines, i)
        if line.skip:
            continue
        title, url, rest = entry_title(entry[1])
        drafts.append(
            Draft(
                title=title,
                line=line.no,
                url=url,
                summary=text_of([rest, *body]),
                section=line.section,
            )
        )
    return drafts
