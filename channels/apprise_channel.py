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
plain chat. Sizes are counted per service in the unit that service counts
(:mod:`channels.apprise_sizes`: ntfy UTF-8 bytes, and the JSON request under the size at
which Apprise would upload the body as an attachment; Telegram, Discord, Slack, Pushover;
UTF-8 bytes against ``body_maxlen`` for any other). Batches split between entries so that
every part fits every configured URL; an entry too big alone loses summary, then title,
then link, and is cut with ``…`` only as a last resort.

Too big: a service that refuses a part as too big (ntfy 40014 / 41303, HTTP 413) gets a
smaller limit (half the refused size, kept for later sends); the part's entries are
rendered again and sent on to the URLs that did not take it (:meth:`AppriseChannel.resplit`).

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

from channels import apprise_sizes as sizes
from channels._logs import RedactValues
from channels._robot import shrink
from channels.base import Channel, Entry, Message, Outcome, Part, Problem, Result, Setting
from channels.ntfy._text import TITLE_LIMIT, entry_markdown, entry_text, heading, line
from channels.ratelimit import Window
from channels.render import cut, escape_markdown

log = logging.getLogger(__name__)

#: Schemes whose Apprise plugin reports HTTP-200 business errors as success.
BLIND_SCHEMES = {
    "feishu": "feishu",
    "lark": "lark",
    "dingtalk": "dingtalk",
    "wecombot": "wecom",
}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://.")
_ERROR_CODE = re.compile(r"error=(\d{3,5})\b")
_TRANSIENT = re.compile(r"connection error|timed? ?out|temporar", re.IGNORECASE)
#: Refused as too big: HTTP 413; ntfy 40014 (the body would be an attachment, attachments
#: off), 41301 (attachment too large), 41303 (JSON body too large) (server/errors.go).
TOO_BIG_CODES = frozenset({413, 40014, 41301, 41303})
_TOO_BIG_TEXT = re.compile(r"too (large|long|big)|entity too large", re.IGNORECASE)
_TOO_BIG_NOTE = " (too big)"


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
    #: URL indexes that refused it as too big.
    too_big: set[int] = dataclasses.field(default_factory=set)
    #: The share of each URL's limits it was rendered under (see AppriseChannel._scale).
    scales: dict[int, float] = dataclasses.field(default_factory=dict)


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
        #: Per URL index: the share of its limits a too-big refusal left us (1.0: all).
        self._scale: dict[int, float] = {}
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

    def _format(self, plugin: Any) -> str:
        """What the service gets of our markdown: "text", "markdown" or "html"."""
        return str(plugin.resolve_format(_apprise().NotifyFormat.MARKDOWN).value)

    def _limits(self, title: str) -> list[sizes.Constraint]:
        """The constraints of every configured service on one body."""
        out: list[sizes.Constraint] = []
        for service in self._services():
            if service is not None:
                scale = self._scale.get(service.index, 1.0)
                fmt = self._format(service.plugin)
                out += sizes.constraints(service.plugin, title, fmt, scale)
        return out or [sizes.Constraint("markdown", len, sizes.DEFAULT_MAXLEN)]

    # -- rendering ---------------------------------------------------------------------------

    def render(self, message: Message) -> list[Part]:
        entries = list(message.entries)
        text = line(message.text)
        if not entries and not text:
            return []
        title = cut(heading(message, entries), TITLE_LIMIT - 8)
        limits = self._limits(title + " (99/99)")
        blocks = [sizes.Block(escape_markdown(text), text)] if text else []
        blocks += [_block(e) for e in entries]

        def smaller(block: sizes.Block) -> sizes.Block:
            # Summary, then title, then link shortened (with "…"); cut only as a last resort.
            if block.entry is not None:
                entry = shrink(block.entry, lambda e: sizes.fits([_block(e)], limits))
                block = _block(entry)
            return sizes.cut_to_fit(block, limits)

        groups = sizes.pack(blocks, limits, smaller)
        parts: list[Part] = []
        for n, group in enumerate(groups):
            numbered = f"{title} ({n + 1}/{len(groups)})" if len(groups) > 1 else title
            markdown = sizes.SEPARATOR.join(b.markdown for b in group)
            plain = sizes.SEPARATOR.join(b.text for b in group)
            count = sum(1 for b in group if b.entry is not None)
            payload = AppriseMessage(numbered, markdown, plain, scales=dict(self._scale))
            parts.append(Part(payload, count))
        return parts

    def resplit(self, part: Part, result: Result, message: Message) -> list[Part] | None:
        """Services that refused ``part`` as too big get half the refused size from now on;
        the entries go again, smaller, to the URLs that did not take them."""
        payload: AppriseMessage = part.payload
        services = self._services()
        lowered = False
        for index in payload.too_big:
            service = services[index]
            assert service is not None
            scale = self._scale.get(index, 1.0)
            if scale < payload.scales.get(index, 1.0):  # rendered before a lowering
                lowered = True
                continue
            limits = sizes.constraints(
                service.plugin, payload.title, self._format(service.plugin), scale
            )
            body = {"markdown": payload.markdown, "text": payload.text}
            used = scale * max(c.used(body[c.form]) for c in limits)  # of the full limit
            new = max(sizes.MIN_SCALE, min(scale, used) / 2)
            if new < used:
                self._scale[index] = new
                lowered = True
                log.warning(
                    "%s: urls[%d] (%s) refused a message as too big; now sized at %.0f%% "
                    "of its limit",
                    self.name,
                    index,
                    service.plugin.service_name,
                    new * 100,
                )
        payload.too_big.clear()
        if not lowered:
            return None
        parts = self.render(message)
        for new_part in parts:
            new_part.payload.done |= payload.done
        return parts

    def render_rest(self, later: list[Part], message: Message) -> list[Part]:
        # Parts a URL already took (from an earlier resplit) stay as they are.
        if any(p.payload.done for p in later):
            return later
        return self.render(message)

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
                continue
            failure, too_big = self._classify(index, plugin, result)
            failures.append(failure)
            if too_big:
                payload.too_big.add(index)
        if not failures:
            return Result(Outcome.SENT, self.name, detail=f"{len(services)} url(s)")
        # Too big first: send() then splits at once (the other URLs get the smaller parts).
        big = [f for f in failures if f.detail.endswith(_TOO_BIG_NOTE)]
        retry = [f for f in failures if f.outcome is Outcome.RETRY]
        first = (big or retry or failures)[0]
        delivered = len(payload.done)
        detail = f"{delivered} of {len(services)} url(s) delivered; " + "; ".join(
            f.detail for f in failures
        )
        return dataclasses.replace(first, detail=detail)

    def _classify(self, index: int, plugin: Any, result: Any) -> tuple[Result, bool]:
        """The failure of one URL, and whether the service found the message too big."""
        AppriseResultStatus = _apprise().AppriseResultStatus

        services = list(getattr(result, "results", ()))
        logs = " ".join(e.message for s in services for e in s.logs())
        if any(s.status == AppriseResultStatus.TIMEOUT for s in services):
            return self._failure(Outcome.RETRY, "timeout", index, "timed out", plugin), False
        if codes := _ERROR_CODE.findall(logs):
            code = int(codes[-1])
            http = code // 100 if code >= 10000 else code  # ntfy's codes: 42901 is a 429
            transient = http in (408, 429) or http >= 500
            outcome = Outcome.RETRY if transient else Outcome.FAILED
            too_big = code in TOO_BIG_CODES or (http == 400 and bool(_TOO_BIG_TEXT.search(logs)))
            what = f"error {code}" + (_TOO_BIG_NOTE if too_big else "")
            return self._failure(outcome, str(code), index, what, plugin), too_big
        if _TRANSIENT.search(logs):
            failure = self._failure(Outcome.RETRY, "connection", index, "connection error", plugin)
            return failure, False
        return self._failure(Outcome.FAILED, "apprise", index, "failed, no status", plugin), False

    def _failure(
        self, outcome: Outcome, code: str, index: int, what: str, plugin: Any = None
    ) -> Result:
        service = f" ({plugin.service_name})" if plugin is not None else ""
        return Result(outcome, self.name, code=code, detail=f"urls[{index}]{service}: {what}")

    async def aclose(self) -> None:
        logging.getLogger("apprise").removeFilter(self._redact)
        self._services_cache = None


def _block(entry: Entry) -> sizes.Block:
    return sizes.Block(entry_markdown(entry), entry_text(entry), entry)
