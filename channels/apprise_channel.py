"""Any Apprise URL (type ``apprise``): the fallback for services without a native adapter.

Apprise (https://github.com/caronc/apprise, 2.x) is imported only inside methods: it loads
over a hundred plugins, and ``notifier check`` must stay fast. Each URL gets its own Apprise
object, so a retry skips the URLs that already took the payload.

Caveat, verified against local fakes: Apprise's Feishu, Lark, DingTalk and WeCom plugins
only look at the HTTP status, and those services answer *every* business error with HTTP
200 and an error code (bad signature 19021 / 310000, keyword filter, rate limit 11232 /
130101 / 45009, revoked key 93000): Apprise reports them as delivered. The native types
(``feishu``, ``lark``, ``dingtalk``, ``wecom``) read those codes and are the default for
these services; :meth:`AppriseChannel.warnings` makes ``notifier check`` say so when an
Apprise URL uses one of their schemes.

Rendering: markdown (every digest string escaped) for services that take markdown or HTML
(Apprise converts it), plain text for text-only services, so no backslash shows up in a
plain chat. Batches split between entries under the smallest ``body_maxlen`` (characters)
of the configured plugins (halved for HTML services: the conversion adds tags).

Outcome: Apprise reports only success or failure (plus log lines) per service. From the
log we take the ``error=NNN`` the plugins write: 429, 408 and 5xx -> RETRY (no Retry-After
reaches us), other 4xx -> FAILED with that code; connection errors and timeouts -> RETRY;
anything else -> FAILED. With several URLs, any retryable failure makes the whole RETRY
(delivered URLs are skipped on the inline retries; a later re-queue by the pipeline sends
to all of them again). Log lines are redacted: every part of a configured URL that could be
a token is replaced by ``***`` on the ``apprise`` logger while this channel is open.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from channels._logs import RedactValues
from channels.base import Channel, Message, Outcome, Part, Problem, Result, Setting
from channels.ntfy._text import (
    SHRINK_STEPS,
    TITLE_LIMIT,
    entry_markdown,
    entry_text,
    heading,
    line,
)
from channels.ratelimit import Window
from channels.render import cut, escape_markdown, pack

#: Schemes whose Apprise plugin reports HTTP-200 business errors as success.
BLIND_SCHEMES = {
    "feishu": "feishu",
    "lark": "lark",
    "dingtalk": "dingtalk",
    "wecombot": "wecom",
}
#: Apprise's own default body_maxlen (plugins/base.py).
DEFAULT_MAXLEN = 32768
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://.")
_ERROR_CODE = re.compile(r"error=(\d{3,5})\b")
_TRANSIENT = re.compile(r"connection error|timed? ?out|temporar", re.IGNORECASE)


def _apprise() -> Any:
    """Return the apprise module, imported on first use (it is slow to import)."""
    import apprise

    return apprise


@dataclasses.dataclass
class AppriseMessage:
    """One payload: the same entries as markdown and as text; ``done`` holds URL indexes."""

    title: str
    markdown: str
    text: str
    done: set[int] = dataclasses.field(default_factory=set)


def secret_parts(url: str) -> list[str]:
    """Return the pieces of ``url`` that may be credentials, longest first."""
    found = {url}
    try:
        parts = urlsplit(url)
        found.update(re.split(r"[:@]", parts.netloc))
        found.update(unquote(p) for p in parts.path.split("/"))
        found.update(v for _, v in parse_qsl(parts.query))
    except ValueError:
        pass
    return sorted((f for f in found if len(f) >= 4 and not f.isdigit()), key=len, reverse=True)


@dataclasses.dataclass
class _Service:
    index: int
    notifier: Any  # apprise.Apprise holding one plugin
    plugin: Any  # apprise.plugins.NotifyBase


class AppriseChannel(Channel):
    """Send through Apprise to one or more Apprise URLs."""

    type = "apprise"
    settings: ClassVar[tuple[Setting, ...]] = (
        # URLs embed tokens and passwords: the whole list is a secret.
        Setting("urls", list, required=True, secret=True, help="Apprise URL(s)"),
        Setting("timeout", float, default=60.0, help="seconds for one Apprise call"),
    )
    # Unknown services: stay at 20 a minute, the strictest chat robot limit we know
    # (DingTalk and WeCom).
    windows: ClassVar[tuple[Window, ...]] = (Window(20, 60.0),)

    def __init__(
        self, name: str, settings: Mapping[str, Any], *, throttle: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(name, settings, **kwargs)
        #: False turns off Apprise's per-plugin sleep between requests (tests).
        self._throttle = throttle
        self._services_cache: list[_Service | None] | None = None
        secrets = [p for url in self.options["urls"] for p in secret_parts(url)]
        self._redact = RedactValues(secrets)

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        urls = values["urls"] or []
        if not urls:
            return [("urls", "setting 'urls' needs at least one Apprise URL")]
        return [
            ("urls", f"setting 'urls' item {i + 1} is not an Apprise URL (scheme://...)")
            for i, url in enumerate(urls)
            if not isinstance(url, str) or not _SCHEME.match(url.strip())
        ]

    @classmethod
    def advice(cls, settings: Mapping[str, Any]) -> list[Problem]:
        urls = settings.get("urls") or []
        out: list[Problem] = []
        for i, url in enumerate([urls] if isinstance(urls, str) else urls):
            scheme = str(url).partition("://")[0].lower()
            if native := BLIND_SCHEMES.get(scheme):
                out.append(
                    (
                        "urls",
                        f"urls item {i + 1}: Apprise reports {scheme} errors that arrive as "
                        f"HTTP 200 (bad signature, keyword, rate limit) as success; "
                        f"use type: {native}",
                    )
                )
        return out

    # -- Apprise objects ---------------------------------------------------------------------

    def _services(self) -> list[_Service | None]:
        """One Apprise object per URL (None for a URL Apprise cannot parse)."""
        if self._services_cache is None:
            # Apprise 2.2 loads its plugins on first use; its email plugin imports the
            # deprecated ``imghdr`` (Python < 3.13): keep that warning from our users.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                self._services_cache = self._load()
        return self._services_cache

    def _load(self) -> list[_Service | None]:
        apprise = _apprise()
        logging.getLogger("apprise").addFilter(self._redact)
        asset = apprise.AppriseAsset(storage_mode=apprise.PersistentStoreMode.MEMORY)
        services: list[_Service | None] = []
        for index, url in enumerate(self.options["urls"]):
            plugin = apprise.Apprise.instantiate(url.strip(), asset=asset)
            if plugin is None:
                services.append(None)
                continue
            if not self._throttle:
                plugin.request_rate_per_sec = 0  # this instance only
            notifier = apprise.Apprise(asset=asset)
            notifier.add(plugin)
            services.append(_Service(index, notifier, plugin))
        return services

    def _budget(self, title: str) -> int:
        """Characters a body may have for every configured service."""
        NotifyFormat = _apprise().NotifyFormat

        budgets = []
        for service in self._services():
            if service is None:
                continue
            plugin = service.plugin
            room = int(getattr(plugin, "body_maxlen", 0) or DEFAULT_MAXLEN)
            if plugin.resolve_format(NotifyFormat.MARKDOWN) == NotifyFormat.HTML:
                room //= 2  # markdown -> HTML adds tags
            if not getattr(plugin, "title_maxlen", 1):
                room -= len(title) + 2  # the title is folded into the body
            budgets.append(room)
        return max(500, min(budgets, default=DEFAULT_MAXLEN))

    # -- rendering ---------------------------------------------------------------------------

    def render(self, message: Message) -> list[Part]:
        entries = list(message.entries)
        text = line(message.text)
        if not entries and not text:
            return []
        title = cut(heading(message, entries), TITLE_LIMIT - 8)
        budget = self._budget(title + " (99/99)")
        # (markdown, text) per block; an entry too big alone loses summary, title, link
        # (the same steps for both forms), never part of its markup.
        blocks = [(cut(escape_markdown(text), budget), cut(text, budget))] if text else []
        for entry in entries:
            for step in ((), *SHRINK_STEPS, (0, 40, False), (0, 8, False)):
                markdown = entry_markdown(entry, *step)
                if len(markdown) <= budget:
                    break
            blocks.append((cut(markdown, budget), entry_text(entry, *step)))
        packed = pack([markdown for markdown, _ in blocks], limit=budget)
        parts: list[Part] = []
        start = 0
        for n, (markdown, count) in enumerate(packed):
            plain = "\n\n".join(t for _, t in blocks[start : start + count])
            entry_count = count - (1 if text and start == 0 else 0)
            start += count
            numbered = f"{title} ({n + 1}/{len(packed)})" if len(packed) > 1 else title
            payload = AppriseMessage(numbered, markdown, cut(plain, budget))
            parts.append(Part(payload, entry_count))
        return parts

    # -- delivery ----------------------------------------------------------------------------

    async def deliver(self, payload: Any) -> Result:
        NotifyFormat = _apprise().NotifyFormat

        failures: list[Result] = []
        services = self._services()
        for index, service in enumerate(services):
            if index in payload.done:
                continue
            if service is None:
                failures.append(self._failure(Outcome.FAILED, "bad-url", index, "not valid"))
                continue
            plugin = service.plugin
            if plugin.resolve_format(NotifyFormat.MARKDOWN) == NotifyFormat.TEXT:
                body, body_format = payload.text, NotifyFormat.TEXT
            else:
                body, body_format = payload.markdown, NotifyFormat.MARKDOWN
            result = await service.notifier.async_notify(
                body=body,
                title=payload.title,
                body_format=body_format,
                timeout=self.options["timeout"],
            )
            if result:
                payload.done.add(index)
            else:
                failures.append(self._classify(index, plugin, result))
        if not failures:
            return Result(Outcome.SENT, self.name, detail=f"{len(services)} url(s)")
        retry = [f for f in failures if f.outcome is Outcome.RETRY]
        first = (retry or failures)[0]
        delivered = len(payload.done)
        detail = f"{delivered} of {len(services)} url(s) delivered; " + "; ".join(
            f.detail for f in failures
        )
        return dataclasses.replace(first, detail=detail)

    def _classify(self, index: int, plugin: Any, result: Any) -> Result:
        AppriseResultStatus = _apprise().AppriseResultStatus

        services = list(getattr(result, "results", ()))
        logs = " ".join(e.message for s in services for e in s.logs())
        if any(s.status == AppriseResultStatus.TIMEOUT for s in services):
            return self._failure(Outcome.RETRY, "timeout", index, "timed out", plugin)
        if codes := _ERROR_CODE.findall(logs):
            code = int(codes[-1])
            http = code // 100 if code >= 10000 else code  # ntfy's codes: 42901 is a 429
            transient = http in (408, 429) or http >= 500
            outcome = Outcome.RETRY if transient else Outcome.FAILED
            return self._failure(outcome, str(code), index, f"error {code}", plugin)
        if _TRANSIENT.search(logs):
            return self._failure(Outcome.RETRY, "connection", index, "connection error", plugin)
        return self._failure(Outcome.FAILED, "apprise", index, "failed, no status", plugin)

    def _failure(
        self, outcome: Outcome, code: str, index: int, what: str, plugin: Any = None
    ) -> Result:
        service = f" ({plugin.service_name})" if plugin is not None else ""
        return Result(outcome, self.name, code=code, detail=f"urls[{index}]{service}: {what}")

    async def aclose(self) -> None:
        logging.getLogger("apprise").removeFilter(self._redact)
        self._services_cache = None
