"""``notifier report --html FILE``: the day page as one self-contained HTML file (inline
CSS, no script, no request anywhere), for email, cron and static hosting."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.commands._config import EXIT_CONFIG
from notifier.commands._store import with_store
from notifier.files import write_atomically

if TYPE_CHECKING:
    from notifier.config import Config
    from notifier.store import Store

#: Stories listed per rule in the file (the page's "more" link needs the server).
PER_GROUP = 100


def run(args: argparse.Namespace) -> int:
    """Write the page; 0 when written, 2 on a bad date, config or file."""
    day = None
    if args.date:
        try:
            day = dt.date.fromisoformat(args.date) if len(args.date) == 10 else None
        except ValueError:
            day = None
        if day is None:
            print(f"notifier: --date: not a date: {args.date!r} (YYYY-MM-DD)", file=sys.stderr)
            return EXIT_CONFIG

    async def work(store: Store, config: Config | None) -> str:
        return await page_html(store, config, day, args.lang)

    html = with_store(args, work)
    if html is None:
        return EXIT_CONFIG
    try:
        write_atomically(Path(args.html), html.encode("utf-8"), 0o644)
    except OSError as exc:
        print(f"notifier: {args.html}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


async def page_html(
    store: Store, config: Config | None, day: dt.date | None, lang: str | None
) -> str:
    """The day page as one HTML document."""
    from notifier.views.day import day_page
    from notifier.web.render import render, stylesheet
    from notifier.web.texts import language

    page = await day_page(store, config, day, per_group=PER_GROUP)
    return render(
        "day.html",
        language(lang, config),
        page=page,
        filters=None,
        more=None,
        nav=None,
        lang_param=None,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        inline_css=stylesheet(),
    )
