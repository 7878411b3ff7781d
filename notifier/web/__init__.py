"""The page people open: ``/`` (the day's stories by rule), ``/play`` (a rule tried live),
``/status`` (the service's state), their JSON under ``/api/``, on ``notifier run``'s HTTP
server. Read-only; see :mod:`notifier.web.auth` for who may read it.

The data comes from :mod:`notifier.views`; the HTML from Jinja2 templates with autoescape
(:mod:`notifier.web.render`). ``notifier report --html`` writes the day page as one file
and imports neither aiohttp nor the routes (hence the lazy :func:`mount`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

    from notifier.config import Config
    from notifier.store import Store


def mount(
    app: web.Application, store: Store, config: Config | None, host: str, **options: Any
) -> None:
    """Add the page's routes to ``app``: see :func:`notifier.web.routes.mount`."""
    from notifier.web.routes import mount as mount_routes

    mount_routes(app, store, config, host, **options)
