"""Every text a push adds to the stories (headings, counts, tags), in English and Chinese.

A push speaks its target's language (``Policy.language``: a chat's ``/lang``, a configured
channel's ``delivery: {language: zh}``). Operator hints (``notifier`` commands) are for
configured targets only, never for subscribers' chats. Dates are the stories' own dates.
Texts are plain: each channel escapes them for its markup.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

LANGUAGES = ("en", "zh")
DEFAULT = "en"

TEXTS: dict[str, dict[str, str]] = {
    "catch_up_all": {
        "en": "Catching up: {total} earlier stories",
        "zh": "补发：{total} 条较早的新闻",
    },
    "catch_up_best": {
        "en": "Catching up: the best {shown} of {total} earlier stories",
        "zh": "补发：{total} 条较早的新闻中最相关的 {shown} 条",
    },
    "not_shown": {
        "en": "{count} more, dated {dates}, are not shown.",
        "zh": "另有 {count} 条（{dates}）未显示。",
    },
    "none_shown": {
        "en": "They are dated {dates}; none is shown one by one.",
        "zh": "这些新闻的日期为 {dates}，不逐条显示。",
    },
    "dates": {"en": "{first} to {last}", "zh": "{first} 至 {last}"},
    "operator_hint": {
        "en": "List them: notifier deliveries --target {target} --state summarised",
        "zh": "查看：notifier deliveries --target {target} --state summarised",
    },
    "digest": {"en": "Digest: {count} stories", "zh": "摘要：{count} 条新闻"},
    "sources": {"en": "{count} sources", "zh": "{count}个来源"},
}


def language(value: str | None) -> str:
    """``value`` if it is a known language, else the default (English)."""
    return value if value in LANGUAGES else DEFAULT


def say(lang: str, key: str, **values: Any) -> str:
    """The text ``key`` in ``lang`` (English if it has none), ``values`` filled in."""
    table = TEXTS[key]
    return (table.get(lang) or table[DEFAULT]).format(**values)


def catch_up(
    lang: str,
    shown: int,
    total: int,
    dates: tuple[dt.date, dt.date] | None,
    hint_target: str | None = None,
) -> tuple[str, str]:
    """The title and text of a catch-up: ``shown`` of ``total`` earlier stories go one by
    one; the rest (dated ``dates``, first and last) are counted. ``hint_target``: an
    operator target, told how to list the rest."""
    title = say(
        lang, "catch_up_best" if 0 < shown < total else "catch_up_all", shown=shown, total=total
    )
    if shown >= total or dates is None:
        return title, ""
    first, last = (d.isoformat() for d in dates)
    span = first if first == last else say(lang, "dates", first=first, last=last)
    key = "not_shown" if shown else "none_shown"
    lines = [say(lang, key, count=total - shown, dates=span)]
    if hint_target is not None:
        lines.append(say(lang, "operator_hint", target=hint_target))
    return title, "\n".join(lines)
