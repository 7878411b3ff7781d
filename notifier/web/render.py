"""HTML from the views: Jinja2 templates (autoescaped) in ``notifier/web/templates``.

Jinja2 is imported on first render only (``notifier report`` and the server import this
module; the CLI's other commands never do).
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from typing import TYPE_CHECKING, Any

from notifier.web.texts import TEXTS

if TYPE_CHECKING:
    import jinja2

#: Characters of a summary shown under a title.
SUMMARY_CHARS = 280


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment: autoescape on for every template."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("notifier.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["marks"] = marks
    env.filters["when"] = when
    env.filters["link"] = link
    return env


def render(template: str, lang: str, **context: Any) -> str:
    """Render ``template`` in ``lang`` (``t`` is the word table)."""
    return environment().get_template(template).render(t=TEXTS[lang], lang=lang, **context)


@functools.cache
def stylesheet() -> str:
    """The page's CSS (served as /static/style.css; inlined in the report)."""
    return resources.files("notifier.web").joinpath("static/style.css").read_text("utf-8")


def marks(text: str, spans: Any = (), limit: int | None = None) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, highlighted)`` by ``spans`` (merged, sorted), at most
    ``limit`` characters (an ellipsis beyond)."""
    cut = text if limit is None or len(text) <= limit else text[:limit].rstrip() + "…"
    end_at = len(cut) if cut is text else limit or 0
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        start, end = max(start, pos), min(end, end_at)
        if start >= end:
            continue
        if start > pos:
            out.append((cut[pos:start], False))
        out.append((cut[start:end], True))
        pos = end
    if pos < len(cut):
        out.append((cut[pos:], False))
    return out


def when(at: float | None) -> str:
    """A UNIX time as ``YYYY-MM-DD HH:MM`` UTC (empty for none)."""
    if not at:
        return ""
    return dt.datetime.fromtimestamp(float(at), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def link(url: str | None) -> bool:
    """Whether ``url`` may be a link: http(s) only (no ``javascript:``, no ``data:``)."""
    return bool(url) and str(url).lower().startswith(("https://", "http://"))
