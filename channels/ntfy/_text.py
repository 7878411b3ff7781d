"""Digest entries as short push text: markdown (escaped) or plain, shared by ntfy and apprise."""

from __future__ import annotations

from collections.abc import Sequence

from channels.base import Entry, Message
from channels.render import cut, escape_markdown, safe_url

#: No server limit on ntfy titles; phones show one line. Apprise's ntfy plugin uses 200 too.
TITLE_LIMIT = 200
#: Summary shown per entry, in code points (a push is a glance, not a digest).
SUMMARY_LIMIT = 280
#: (lowest score, ntfy priority), best first; see channels.ntfy's docstring.
SCORE_PRIORITY = ((12.0, 5), (6.0, 4), (3.0, 3))
#: Ever smaller renderings of an entry too big for a payload alone: (summary, title, link).
SHRINK_STEPS = ((120, TITLE_LIMIT, True), (0, TITLE_LIMIT, True), (0, 80, True), (0, 80, False))


def line(text: str) -> str:
    """Return ``text`` on one line (newlines could start markdown blocks or headers)."""
    return " ".join(text.split())


def priority_for(score: float) -> int:
    """Return the ntfy priority (1..5) for an entry score."""
    if score <= 0:
        return 3
    return next((p for low, p in SCORE_PRIORITY if score >= low), 2)


def entry_markdown(
    entry: Entry,
    summary_limit: int = SUMMARY_LIMIT,
    title_limit: int = TITLE_LIMIT,
    link: bool = True,
) -> str:
    """Return one entry as markdown; every digest string is escaped."""
    title = escape_markdown(cut(line(entry.title), title_limit)) or "\\(untitled\\)"
    url = safe_url(entry.url) if link else None
    lines = [f"**[{title}]({url})**" if url else f"**{title}**"]
    if entry.summary and summary_limit:
        lines.append(escape_markdown(cut(line(entry.summary), summary_limit)))
    if meta := _meta(entry):
        lines.append(f"_{escape_markdown(meta)}_")
    return "  \n".join(lines)  # two spaces: a hard line break in every markdown flavour


def entry_text(
    entry: Entry,
    summary_limit: int = SUMMARY_LIMIT,
    title_limit: int = TITLE_LIMIT,
    link: bool = True,
) -> str:
    """Return one entry as plain text (nothing is interpreted, so nothing is escaped)."""
    lines = ["• " + (cut(line(entry.title), title_limit) or "(untitled)")]
    if link and (url := safe_url(entry.url)):
        lines.append("  " + url)
    if entry.summary and summary_limit:
        lines.append("  " + cut(line(entry.summary), summary_limit))
    if meta := _meta(entry):
        lines.append("  " + meta)
    return "\n".join(lines)


def _meta(entry: Entry) -> str:
    parts = [cut(line(p), 40) for p in (entry.source, entry.rule) if p and p.strip()]
    if entry.score:
        parts.append(f"{entry.score:g}")
    return " · ".join(parts)


def heading(message: Message, entries: Sequence[Entry]) -> str:
    """Return the title of a payload: the message title, the one entry's title, or a count."""
    if message.title.strip():
        return line(message.title)
    if len(entries) == 1:
        return line(entries[0].title) or "(untitled)"
    return f"{len(entries)} new items" if entries else "notifier"


def scrub(text: str, secrets: Sequence[str | None]) -> str:
    """Return ``text`` with every secret value replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
