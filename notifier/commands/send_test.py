"""``notifier send-test TARGET``: send one test message through a configured target.

The message is titled "notifier test" and carries ``--text``, or a sample entry (title,
link, summary, source, score, tags) that exercises the target's whole rendering. The
outcome is the adapter's structured result: outcome, the service's code and detail, parts
and entries delivered, attempts. Secrets never show: the adapters scrub them, and every
value of a secret setting is masked again here before anything is printed.

The send takes a slot in the store's shared rate limits before each part, exactly as a
worker's does (same keys, same windows: ``notifier.delivery.shared_limits``), and is
recorded as a send of the target, so it counts for the workers too. When the limits are
full, a short wait is waited out (stderr says so); a longer one is refused in one line
that says when the window frees up, and nothing is sent, unless ``--wait`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    from channels.base import Channel, Message, Result
    from notifier.delivery.policy import Policy
    from notifier.store import Limit, Store

EXIT_SENT = 0
EXIT_NOT_SENT = 1
EXIT_CONFIG = 2

TITLE = "notifier test"
#: Full shared limits that free up within this many seconds are waited for; a longer wait
#: is refused (nothing sent) unless ``--wait`` is given.
SHORT_WAIT = 10.0


@dataclasses.dataclass(frozen=True, slots=True)
class Held:
    """Nothing was sent: the shared limits are full for ``wait`` seconds (``limit``'s), or
    the store that keeps them could not be opened (``reason``)."""

    wait: float = 0.0
    limit: Limit | None = None
    reason: str = ""


def run(args: argparse.Namespace) -> int:
    """Send the test message; print the outcome (``--json``: one JSON object).

    Returns:
        0 when the service accepted it, 1 when it did not, 2 on a config error or an
        unknown target.
    """
    from notifier.commands._config import load
    from notifier.config._problems import closest

    config = load(args.config)
    if config is None:
        return EXIT_CONFIG
    targets = config.channels
    if args.target not in targets:
        close = closest(args.target, targets)
        hint = f"; did you mean '{close}'?" if close else ""
        known = ", ".join(sorted(targets))
        print(
            f"{config.path}: unknown target {args.target!r}{hint} (targets: {known})",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    spec = targets[args.target]

    from channels import channel_class
    from notifier.errors import ConfigError

    try:
        channel = channel_class(spec.type)(spec.name, spec.settings)
    except ConfigError as exc:  # checked already; kept for adapters that check more
        print(f"{spec.location or config.path}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    from notifier.commands._config import store_url

    try:
        url = store_url(args, config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    password = urlsplit(url).password if "://" in url else None
    secrets = _secrets(channel) + ([password] if password else [])
    message = test_message(args.text)
    slot = _Slot(spec.name, config.policy(spec.name), url, args.wait)
    result = _send(channel, message, slot)
    if isinstance(result, Held):
        return _held(result, spec.name, args.json, secrets, url)
    if isinstance(result, BaseException):
        # Not a classified answer (a bug, a missing SDK): say what, never with a secret.
        detail = _scrub(f"{type(result).__name__}: {result}", secrets)
        outcome: dict[str, Any] = {"target": spec.name, "outcome": "error", "detail": detail}
        _print(outcome, args.json, channel, secrets)
        return EXIT_NOT_SENT
    data = result.to_json()
    data["entries"] = len(message.entries)
    _print(data, args.json, channel, secrets)
    return EXIT_SENT if result else EXIT_NOT_SENT


def test_message(text: str | None) -> Message:
    """The test message: ``text`` under the title, or one sample entry."""
    from channels.base import Entry, Message

    if text is not None:
        return Message(title=TITLE, text=text)
    sample = Entry(
        title="notifier test: this target receives notifier's messages",
        url="https://example.com/notifier-test",
        summary="A sample item sent by `notifier send-test`: if you can read this, matches "
        "of your rules will arrive here.",
        source="notifier",
        score=3.0,
        rule="send-test",
        tags=("test",),
    )
    return Message(entries=(sample,), title=TITLE)


@dataclasses.dataclass(frozen=True, slots=True)
class _Slot:
    """Where and how the send takes its slot in the shared limits."""

    target: str
    policy: Policy
    store: str  # URL
    wait: bool  # --wait: however long


def _send(channel: Channel, message: Message, slot: _Slot) -> Result | Held | BaseException:
    import asyncio

    async def send() -> Result | Held:
        try:
            return await _send_in_turn(channel, message, slot)
        finally:
            await channel.aclose()

    try:
        return asyncio.run(send())
    except Exception as exc:
        return exc


async def _send_in_turn(channel: Channel, message: Message, slot: _Slot) -> Result | Held:
    """Send under the target's shared limits, as a worker does; record the send."""
    from notifier.delivery.shared_limits import SharedLimits, limits_for
    from notifier.store import open_store

    limits = limits_for(slot.target, channel, slot.policy)
    if not limits:  # no rate limits (console, email...): no store needed
        return await channel.send(message)
    store = open_store(slot.store)  # no I/O yet
    try:
        await store.open()
    except Exception as exc:
        with contextlib.suppress(Exception):
            await store.close()
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Held(reason=first)
    try:
        wait, limit = await _longest_wait(store, limits)
        if wait > SHORT_WAIT and not slot.wait:
            return Held(wait, limit)
        if wait > 0:
            print(
                f"{slot.target}: the shared rate limit is full; waiting {wait:.1f} s for a "
                f"free slot ({_windows(limit)})",
                file=sys.stderr,
                flush=True,
            )
        SharedLimits(store).bind(slot.target, channel, slot.policy)
        result = await channel.send(message)
        if result.sent_parts:
            await store.record_send(slot.target, time.time(), result.sent_parts)
        return result
    finally:
        await store.close()


async def _longest_wait(store: Store, limits: Iterable[Limit]) -> tuple[float, Limit]:
    """The limit that holds a send back longest, and for how long (0.0: none does)."""
    now = time.time()
    waits = [(await store.slot_wait([limit], now), limit) for limit in limits]
    return max(waits, key=lambda pair: pair[0])


def _windows(limit: Limit | None) -> str:
    if limit is None:
        return ""
    counts = " and ".join(f"{count} messages in {seconds:g} s" for count, seconds in limit.windows)
    if limit.key.startswith("telegram-bot:"):
        return f"{counts} for all chats of the bot"
    return counts


def _held(held: Held, target: str, as_json: bool, secrets: list[str], url: str) -> int:
    """Say in one line why nothing was sent (stderr; ``--json``: the outcome on stdout)."""
    import datetime as dt
    import math

    from channels.base import Outcome, Result, mask_url

    if held.reason:
        where = "" if "://" in held.reason else f" ({mask_url(url)})"
        detail = f"the store that keeps the shared rate limits{where} cannot be opened: "
        detail += held.reason
        result = Result(Outcome.FAILED, target, code="store", detail=detail)
    else:
        at = dt.datetime.fromtimestamp(time.time() + held.wait, dt.UTC).astimezone()
        detail = (
            f"the rate limit shared with the workers ({_windows(held.limit)}) is full; a slot "
            f"frees up in {math.ceil(held.wait)} s, at {at:%H:%M:%S}; try again then, or "
            "add --wait"
        )
        wait = round(held.wait, 3)
        result = Result(Outcome.RETRY, target, code="rate-limit", detail=detail, retry_after=wait)
    if as_json:
        print(_scrub(json.dumps(result.to_json(), ensure_ascii=False), secrets))
    else:
        print(_scrub(f"{target}: not sent: {detail}", secrets), file=sys.stderr)
    return EXIT_NOT_SENT


def _print(data: dict[str, Any], as_json: bool, channel: Channel, secrets: list[str]) -> None:
    if as_json:
        print(_scrub(json.dumps(data, ensure_ascii=False), secrets))
        return
    sent = data.get("sent_parts", 0)
    lines = [
        f"target:   {channel.describe()}",
        f"outcome:  {data['outcome']}",
        f"code:     {data.get('code') or '-'}",
        f"detail:   {data.get('detail') or '-'}",
    ]
    if "attempts" in data:
        lines += [
            f"parts:    {sent} sent ({data['sent_entries']} of {data['entries']} entries)",
            f"attempts: {data['attempts']}",
        ]
    if data.get("retry_after") is not None:
        lines.append(f"retry after: {data['retry_after']:g} s")
    if data.get("new_address"):
        lines.append(f"new address: {data['new_address']}")
    print(_scrub("\n".join(lines), secrets))


def _secrets(channel: Channel) -> list[str]:
    """Every value of a secret setting, and the parts of it that are credentials."""
    found: set[str] = set()
    for setting in channel.settings:
        if setting.secret:
            found.update(_parts(channel.options.get(setting.name)))
    return sorted((s for s in found if len(s) >= 4), key=len, reverse=True)


def _parts(value: object) -> Iterable[str]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _parts(item)
        return
    if not isinstance(value, str) or not value:
        return
    yield value
    yield value.strip()
    if "://" in value:
        try:
            url = urlsplit(value.strip())
        except ValueError:
            return
        yield from (v for _, v in parse_qsl(url.query))
        if url.password:
            yield url.password
        # Tokens in paths (Feishu's /hook/<token>, Apprise URLs) are long; "send" is not.
        yield from (p for p in map(unquote, url.path.split("/")) if len(p) >= 16)
    elif ":" in value:  # a Telegram token: its secret half
        yield value.partition(":")[2]


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
