"""The bot's settings: token, Bot API server, config admins, limits, webhook.

Read from the config's ``bot:`` section (``Config.bot``) by :func:`from_config`; tests build
:class:`BotOptions` directly. The token never appears in ``repr``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

DEFAULT_API = "https://api.telegram.org"


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """Per-chat and per-user caps."""

    #: Subscriptions per chat.
    subscriptions: int = 20
    #: Terms (words, phrases, regexes) per expression.
    keywords: int = 10
    #: Characters per expression.
    expr_chars: int = 200
    #: Commands per user within ``per_seconds`` (a sliding window).
    commands: int = 20
    per_seconds: float = 60.0
    #: Characters of any message the bot reads (Telegram allows 4,096).
    message_chars: int = 1000


@dataclasses.dataclass(frozen=True, slots=True)
class Webhook:
    """Webhook mode: Telegram POSTs updates to ``url``; we listen on ``host:port/path``."""

    url: str
    secret: str = dataclasses.field(repr=False, default="")
    host: str = "0.0.0.0"
    port: int = 8443
    path: str = "/telegram"


@dataclasses.dataclass(frozen=True, slots=True)
class BotOptions:
    token: str = dataclasses.field(repr=False)
    api_server: str = DEFAULT_API
    #: Telegram user ids allowed to route subscriptions to channels and other chats.
    admins: frozenset[int] = frozenset()
    limits: Limits = dataclasses.field(default_factory=Limits)
    #: ``en`` or ``zh``: for users whose Telegram language is unknown.
    language: str = "en"
    webhook: Webhook | None = None
    #: Days of stories the /sub preview looks back.
    preview_days: int = 3
    #: Seconds a getUpdates long poll waits.
    polling_timeout: int = 30


def from_config(config: Any) -> BotOptions | None:
    """The options of ``config.bot`` (``None`` without a ``bot:`` section or token)."""
    section = getattr(config, "bot", None)
    if section is None or not getattr(section, "token", None):
        return None
    limits = getattr(section, "limits", None)
    hook = getattr(section, "webhook", None)
    return BotOptions(
        token=str(section.token),
        api_server=str(getattr(section, "api_server", None) or DEFAULT_API),
        admins=frozenset(int(a) for a in getattr(section, "admins", ()) or ()),
        limits=_limits(limits) if limits is not None else Limits(),
        language=_lang(getattr(section, "language", None) or getattr(section, "lang", None)),
        webhook=_webhook(hook) if hook else None,
        preview_days=int(getattr(section, "preview_days", 3) or 3),
    )


def _lang(value: Any) -> str:
    return "zh" if str(value or "").lower().startswith("zh") else "en"


def _get(obj: Any, name: str, default: Any) -> Any:
    value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return default if value is None else value


def _limits(obj: Any) -> Limits:
    base = Limits()
    aliases = {
        "subscriptions": ("subscriptions", "max_subscriptions"),
        "keywords": ("keywords", "max_keywords"),
        "expr_chars": ("expr_chars", "max_expr_chars", "expression_length", "max_expr_length"),
        "commands": ("commands", "commands_per_minute", "rate"),
        "per_seconds": ("per_seconds",),
        "message_chars": ("message_chars",),
    }
    values: dict[str, Any] = {}
    for field, names in aliases.items():
        for name in names:
            value = _get(obj, name, None)
            if value is not None:
                values[field] = type(getattr(base, field))(value)
                break
    return dataclasses.replace(base, **values)


def _webhook(obj: Any) -> Webhook | None:
    url = obj if isinstance(obj, str) else _get(obj, "url", "")
    if not url:
        return None
    if isinstance(obj, str):
        return Webhook(url=url)
    listen = str(_get(obj, "listen", ""))
    host, _, port = listen.rpartition(":")
    return Webhook(
        url=str(url),
        secret=str(_get(obj, "secret", "") or _get(obj, "secret_token", "")),
        host=host or str(_get(obj, "host", "0.0.0.0")),
        port=int(port) if port.isdigit() else int(_get(obj, "port", 8443)),
        path=str(_get(obj, "path", "/telegram")),
    )
