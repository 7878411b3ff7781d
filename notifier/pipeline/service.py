"""The service: sources → ingest → store → dispatch, plus the HTTP endpoint.

``Service`` wires the parts for one process. Its role says which parts run: ``ingest``
(sources, HTTP ingest, matching), ``worker`` (dispatch), ``bot`` (the Telegram bot, when
configured) or ``all``. Several processes may share one store.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from notifier.config import Config
from notifier.errors import DigestError, StoreError
from notifier.pipeline.dispatch import Dispatcher
from notifier.pipeline.ingest import Ingestor, IngestReport
from notifier.pipeline.matching import Matcher, RuleMatcher
from notifier.pipeline.targets import ConfigTargets, Targets
from notifier.pipeline.workers import Heartbeat
from notifier.sources.base import Digest
from notifier.store import State, Store, open_store

log = logging.getLogger("notifier.service")

ROLES = ("all", "ingest", "worker", "bot")
#: Seconds a stopping service waits for sends in flight.
GRACE = 10.0
#: /healthz answers 503 when the store has not answered within this many seconds.
HEALTH_TIMEOUT = 5.0


class Service:
    """One notifier process: its store, matchers, targets, dispatcher and sources."""

    def __init__(
        self,
        config: Config,
        *,
        store: Store | None = None,
        role: str = "all",
        listen: tuple[str, int] | None = None,
        retry: tuple[float, float] | None = None,
        lease: float | None = None,
    ) -> None:
        from notifier.metrics import Metrics

        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self.config = config
        self.role = role
        self.store = store or open_store(config.store)
        self.metrics = Metrics()
        self.targets = Targets([ConfigTargets(config.channels, config.delivery)])
        self.matchers: list[Matcher] = [
            RuleMatcher(config.rules, traditional=config.settings.fold_traditional)
        ]
        #: The bot's subscribers (``notifier.subscriptions``), when the config has a bot.
        self.subscribers: Any = None
        if config.bot is not None:
            self._add_subscribers(config)
        self.dispatcher = Dispatcher(self.store, self.targets, metrics=self.metrics)
        if retry is not None:  # $NOTIFIER_RETRY_BACKOFF: (first, longest) wait
            self.dispatcher.retry = retry
        if lease is not None:  # $NOTIFIER_LEASE: how long a dead worker's claims wait
            self.dispatcher.lease = lease
        dispatching = role in ("all", "worker")
        self.heartbeat = Heartbeat(
            self.store,
            self.dispatcher.worker,
            role,
            lease=self.dispatcher.lease if dispatching else None,
            serving=self.dispatcher.serving,
        )
        self.ingestor = Ingestor(
            self.store,
            self.matchers,
            self.targets.policy,
            known_target=self.targets.knows,
            on_queued=self.dispatcher.wake,
            metrics=self.metrics,
        )
        self.listen = listen or (config.server.host, config.server.port)
        self.sources: list[Any] = []
        self.started = time.time()
        self._stop = asyncio.Event()
        self._runner: Any = None
        #: The Telegram bot (``notifier.bot.app.BotRunner``) when this process runs it.
        self.bot: Any = None
        self._address: str | None = None
        #: Called once the HTTP endpoint listens, with its (host, port).
        self.on_listening: Callable[[tuple[str, int]], None] | None = None

    def _add_subscribers(self, config: Config) -> None:
        """Telegram subscriptions: a matcher for ingest, their chats as targets."""
        from notifier.subscriptions.directory import Directory
        from notifier.subscriptions.matcher import SubscriptionMatcher
        from notifier.subscriptions.targets import SubscriberTargets

        assert config.bot is not None
        self.subscribers = Directory(self.store.subscriptions)
        self.matchers.append(
            SubscriptionMatcher(
                self.subscribers,
                traditional=config.settings.fold_traditional,
                field_weights=config.settings.field_weights,
            )
        )
        self.targets.add(
            SubscriberTargets(
                self.subscribers, token=config.bot.token, api_server=config.bot.api_server
            )
        )

    # -- ingest ----------------------------------------------------------------------------

    async def ingest(self, digest: Digest) -> IngestReport:
        """Ingest one digest (raises DigestError when it cannot be read)."""
        return await self.ingestor.ingest(digest)

    async def emit(self, digest: Digest) -> None:
        """Ingest a digest from a source. A bad digest is logged, never retried; any other
        failure (the store down) is raised, so that the source hands the digest over again
        later (a folder after a backoff, a URL at its next poll)."""
        try:
            await self.ingestor.ingest(digest)
        except DigestError as exc:
            log.error("%s", exc)
            self.metrics.digest(digest.source, "error")
        except Exception as exc:
            if not isinstance(exc, StoreError):  # a bug: its traceback helps
                log.exception("ingesting %s failed", digest.origin)
            self.metrics.digest(digest.source, "error")
            raise

    def _build_sources(self) -> list[Any]:
        from notifier.sources import build_sources

        async def load(name: str) -> dict[str, Any]:
            return await self.store.source_state(name)

        async def save(name: str, state: dict[str, Any]) -> None:
            await self.store.save_source_state(name, state)

        return build_sources(self.config, load, save)

    # -- running ---------------------------------------------------------------------------

    async def run_once(
        self, digests: list[Digest] | None = None, *, send: bool = True, progress: Any = None
    ) -> list[IngestReport]:
        """Read every source once (or ``digests``), then deliver what is due; return the
        reports of the digests read. ``progress``: a :class:`notifier.progress.Backfill`."""
        reports: list[IngestReport] = []

        async def collect(digest: Digest) -> None:
            try:
                reports.append(await self.ingestor.ingest(digest))
            except DigestError as exc:
                log.error("%s", exc)
                report = IngestReport(digest.origin, digest.source)
                report.warnings.append(str(exc))
                reports.append(report)
            if progress is not None:
                progress.read(reports[-1])

        async with self.store:
            if digests is None:
                for source in self._build_sources():
                    await source.once(collect)
            else:
                for digest in digests:
                    await collect(digest)
            if send:
                if self.subscribers is not None:  # the chats' settings, for their policies
                    await self.subscribers.refresh()
                try:
                    if progress is None:
                        await self.dispatcher.drain()
                    else:
                        async with progress.delivering(self.store):
                            await self.dispatcher.drain()
                finally:
                    await self.targets.aclose()
        return reports

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT (or :meth:`stop`), then shut down cleanly."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        async with self.store:
            tasks: list[asyncio.Task[None]] = []
            # The heartbeat lasts until the dispatcher has stopped: it keeps the claims alive.
            await self.heartbeat.beat()
            beat = asyncio.create_task(self.heartbeat.run(), name="heartbeat")
            try:
                if self.role in ("all", "ingest"):
                    await self.ingestor.load()
                    if self.subscribers is not None:  # build the subscriptions' engine now,
                        await self.subscribers.refresh()  # not on the first digest
                        gc.freeze()  # its objects live as long as we do: GC skips them
                    self.sources = self._build_sources()
                    tasks += [
                        asyncio.create_task(self._source(s), name=f"source:{s.name}")
                        for s in self.sources
                    ]
                    await self._serve_http()
                dispatch = None
                if self.role in ("all", "worker"):
                    if self.subscribers is not None:  # chat settings change while we run
                        follow = self.subscribers.follow()
                        tasks.append(asyncio.create_task(follow, name="subscribers"))
                    dispatch = asyncio.create_task(self.dispatcher.run(), name="dispatch")
                bot = self._start_bot() if self.role in ("all", "bot") else None
                log.info("%s", self.describe())
                await self._stop.wait()
                log.info("stopping")
                if bot is not None:  # the bot first: it finishes the update in hand
                    self.bot.stop()
                    await asyncio.gather(bot, return_exceptions=True)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                if self._runner is not None:
                    await self._runner.cleanup()
                if dispatch is not None:
                    await self.dispatcher.stop(GRACE)
                    dispatch.cancel()
                    await asyncio.gather(dispatch, return_exceptions=True)
            finally:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)
                await self.heartbeat.remove()
                await self.targets.aclose()
        done = self.dispatcher.outcomes
        log.info(
            "notifier stopped after %.0f s: %d sent, %d retried, %d failed, %d held (target gone)",
            time.time() - self.started,
            *(done[k] for k in ("sent", "retry", "failed", "gone")),
        )

    def _start_bot(self) -> asyncio.Task[None] | None:
        """Run the Telegram bot in this process when the config has a bot token."""
        from notifier.bot.options import from_config  # no aiogram import

        options = from_config(self.config)
        if options is None:
            if self.role == "bot":
                log.warning("role bot: the config has no bot: section with a token")
            return None
        from notifier.bot.app import BotRunner  # aiogram: only when a bot runs

        self.bot = BotRunner(
            options,
            self.store.subscriptions,
            stories=self.store,
            traditional=self.config.settings.fold_traditional,
            field_weights=self.config.settings.field_weights,
        )
        return asyncio.create_task(self._run_bot(), name="bot")

    async def _run_bot(self) -> None:
        try:
            await self.bot.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a refused token must not take the service down
            from notifier.bot.app import scrub

            log.error("the Telegram bot stopped: %s", scrub(str(exc), self.bot.options.token))

    def describe(self) -> str:
        """The start line: role, store, sources, targets, address (names only, no secrets)."""
        sources = ", ".join(f"{s.name} ({s.type})" for s in self.config.sources) or "none"
        targets = ", ".join(f"{n} ({c.type})" for n, c in self.config.channels.items())
        address = self._address
        return (
            f"notifier running: role {self.role}; store {_safe_url(self.store.url)}; "
            f"sources: {sources if self.role in ('all', 'ingest') else 'off'}; "
            f"targets: {targets if self.role in ('all', 'worker') else 'off'}; "
            + (f"listening on {address}" if address else "HTTP endpoint off")
        )

    def stop(self) -> None:
        """Ask the service to stop (what SIGTERM does)."""
        self._stop.set()

    async def _source(self, source: Any) -> None:
        try:
            await source.run(self.emit)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("source %s stopped", source.name)

    async def _serve_http(self) -> None:
        from notifier.server import make_app, serve

        app = make_app(
            ingest=self._http_ingest,
            health=self.health,
            metrics=self.metrics,
            refresh_metrics=self._refresh_gauges,
            token=self.config.server.token,
            max_body=self.config.server.max_body,
            body_timeout=self.config.server.body_timeout,
            header_timeout=self.config.server.header_timeout,
            max_uploads=self.config.server.max_uploads,
        )
        host, port = self.listen
        from notifier.web import mount

        mount(app, self.store, self.config, host)  # the page: /, /play, /status
        self._runner = await serve(app, host, port)
        bound = getattr(self._runner, "port", port)
        self._address = f"http://{host}:{bound}"
        if self.on_listening is not None:
            self.on_listening((host, bound))

    async def _http_ingest(self, digest: Digest) -> dict[str, Any]:
        return (await self.ingestor.ingest(digest)).to_json()

    async def _refresh_metrics(self) -> dict[tuple[str, State], int]:
        """Set the queue-depth gauge from the store; return the counts."""
        counts = await self.store.counts([State.QUEUED, State.SENDING, State.DEAD])
        self.metrics.set_queue({(t, s.value): n for (t, s), n in counts.items()})
        return counts

    async def _refresh_gauges(self) -> None:
        """The queue-depth gauge for /metrics; stale while the store does not answer (the
        loops using the store log the outage)."""
        with contextlib.suppress(StoreError, TimeoutError):
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await self._refresh_metrics()

    async def health(self) -> dict[str, Any]:
        """What /healthz reports: queue depth, gone targets, uptime; ``status`` is
        ``unavailable`` (503) while the store does not answer, with the reason."""
        base = {"role": self.role, "uptime": round(time.time() - self.started, 1)}
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                counts = await self._refresh_metrics()
                states = await self.store.target_states()
        except Exception as exc:
            if isinstance(exc, TimeoutError):  # the pool waits for a connection: ask afresh
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(HEALTH_TIMEOUT):
                        exc = await self.store.diagnose() or exc
            why = _unavailable(exc)
            log.debug("health check: %s", why)  # the loops using the store log the outage
            return {"status": "unavailable", **base, "store": "unavailable", "error": why}
        return {
            "status": "ok",
            **base,
            "store": "ok",
            "queued": sum(n for (_, s), n in counts.items() if s is State.QUEUED),
            "dead": sum(n for (_, s), n in counts.items() if s is State.DEAD),
            "gone_targets": [n for n, t in states.items() if t.status == "gone"],
        }


def _unavailable(exc: BaseException) -> str:
    """Why the store did not answer, for /healthz (which anyone may read: no store URL)."""
    if isinstance(exc, StoreError):
        return f"store: {exc.cause}"
    if isinstance(exc, TimeoutError):
        return f"store: no answer within {HEALTH_TIMEOUT:g} s"
    return f"store: {type(exc).__name__}"


def _safe_url(url: str) -> str:
    from channels.base import mask_url

    return mask_url(url)
