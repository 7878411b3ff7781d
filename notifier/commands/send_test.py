"""``notifier send-test TARGET``: send one test message through a configured target.

The message is titled "notifier test" and carries ``--text``, or a sample entry (title,
link, summary, source, score, tags) that exercises the target's whole rendering. The
outcome is the adapter's structured result: outcome, the service's code and detail, parts
and entries delivered, attempts. Secrets never show: the adapters scrub them, and every
value of a secret setting is masked again here before anything is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    from channels.base import Channel, Message, Result

EXIT_SENT = 0
EXIT_NOT_SENT = 1
EXIT_CONFIG = 2

TITLE = "notifier test"


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
    secrets = _secrets(channel)
    message = test_message(args.text)
    result = _send(channel, message)
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


def _send(channel: Channel, message: Message) -> Result | BaseException:
    import asyncio

    async def send() -> Result:
        try:
            return await channel.send(message)
        finally:
            await channel.aclose()

    try:
        return asyncio.run(send())
    except Exception as exc:
        return exc


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
