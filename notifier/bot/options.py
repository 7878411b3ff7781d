"""The bot's settings: token, Bot API server, config admins, limits, webhook.

Read from the config's ``bot:`` section (``Config.bot``, a ``BotSpec``) by
:func:`from_config`; tests build :class:`BotOptions` directly. The token never appears in ``repr``.
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
    """The options of the config's ``bot:`` section (``None`` without one or its token)."""
    spec = getattr(config, "bot", None)
    if spec is None or not spec.token:
        return None
    limits = Limits(
        subscriptions=spec.limits.subscriptions,
        keywords=spec.limits.keywords,
        expr_chars=spec.limits.expr_chars,
        commands=spec.limits.commands,
        per_seconds=spec.limits.per_seconds,
    )
    hook = spec.webhook
    webhook = None
    if hook is not None:
        webhook = Webhook(hook.url, hook.secret, hook.host, hook.port, hook.path or "/")
    return BotOptions(
        token=spec.token,
        api_server=spec.api_server,
        admins=frozenset(spec.admins),
        limits=limits,
        language=spec.language,
        webhook=webhook,
        preview_days=spec.preview_days,
    )
