"""What must never reach an MCP client, and a last pass that removes it from results.

The tools are built to leave secrets out (target names only, never settings); this is the
backstop: every value of a channel setting that can be a secret or an address (webhooks,
tokens, chat ids, ...), every source URL and header, the server's and the bot's tokens and
the MCP token are replaced by ``***`` wherever they would appear in a result or an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from notifier.config import Config

MASK = "***"
#: Shorter values are not masked inside text: they would hit ordinary words and numbers.
MIN_LENGTH = 6
#: Setting names whose values are secrets or addresses.
_SECRET_KEY = re.compile(
    r"secret|token|webhook|url|password|key|chat|receive|app_id|topic|recipient|user|sender|"
    r"host|server|header|auth",
    re.IGNORECASE,
)


def config_secrets(config: Config | None, extra: Iterable[str | None] = ()) -> frozenset[str]:
    """The values of ``config`` (and ``extra``) that must never be shown."""
    found: set[str] = {v for v in extra if v}
    if config is not None:
        for channel in config.channels.values():
            for key, value in channel.settings.items():
                if _SECRET_KEY.search(key) or _looks_like_address(value):
                    found.update(_strings(value))
        for source in config.sources:
            for key, value in source.settings.items():
                if key in ("url", "headers") or _looks_like_address(value):
                    found.update(_strings(value))
        found.update(_strings(config.server.token))
        if config.bot is not None:
            found.update(_strings(getattr(config.bot, "token", None)))
            webhook = getattr(config.bot, "webhook", None)
            if webhook is not None:
                found.update(_strings(webhook.secret))
    return frozenset(v for v in found if len(v) >= MIN_LENGTH)


def scrub(value: Any, secrets: frozenset[str]) -> Any:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with every secret masked."""
    if not secrets:
        return value
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, Mapping):
        return {scrub_text(str(k), secrets): scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return MASK if str(value) in secrets else value
    return value


def scrub_text(text: str, secrets: frozenset[str]) -> str:
    """``text`` with every secret masked (longest first, so none is half masked)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _looks_like_address(value: Any) -> bool:
    return isinstance(value, str) and "://" in value


def _strings(value: Any) -> list[str]:
    """Every scalar inside ``value`` as text (a URL also without its query string)."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for v in value for s in _strings(v)]
    text = str(value).strip()
    out = [text]
    if "://" in text and "?" in text:
        out.append(text.split("?", 1)[1])  # the token part, should the URL be cut there
    return out
