"""The ``bot:`` section: the Telegram bot that lets anyone subscribe (``notifier bot``).

    bot:
      token: ${TELEGRAM_BOT_TOKEN}
      api_server: https://api.telegram.org     # a self-hosted Bot API server, or a test fake
      admins: [123456789]                      # may route subscriptions to channels
      language: zh                             # for users whose Telegram language is unknown
      preview_days: 3                          # /sub shows what the last days would have caught
      limits: {subscriptions: 20, keywords: 10, expression_length: 200, commands_per_minute: 20}
      webhook:                                 # optional: instead of long polling
        url: https://bot.example.com/telegram  # HTTPS, port 443, 80, 88 or 8443 (Bot API)
        secret_token: ${TELEGRAM_WEBHOOK_SECRET}
        listen: 127.0.0.1:8443                 # where the proxy in front of us forwards to

Messages never show the token or the secret (``${VAR}`` values are never shown anyway).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

from notifier.config._check import Checker
from notifier.config._listen import read_listen
from notifier.config._nodes import Node
from notifier.delivery.texts import LANGUAGES

BOT_KEYS = (
    "token",
    "api_server",
    "admins",
    "limits",
    "language",
    "webhook",
    "preview_days",
)
LIMIT_KEYS = ("subscriptions", "keywords", "expression_length", "commands_per_minute")
WEBHOOK_KEYS = ("url", "secret_token", "listen")
DEFAULT_API = "https://api.telegram.org"
#: The ports Telegram delivers webhooks to (setWebhook).
WEBHOOK_PORTS = (443, 80, 88, 8443)

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclasses.dataclass(frozen=True, slots=True)
class BotLimits:
    """Caps that keep one user from costing everybody else."""

    #: Subscriptions per chat.
    subscriptions: int = 20
    #: Terms (words, phrases, regexes) per subscription.
    keywords: int = 10
    #: Characters per expression.
    expr_chars: int = 200
    #: Commands per user within ``per_seconds`` (a sliding window).
    commands: int = 20
    per_seconds: float = 60.0
    #: Characters of any message the bot reads (Telegram allows 4,096).
    message_chars: int = 1000


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class WebhookSpec:
    """Webhook mode: Telegram POSTs updates to ``url``; the bot listens on
    ``host:port`` at ``path`` (the URL's path), behind an HTTPS proxy."""

    url: str
    secret: str = ""
    host: str = "127.0.0.1"
    port: int = 8443
    path: str = "/"

    def __repr__(self) -> str:
        return f"WebhookSpec(url={self.url!r}, host={self.host!r}, port={self.port})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class BotSpec:
    """The ``bot:`` section, checked."""

    token: str
    api_server: str = DEFAULT_API
    #: Telegram user ids that may route subscriptions to channels.
    admins: tuple[int, ...] = ()
    limits: BotLimits = dataclasses.field(default_factory=BotLimits)
    #: ``en`` or ``zh``: for users whose Telegram language is unknown.
    language: str = "en"
    webhook: WebhookSpec | None = None
    #: Days of stories the ``/sub`` preview looks back.
    preview_days: int = 3
    #: Seconds a getUpdates long poll waits.
    polling_timeout: int = 30

    def __repr__(self) -> str:  # never the token
        return (
            f"BotSpec(token='***', api_server={self.api_server!r}, admins={self.admins!r}, "
            f"language={self.language!r}, webhook={self.webhook!r})"
        )


def read_bot(check: Checker, node: Node | None, line: int | None = None) -> BotSpec | None:
    """Return the ``bot:`` section, or ``None`` when it is absent or has a problem;
    ``line`` is the line of the ``bot:`` key (for a missing token)."""
    if node is None or node.value is None:
        return None
    values = check.mapping(node, "bot")
    if values is None:
        return None
    check.unknown_settings(node, BOT_KEYS, "bot")
    before = len(check.problems.errors)
    token = ""
    if "token" not in values:
        check.error(line or node.line, "bot: token: required (the bot's token from @BotFather)")
    elif (text := check.string(values["token"], "bot: token")) is not None:
        token = text.strip()
        if not _TOKEN.match(token):
            check.fail(values["token"], "bot: token: must look like 123456:ABC-DEF (@BotFather)")
    api = DEFAULT_API
    if "api_server" in values:
        api = _api_server(check, values["api_server"]) or api
    admins = _admins(check, values["admins"]) if "admins" in values else ()
    limits = _limits(check, values["limits"]) if "limits" in values else BotLimits()
    language = "en"
    if "language" in values:
        language = check.choice(values["language"], "bot: language", LANGUAGES) or language
    days = 3
    if "preview_days" in values:
        days = check.count(values["preview_days"], "bot: preview_days") or days
    webhook = _webhook(check, values["webhook"]) if "webhook" in values else None
    if len(check.problems.errors) > before or any(n.broken for n in values.values()):
        return None
    return BotSpec(token, api, admins or (), limits or BotLimits(), language, webhook, days)


def _api_server(check: Checker, node: Node) -> str | None:
    text = check.string(node, "bot: api_server")
    if text is None:
        return None
    text = text.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        check.fail(node, "bot: api_server: must be an http(s) URL, e.g. https://api.telegram.org")
        return None
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme.lower() == "http" and not local:
        check.warning(
            node.line, "bot: api_server is plain http: the token would travel unencrypted"
        )
    return text


def _admins(check: Checker, node: Node) -> tuple[int, ...] | None:
    items = check.items(node, "bot: admins", single=True)
    if items is None:
        return None
    out: list[int] = []
    for item in items:
        value = item.value
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            got = "" if item.env else f", got {item.show()}"
            check.fail(item, f"bot: admins: each must be a Telegram user id (a number > 0){got}")
            return None
        out.append(value)
    return tuple(dict.fromkeys(out))


def _limits(check: Checker, node: Node) -> BotLimits | None:
    values = check.mapping(node, "bot: limits")
    if values is None:
        return None
    check.unknown_settings(node, LIMIT_KEYS, "bot: limits")
    fields = {
        "subscriptions": "subscriptions",
        "keywords": "keywords",
        "expression_length": "expr_chars",
        "commands_per_minute": "commands",
    }
    out: dict[str, int] = {}
    for key, field in fields.items():
        if key in values:
            count = check.count(values[key], f"bot: limits: {key}")
            if count is None:
                return None
            out[field] = count
    return BotLimits(**out)


def _webhook(check: Checker, node: Node) -> WebhookSpec | None:
    values = check.mapping(node, "bot: webhook")
    if values is None:
        return None
    check.unknown_settings(node, WEBHOOK_KEYS, "bot: webhook")
    if "url" not in values:
        check.error(node.line, "bot: webhook: url: required (the public HTTPS URL)")
        return None
    url_node = values["url"]
    url = check.string(url_node, "bot: webhook: url")
    if url is None:
        return None
    url = url.strip()
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme.lower() != "https" or not parts.hostname:
        check.fail(url_node, "bot: webhook: url: must be an https:// URL (Telegram requires it)")
        return None
    if port is not None and port not in WEBHOOK_PORTS:
        ports = ", ".join(map(str, WEBHOOK_PORTS))
        check.fail(url_node, f"bot: webhook: url: Telegram only delivers to ports {ports}")
        return None
    secret = ""
    if "secret_token" in values:
        secret = check.string(values["secret_token"], "bot: webhook: secret_token") or ""
        if secret and not _SECRET.match(secret):
            check.fail(
                values["secret_token"],
                "bot: webhook: secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and - only",
            )
            return None
    else:
        check.warning(
            node.line,
            "bot: webhook: no secret_token: anyone who learns the URL can send fake updates",
        )
    host, listen_port = "127.0.0.1", 8443
    if "listen" in values:
        found = read_listen(check, values["listen"], "bot: webhook: listen", 8443)
        if found is None:
            return None
        host, listen_port = found
    return WebhookSpec(url, secret, host, listen_port, parts.path or "/")
