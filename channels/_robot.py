"""The half that the DingTalk and WeCom group robots share: digest-safe markdown, one JSON POST.

Markup. Both clients render a small markdown dialect. Neither service documents backslash
escapes, and WeCom is observed *not* to honour them: ``\\[Bug\\]`` shows the backslashes in the
conversation list and renders as display math in the chat (multica-ai/multica#6592, live
tenant). So :func:`inline` does not escape, it disarms: the few characters that open markup
(``[ ] * ` < \\``, ``_`` at a word edge, ``&`` of an entity) become full-width look-alikes that
read the same and mean nothing to either renderer, and a line never *starts* with digest text
that could open a block (heading, quote, list).

Packing. :func:`pack_entries` fills each payload with whole entries while a ``fits`` test on
the real payload holds (so the limit is measured exactly as the service measures it); an entry
too big alone is shrunk field by field (summary, then title, then link), never cut mid-markup.
A :class:`Sizes` model (each entry's block measured once) proposes the payloads and ``fits``
confirms each, so a message renders in time linear in its entries (68 entries to DingTalk
markdown: 2 ms, against 136 ms when every entry added re-rendered and re-measured the whole
payload, measured on one machine).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from channels._logs import redact_httpx_logs
from channels.base import Channel, Entry, Message, Outcome, Problem, Result
from channels.ratelimit import RateLimiter, Window
from channels.render import safe_url

if TYPE_CHECKING:  # httpx is imported on first request: `notifier check` never loads it
    import httpx

# -- text ------------------------------------------------------------------------------------

_DISARM = str.maketrans({"[": "［", "]": "］", "*": "＊", "`": "｀", "<": "＜", "\\": "＼"})
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # `_` not inside a word
_ENTITY_AMP = re.compile(r"&(?=#?\w+;)")  # `&lt;` would be decoded by an HTML-ish renderer
_BLOCK_START = re.compile(r"[#>+\-=|~]|\d{1,9}[.)](?:\s|$)")  # heading, quote, list, rule
_ZWSP = "\u200b"  # a non-space first character: no block can start after it
_RTL = frozenset({"R", "AL"})


#: Control characters (category Cc: U+0000-001F, U+007F-009F) that are not whitespace.
_CONTROL_CHARS = "".join(
    re.escape(chr(cp))
    for cp in range(0xA0)
    if unicodedata.category(chr(cp)) == "Cc" and not chr(cp).isspace()
)
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
#: The blocks that hold every R and AL (right-to-left) character: Hebrew to Arabic
#: Extended-A, RLM, the Hebrew and Arabic presentation forms, the historic RTL scripts and
#: Adlam/Arabic mathematical symbols (tests/channels/test_robot_render.py checks it). One
#: regex search then clears the common text; ``unicodedata`` decides on what it finds.
_RTL_BLOCKS = re.compile(
    "[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


def clean(text: str) -> str:
    """Collapse whitespace (newlines included) and drop control characters."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be sent
    return " ".join(_CONTROL.sub("", text).split())


def isolate(text: str) -> str:
    """Wrap right-to-left text in FSI…PDI so it cannot reorder what follows it."""
    if _RTL_BLOCKS.search(text) and any(
        unicodedata.bidirectional(ch) in _RTL for ch in _RTL_BLOCKS.findall(text)
    ):
        return f"\u2068{text}\u2069"
    return text


def plain(text: str) -> str:
    """Digest text for a plain field (titles, text messages): one line, no ``<@mention>``."""
    return isolate(clean(text).replace("<", "＜"))


def inline(text: str) -> str:
    """Digest text made inert inside DingTalk/WeCom markdown, on one line."""
    text = clean(text).translate(_DISARM)
    text = _ENTITY_AMP.sub("＆", _EDGE_UNDERSCORE.sub("＿", text))
    if _BLOCK_START.match(text):
        text = _ZWSP + text
    return isolate(text)


def meta(entry: Entry) -> str:
    """Source, rule, score and tags on one line (raw digest text: escape before use)."""
    bits = [entry.source, entry.rule]
    if entry.score:
        bits.append(f"{entry.score:g}")
    if entry.tags:
        bits.append(" ".join(f"#{tag}" for tag in entry.tags))
    return " · ".join(b for b in bits if b)


# -- markdown --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Dialect:
    """Where the two markdowns differ."""

    #: A line break inside an entry. DingTalk joins single newlines; two trailing spaces
    #: break the line (jxxghp/MoviePilot-Plugins#875, blinkbean/dingtalk#2).
    line_break: str = "\n"
    #: Wraps the meta line (WeCom markdown greys it with its ``<font color="comment">``).
    meta_format: str = "{}"


DINGTALK = Dialect(line_break="  \n")
WECOM = Dialect(meta_format='<font color="comment">{}</font>')
WECOM_V2 = Dialect()  # markdown_v2 has no font colours


def entry_block(entry: Entry, number: int, dialect: Dialect) -> str:
    """One entry: numbered linked title, then summary and meta as a quote."""
    try:
        return _entry_block(entry, number, dialect)
    except TypeError:  # an unhashable field (a list of tags): render without the cache
        return _entry_block.__wrapped__(entry, number, dialect)


# Packing renders a part's entries again for each check and for the payload: once each.
@functools.lru_cache(maxsize=1024)
def _entry_block(entry: Entry, number: int, dialect: Dialect) -> str:
    url = safe_url(entry.url)
    title = inline(entry.title) or "…"
    # `**1.**` rather than `1.`: a list would restart at 1 in renderers that drop the start.
    lines = [f"**{number}.** [{title}]({url})" if url else f"**{number}.** {title}"]
    if summary := inline(entry.summary):
        lines.append(f"> {summary}")
    if info := inline(meta(entry)):
        lines.append("> " + dialect.meta_format.format(info))
    return dialect.line_break.join(lines)


def markdown(
    entries: Sequence[Entry], start: int, dialect: Dialect, *, heading: str = "", text: str = ""
) -> str:
    """The markdown of one payload: heading (raw, already safe), free text, entries."""
    blocks = [f"### {heading}"] if heading else []
    if lines := [inline(line) for line in text.splitlines() if line.strip()]:
        blocks.append(dialect.line_break.join(lines))
    blocks += [entry_block(e, start + i + 1, dialect) for i, e in enumerate(entries)]
    return "\n\n".join(blocks)


# -- packing ---------------------------------------------------------------------------------

#: ``fits(entries, start, first)``: does the payload of these entries stay within the limit?
Fits = Callable[[Sequence[Entry], int, bool], bool]


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """An additive model of a payload's size, so that packing measures each entry once.

    Entries ``start … k`` of the message fit in one payload when the ``entry`` sizes of
    them add up to at most ``room(start, first)``. For payloads that join entry blocks
    into one string (markdown, text): ``room`` is the limit less the payload without
    entries, ``entry`` the block of entry ``index`` plus the separator before it (and
    ``room`` gives that separator back when nothing precedes the first entry).
    """

    room: Callable[[int, bool], int]
    entry: Callable[[Entry, int], int]


def pack_entries(
    entries: Sequence[Entry],
    fits: Fits,
    *,
    max_count: int | None = None,
    sizes: Sizes | None = None,
) -> list[tuple[int, list[Entry]]]:
    """Group entries in order into payloads that fit; return (index of first entry, entries).

    Each payload takes as many entries as ``fits`` allows (sizes grow with every entry, so
    that is the first entry that does not fit). With ``sizes`` the candidates come from the
    model, measured once per entry, and ``fits`` only confirms each payload (twice: it fits,
    one more entry would not), so packing is linear in the entries; without, every entry
    added is a ``fits`` check of the whole payload.
    """
    if sizes is None:
        return _pack_each(entries, fits, max_count)
    parts: list[tuple[int, list[Entry]]] = []
    start, n = 0, len(entries)
    while start < n:
        first = not parts
        head = shrink(entries[start], functools.partial(_fits_alone, fits, start, first))
        current, end = [head], start + 1
        room, used = sizes.room(start, first), sizes.entry(head, start)
        while end < n and (max_count is None or len(current) < max_count):
            size = sizes.entry(entries[end], end)
            if used + size > room:
                break
            current.append(entries[end])
            used, end = used + size, end + 1
        # The model only proposes: ``fits`` has the last word, so no limit rests on it.
        if not fits(current, start, first):
            lo, hi = 1, len(current) - 1  # [head] is as good as the shrink made it
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if fits(current[:mid], start, first):
                    lo = mid
                else:
                    hi = mid - 1
            del current[lo:]
            end = start + lo
        else:
            while (
                end < n
                and (max_count is None or len(current) < max_count)
                and fits([*current, entries[end]], start, first)
            ):
                current.append(entries[end])
                end += 1
        parts.append((start, current))
        start = end
    return parts


def _pack_each(
    entries: Sequence[Entry], fits: Fits, max_count: int | None
) -> list[tuple[int, list[Entry]]]:
    parts: list[tuple[int, list[Entry]]] = []
    current: list[Entry] = []
    start = 0
    for index, entry in enumerate(entries):
        full = max_count is not None and len(current) >= max_count
        if current and (full or not fits([*current, entry], start, not parts)):
            parts.append((start, current))
            current, start = [], index
        if not current:
            entry = shrink(entry, functools.partial(_fits_alone, fits, start, not parts))
        current.append(entry)
    if current:
        parts.append((start, current))
    return parts


def _fits_alone(fits: Fits, start: int, first: bool, entry: Entry) -> bool:
    return fits([entry], start, first)


def shrink(entry: Entry, ok: Callable[[Entry], bool]) -> Entry:
    """Return ``entry`` with its summary, then title, then link shortened until ``ok``."""
    if ok(entry):
        return entry
    bare = dataclasses.replace(entry, summary="")
    if ok(bare):
        return _longest(lambda s: dataclasses.replace(bare, summary=s), entry.summary, "", ok)
    if not ok(dataclasses.replace(bare, title="…")):
        bare = dataclasses.replace(bare, url=None, tags=())
    return _longest(lambda t: dataclasses.replace(bare, title=t), entry.title, "…", ok)


def _longest(
    make: Callable[[str], Entry], text: str, empty: str, ok: Callable[[Entry], bool]
) -> Entry:
    """``make`` with the longest prefix of ``text`` (plus ``…``) that is ok, else ``empty``."""
    lo, hi = 0, len(text)
    while lo < hi:  # binary search on the prefix length: sizes grow with it
        mid = (lo + hi + 1) // 2
        if ok(make(text[:mid].rstrip() + "…")):
            lo = mid
        else:
            hi = mid - 1
    return make(text[:lo].rstrip() + "…" if lo else empty)


# -- HTTP ------------------------------------------------------------------------------------


def encode(payload: Any) -> bytes:
    """The request body exactly as sent: compact JSON, UTF-8, no ``\\uXXXX`` escapes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_len(text: str) -> int:
    """Bytes that ``text`` adds inside a JSON string of :func:`encode`."""
    return len(encode(text)) - 2


def webhook_problems(settings: Mapping[str, Any], param: str, example: str) -> list[Problem]:
    """Problems of the ``webhook`` setting (never its value: it holds the credential)."""
    url = settings.get("webhook")
    if not isinstance(url, str) or not url:
        return []  # reported by the schema
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [("webhook", f"setting 'webhook' must be the robot's webhook URL, like {example}")]
    if not parse_qs(parts.query).get(param):
        return [
            ("webhook", f"setting 'webhook' has no {param}= (copy the whole URL, like {example})")
        ]
    return []


class RobotChannel(Channel):
    """A webhook robot: one JSON POST per part; transport and HTTP failures classified here."""

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any],
        *,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        import asyncio

        super().__init__(name, settings, clock=clock, sleep=sleep)
        self._client = client
        self._own_client = client is None
        # The limiter counts a send when it starts; the robot counts it when it arrives, at
        # most `timeout` later (post() enforces that as a total deadline). Sends are serial
        # (see send()), so widening each window by the timeout means that no `seconds`-long
        # stretch can ever hold more than `count` arrivals, however slow the network.
        margin = self.options["timeout"]
        windows = [Window(w.count, w.seconds + margin) for w in self.windows]
        self.limiter = RateLimiter(windows, clock=clock, sleep=sleep)
        self._serial = asyncio.Lock()
        redact_httpx_logs()

    async def send(self, message: Message) -> Result:
        # One message at a time per robot: the parts of two messages never interleave in the
        # group, and no request is still on its way when the limiter admits the next one.
        async with self._serial:
            return await super().send(message)

    def secrets(self) -> list[str]:
        """Every value that must never appear in a detail (the settings marked secret)."""
        found: list[str] = []
        for s in self.settings:
            value = self.options.get(s.name)
            if s.secret and isinstance(value, str) and value:
                found.append(value)
                found += [v for vs in parse_qs(urlsplit(value).query).values() for v in vs]
        return sorted({v for v in found if len(v) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """``text`` with every secret masked."""
        for value in self.secrets():
            text = text.replace(value, "***")
        return text

    async def aclose(self) -> None:
        if self._client is not None and self._own_client:
            await self._client.aclose()
            self._client = None

    async def post(self, url: httpx.URL | str, payload: Any) -> dict[str, Any] | Result:
        """POST ``payload``; return the answer's JSON object, or a Result when there is none."""
        import asyncio

        import httpx

        if self._client is None:
            self._client = httpx.AsyncClient()
        timeout = self.options["timeout"]
        try:
            async with asyncio.timeout(timeout):  # a total deadline (httpx's is per phase)
                response = await self._client.post(
                    url,
                    content=encode(payload),
                    headers={"Content-Type": "application/json; charset=utf-8"},
                    timeout=timeout,
                )
        except (TimeoutError, httpx.TimeoutException) as exc:
            return self.result(Outcome.RETRY, detail=f"timed out ({type(exc).__name__})")
        except httpx.RequestError as exc:  # connection, protocol, decoding
            why = self.scrub(str(exc)) or type(exc).__name__
            return self.result(Outcome.RETRY, detail=f"request failed: {why}")
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        # The robots answer HTTP 200 with errcode inside; read any such answer as theirs.
        if isinstance(body, dict) and ("errcode" in body or status == 200):
            return body
        code, reason = f"http {status}", response.reason_phrase
        if status == 429 or status >= 500:  # a gateway in front of the robot
            # Without Retry-After, wait out the robot's minute rather than hammer it.
            wait = _retry_after(response.headers.get("Retry-After"))
            wait = 60.0 if wait is None and status == 429 else wait
            return self.result(Outcome.RETRY, code=code, detail=reason, retry_after=wait)
        if status >= 300:
            return self.result(Outcome.FAILED, code=code, detail=reason)
        return self.result(Outcome.FAILED, code=code, detail="the answer is not the robot's JSON")

    def result(self, outcome: Outcome, **fields: Any) -> Result:
        """A Result for this target, its detail scrubbed of secrets."""
        fields["detail"] = self.scrub(str(fields.get("detail", "")))
        return Result(outcome, self.name, **fields)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
