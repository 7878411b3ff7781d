"""How big an Apprise message may be, per service, in the unit that service counts.

Apprise's ``body_maxlen`` is in characters, but services count differently: ntfy counts
UTF-8 bytes (a Chinese character is 3), Telegram characters after parsing, Discord and Slack
characters of their own kind. :data:`LIMITS` holds what we know, with sources; any other
service gets Apprise's ``body_maxlen`` counted in UTF-8 bytes, the largest of the usual units
for any text (bytes >= UTF-16 units >= code points), so the guess errs on the small side.

Each configured URL becomes a few :class:`Constraint` objects (a measure, a room, and the
form the service receives: markdown or text). Every measure here is additive over string
concatenation, so a batch is packed with running sums: each block is measured once.

This module never imports apprise: it reads the plugin object it is given.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from channels.base import Entry
from channels.render import Measure, code_points, cut, utf8_len

#: Apprise's default ``body_maxlen`` (plugins/base.py), for a plugin that sets none.
DEFAULT_MAXLEN = 32768
#: Apprise's ntfy plugin uploads a body as an attachment when its JSON request is longer
#: than this (``ntfy_json_upstream_size_limit``, characters of ``json.dumps`` with ASCII
#: escapes: 6 per CJK character); a server with attachments off answers 400 40014.
NTFY_JSON_LIMIT = 8000
#: The separator between blocks (entries) of one message.
SEPARATOR = "\n\n"
#: A learnt limit never goes below this fraction of the table's.
MIN_SCALE = 1 / 16
#: The smallest room we size for, in the service's unit.
MIN_ROOM = 64


def utf16_len(text: str) -> int:
    """Size in UTF-16 code units (what JavaScript's ``length`` counts)."""
    return len(text.encode("utf-16-le")) // 2


def json_ascii_len(text: str) -> int:
    """Characters ``text`` takes inside a ``json.dumps`` string (ASCII escapes, as Apprise)."""
    return len(json.dumps(text)) - 2


@dataclasses.dataclass(frozen=True, slots=True)
class ServiceLimit:
    """What one service takes in a message body."""

    limit: int | None  # None: no limit of the service's own (Apprise's body_maxlen applies)
    measure: Measure
    source: str
    counts_markup: bool = True  # False: counted after parsing (HTML tags are free)
    title_apart: bool = False  # True: the title is not counted in the body's limit


_NTFY = ServiceLimit(
    4096,
    utf8_len,
    "ntfy server/config.go DefaultMessageSizeLimit, bytes; handlePublishBody makes a longer "
    "body an attachment, 400 40014 where attachments are off",
    title_apart=True,
)
_NONE = ServiceLimit(None, code_points, "no limit of the service; Apprise's body_maxlen")

#: Known services by Apprise protocol (``protocol`` / ``secure_protocol`` of the plugin).
LIMITS: dict[str, ServiceLimit] = {
    "ntfy": _NTFY,
    "ntfys": _NTFY,
    # TDLib MessageContent.cpp counts code points after entity parsing (4096, Bot API
    # "1-4096 characters after entities parsing"); UTF-16 units are never fewer.
    "tgram": ServiceLimit(
        4096, utf16_len, "Telegram Bot API sendMessage, 4096 after parsing", counts_markup=False
    ),
    # Execute Webhook: content "up to 2000 characters"; the unit is not documented.
    "discord": ServiceLimit(2000, utf16_len, "Discord API Execute Webhook, content 2000"),
    # Block Kit section text: 3000 characters (Apprise's blocks=yes); plain text is cut at
    # 40,000 and Slack asks clients for at most 4000.
    "slack": ServiceLimit(3000, utf16_len, "Slack Block Kit section text 3000"),
    # pushover.net/api: "messages are limited to 1024 4-byte UTF-8 characters"; title apart.
    "pover": ServiceLimit(1024, code_points, "Pushover API, message 1024 characters"),
    # Email and your own webhooks: no limit of their own.
    "mailto": _NONE,
    "mailtos": _NONE,
    "json": _NONE,
    "jsons": _NONE,
    "form": _NONE,
    "forms": _NONE,
    "xml": _NONE,
    "xmls": _NONE,
}
#: Any other service.
DEFAULT = ServiceLimit(None, utf8_len, "Apprise's body_maxlen counted in UTF-8 bytes")


@dataclasses.dataclass(frozen=True, slots=True)
class Constraint:
    """``measure(body) <= room`` for the body in ``form`` ("markdown" or "text")."""

    form: str
    measure: Measure
    room: int

    def used(self, body: str) -> float:
        """Fraction of the room ``body`` takes."""
        return self.measure(body) / self.room


def service_limit(plugin: Any) -> ServiceLimit:
    """Return the table's entry for ``plugin`` (by its protocols), else :data:`DEFAULT`."""
    for attr in ("secure_protocol", "protocol"):
        names = getattr(plugin, attr, None) or ()
        for name in [names] if isinstance(names, str) else names:
            if found := LIMITS.get(str(name).lower()):
                return found
    return DEFAULT


def constraints(plugin: Any, title: str, fmt: str, scale: float = 1.0) -> list[Constraint]:
    """The constraints of one service on a body sent with ``title`` in format ``fmt``.

    ``fmt`` is what Apprise resolves our markdown to: "text" (the service gets our plain
    text), "markdown", or "html" (Apprise converts it: tags count, so half the room).
    ``scale`` (<= 1) is what the service taught us by refusing a message as too big.
    """
    known = service_limit(plugin)
    form = "text" if fmt == "text" else "markdown"
    maxlen = int(getattr(plugin, "body_maxlen", 0) or DEFAULT_MAXLEN)
    folded = getattr(plugin, "title_maxlen", 1) <= 0 or getattr(
        plugin, "overflow_amalgamate_title", False
    )
    html = fmt == "html"

    def room(limit: int, measure: Measure, counts_markup: bool, title_apart: bool) -> int:
        if html and counts_markup:
            limit //= 2
        if folded and not title_apart:  # "title\r\n" before the body; <b></b><br /> in HTML
            limit -= measure(title) + 2 + (20 if html else 0)
        return max(MIN_ROOM, math.floor(limit * scale))

    # Apprise's own limit, in characters: it splits or cuts past it when a URL says so.
    out = [Constraint(form, code_points, room(maxlen, code_points, True, False))]
    limit = known.limit if known.limit is not None else maxlen
    if known.measure is not code_points or limit < maxlen:
        measure = known.measure
        out.append(
            Constraint(form, measure, room(limit, measure, known.counts_markup, known.title_apart))
        )
    if known is _NTFY:
        out.append(Constraint(form, json_ascii_len, _ntfy_json_room(plugin, title, scale)))
    return out


def _ntfy_json_room(plugin: Any, title: str, scale: float) -> int:
    """Room for the body in Apprise's ntfy JSON request (see :data:`NTFY_JSON_LIMIT`)."""
    topics = [str(t) for t in getattr(plugin, "topics", None) or ()] or ["topic"]
    data: dict[str, Any] = {"topic": max(topics, key=json_ascii_len)}
    if getattr(plugin, "attach", None):
        data["attach"] = str(plugin.attach)
        if getattr(plugin, "filename", None):
            data["filename"] = str(plugin.filename)
    data["title"] = title
    data["message"] = ""
    limit = int(getattr(plugin, "ntfy_json_upstream_size_limit", 0) or NTFY_JSON_LIMIT)
    return max(MIN_ROOM, math.floor(limit * scale) - len(json.dumps(data)))


# -- packing -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Block:
    """One entry (or the free text) in both forms; ``entry`` is None for the free text."""

    markdown: str
    text: str
    entry: Entry | None = None

    def form(self, name: str) -> str:
        return self.text if name == "text" else self.markdown


def fits(blocks: Sequence[Block], limits: Sequence[Constraint]) -> bool:
    """True if ``blocks`` joined fit every constraint."""
    return all(c.measure(SEPARATOR.join(b.form(c.form) for b in blocks)) <= c.room for c in limits)


def pack(
    blocks: Sequence[Block],
    limits: Sequence[Constraint],
    shrink: Callable[[Block], Block],
) -> list[list[Block]]:
    """Group ``blocks`` in order, as many per group as every constraint allows.

    Never splits a block; one that does not fit alone is passed to ``shrink`` first.
    Sizes are summed (every measure is additive), so each block is measured once.
    """
    seps = [c.measure(SEPARATOR) for c in limits]
    groups: list[list[Block]] = []
    current: list[Block] = []
    used = [0] * len(limits)
    for block in blocks:
        sizes = [c.measure(block.form(c.form)) for c in limits]
        if current and all(
            u + s + sep <= c.room for u, s, sep, c in zip(used, sizes, seps, limits, strict=True)
        ):
            current.append(block)
            used = [u + s + sep for u, s, sep in zip(used, sizes, seps, strict=True)]
            continue
        if current:
            groups.append(current)
        if not all(s <= c.room for s, c in zip(sizes, limits, strict=True)):
            block = shrink(block)
            sizes = [c.measure(block.form(c.form)) for c in limits]
        current, used = [block], sizes
    if current:
        groups.append(current)
    return groups


def cut_to_fit(block: Block, limits: Sequence[Constraint]) -> Block:
    """``block`` with each form cut (ending in ``…``) to fit the constraints on that form."""
    out = {}
    for form in ("markdown", "text"):
        mine = [c for c in limits if c.form == form]
        text = block.form(form)
        if mine and not all(c.measure(text) <= c.room for c in mine):
            text = cut(text, 10**6, lambda s, mine=mine: _scaled(s, mine))
        out[form] = text
    return Block(out["markdown"], out["text"], block.entry)


def _scaled(text: str, limits: Sequence[Constraint]) -> int:
    """The largest share of a room ``text`` takes, in millionths (rounded up)."""
    return max(math.ceil(c.measure(text) * 10**6 / c.room) for c in limits)
