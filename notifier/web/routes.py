"""The page's routes, mounted on the service's aiohttp application."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web

from notifier.views.day import PER_GROUP, MatchCache, day_page
from notifier.views.status import service_status
from notifier.views.stories import today, zone_of
from notifier.views.trial import TrialError, try_rule
from notifier.web.auth import Guard
from notifier.web.render import render
from notifier.web.texts import language

if TYPE_CHECKING:
    from notifier.config import Config
    from notifier.store import Store

log = logging.getLogger("notifier.http")

#: The served pages load nothing from elsewhere and run only our own static scripts.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_STATIC = {"style.css": "text/css", "play.js": "text/javascript", "status.js": "text/javascript"}
#: The most stories a group lists when asked for more (``?per=``).
MAX_PER_GROUP = 500
#: The most matches the playground lists (it counts them all).
PLAY_LIMIT = 100
_MAX_PARAM = 200

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def mount(
    app: web.Application,
    store: Store,
    config: Config | None,
    host: str,
    *,
    clock: Callable[[], float] = time.time,
) -> None:
    """Add the page's routes to ``app`` (before it starts); ``host`` is where the server
    listens (loopback: no token needed); ``clock`` says what "today" is."""
    guard = Guard(host, config.server.view_token if config else None)
    pages = Pages(store, config, guard, clock)
    for path, handler in (
        ("/", pages.day),
        ("/play", pages.play),
        ("/status", pages.status),
        ("/api/day", pages.api_day),
        ("/api/play", pages.api_play),
        ("/api/status", pages.api_status),
    ):
        app.router.add_get(path, pages.guarded(handler))
    app.router.add_get("/static/{name}", pages.static)
    app.on_startup.append(pages.start_warming)
    app.on_cleanup.append(pages.stop_warming)


class Pages:
    """The handlers, with what they share: the store, the config, the engine's cache."""

    def __init__(
        self, store: Store, config: Config | None, guard: Guard, clock: Callable[[], float]
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.guard = guard
        self.cache = MatchCache(config)
        self.tz = zone_of(config)

    async def start_warming(self, app: web.Application) -> None:
        """Group today's stories in the background once the server starts, so that the
        first visit does not wait for the engine (a slice at a time: the service goes on)."""
        self._warming = asyncio.create_task(self._warm(), name="web:warm")

    async def stop_warming(self, app: web.Application) -> None:
        task = getattr(self, "_warming", None)
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _warm(self) -> None:
        try:
            await day_page(self.store, self.config, tz=self.tz, cache=self.cache, now=self.clock())
        except Exception as exc:  # the page will try again when asked; nothing is lost
            log.debug("warming the day page failed: %s", type(exc).__name__)

    def guarded(self, handler: Handler) -> Handler:
        """``handler`` behind the view token, with the security headers."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            refused = self.guard.refuse(request)
            response = refused if refused is not None else await handler(request)
            response.headers.update(HEADERS)
            return response

        return guarded

    # -- pages -----------------------------------------------------------------------------

    async def day(self, request: web.Request) -> web.StreamResponse:
        """``/``: the day's stories by rule."""
        lang = language(request.query.get("lang"), self.config)
        try:
            page = await self._day_page(request)
        except ValueError as exc:
            return _html(400, f"{exc}\n", plain=True)
        day = page.day

        def link(**changes: Any) -> str:
            return _url("/", request.query, **changes)

        filters = {
            "prev": link(day=(day - dt.timedelta(days=1)).isoformat()),
            "next": link(day=(day + dt.timedelta(days=1)).isoformat()),
        }
        html = render(
            "day.html",
            lang,
            page=page,
            filters=filters,
            more=lambda rule: link(rule=rule, per=str(MAX_PER_GROUP)),
            nav=_nav(request, "/", lang),
            lang_param=_lang_param(request),
            generated=_now(),
            inline_css=None,
        )
        return _html(200, html)

    async def play(self, request: web.Request) -> web.StreamResponse:
        """``/play``: the form, and with ``?q=`` what the rule catches (no script needed)."""
        lang = language(request.query.get("lang"), self.config)
        text = request.query.get("q", "")
        days_raw = request.query.get("days", "7")
        trial, error = None, None
        if text.strip():
            try:
                trial = await try_rule(
                    self.store,
                    self.config,
                    text,
                    days=_days(days_raw),
                    now=self.clock(),
                    limit=PLAY_LIMIT,
                    cache=self.cache.stories,
                )
            except TrialError as exc:
                error = str(exc)
        html = render(
            "play.html",
            lang,
            text=text[:4000],
            days=days_raw[:3] if days_raw.isdigit() else "7",
            trial=trial,
            error=error,
            nav=_nav(request, "/play", lang),
            lang_param=_lang_param(request),
            inline_css=None,
        )
        return _html(200, html)

    async def status(self, request: web.Request) -> web.StreamResponse:
        """``/status``: targets, queue, workers, sources, skipped subscriptions."""
        lang = language(request.query.get("lang"), self.config)
        found = await service_status(self.store, self.config)
        html = render(
            "status.html", lang, status=found, nav=_nav(request, "/status", lang), inline_css=None
        )
        return _html(200, html)

    # -- JSON ------------------------------------------------------------------------------

    async def api_day(self, request: web.Request) -> web.StreamResponse:
        """``/api/day``: :meth:`DayPage.to_json`."""
        try:
            page = await self._day_page(request)
        except ValueError as exc:
            return _json(400, {"error": str(exc)})
        return _json(200, page.to_json())

    async def api_play(self, request: web.Request) -> web.StreamResponse:
        """``/api/play?q=&days=``: :meth:`Trial.to_json`, or 400 with the one-line error."""
        try:
            trial = await try_rule(
                self.store,
                self.config,
                request.query.get("q", ""),
                days=_days(request.query.get("days", "7")),
                now=self.clock(),
                limit=PLAY_LIMIT,
                cache=self.cache.stories,
            )
        except TrialError as exc:
            return _json(400, {"error": str(exc)})
        return _json(200, trial.to_json())

    async def api_status(self, request: web.Request) -> web.StreamResponse:
        """``/api/status``: the service's state (target names only)."""
        return _json(200, await service_status(self.store, self.config))

    async def static(self, request: web.Request) -> web.StreamResponse:
        """The stylesheet and the two scripts, from the package."""
        name = request.match_info["name"]
        if name not in _STATIC:
            raise web.HTTPNotFound()
        body = resources.files("notifier.web").joinpath(f"static/{name}").read_bytes()
        return web.Response(
            body=body,
            content_type=_STATIC[name],
            charset="utf-8",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "max-age=300"},
        )

    async def _day_page(self, request: web.Request) -> Any:
        q = request.query
        day = parse_day(q.get("day")) or today(self.tz, self.clock())
        per = q.get("per", "")
        return await day_page(
            self.store,
            self.config,
            day,
            tz=self.tz,
            rule=_param(q.get("rule")),
            tag=_param(q.get("tag")),
            source=_param(q.get("source")),
            query=_param(q.get("q")),
            per_group=min(int(per), MAX_PER_GROUP) if per.isdigit() else PER_GROUP,
            cache=self.cache,
        )


def parse_day(text: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` as a date (``None`` for nothing).

    Raises:
        ValueError: not such a date (one line).
    """
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {text[:40]!r} (write YYYY-MM-DD)") from None


def _days(text: str) -> int:
    if not text.isdigit() or len(text) > 3:
        raise TrialError("days must be a whole number from 1 to 90")
    return int(text)


def _param(value: str | None) -> str | None:
    return value[:_MAX_PARAM] if value else None


def _url(path: str, query: Mapping[str, str], **changes: str) -> str:
    params = {k: v for k, v in query.items() if k != "token"}
    params.update(changes)
    kept = {k: v for k, v in params.items() if v}
    return f"{path}?{urlencode(kept)}" if kept else path


def _nav(request: web.Request, here: str, lang: str) -> dict[str, str]:
    asked = request.query.get("lang")
    keep = {"lang": asked} if asked in ("en", "zh") else {}
    other = "en" if lang == "zh" else "zh"
    return {
        "day": _url("/", keep),
        "play": _url("/play", keep),
        "status": _url("/status", keep),
        "lang": _url(here, {**request.query, "lang": other}),
    }


def _lang_param(request: web.Request) -> str | None:
    asked = request.query.get("lang")
    return asked if asked in ("en", "zh") else None


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _html(status: int, body: str, plain: bool = False) -> web.Response:
    kind = "text/plain" if plain else "text/html"
    return web.Response(status=status, text=body, content_type=kind, charset="utf-8")


def _json(status: int, data: Mapping[str, Any]) -> web.Response:
    body = json.dumps(data, ensure_ascii=False, default=str)
    return web.Response(status=status, text=body, content_type="application/json")
