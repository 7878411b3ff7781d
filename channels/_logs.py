"""Keep secrets out of log records: the one redaction helper every adapter uses.

httpx logs every request at INFO (``HTTP Request: POST https://…?access_token=… "HTTP/1.1
200 OK"``). The robot webhooks carry their credential in the URL: DingTalk's
``access_token`` and WeCom's ``key`` in the query string, Feishu/Lark's token in the path
(``/open-apis/bot/v2/hook/<token>``). :func:`redact_httpx_logs` masks both shapes on the
``httpx`` logger; :class:`RedactValues` masks given values on any logger (Apprise's, whose
plugins log their URLs).

Telegram needs neither: aiogram sends through aiohttp, which logs no request URLs, and the
adapter scrubs the token from every result. ntfy keeps its topic in the JSON body, never in
the URL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

#: Query strings (``?access_token=…``, ``?key=…``), up to a space, quote or ``>``.
_QUERY = re.compile(r"\?[^\s\"'>]*")
#: A Feishu/Lark webhook token in a URL path.
HOOK_PATH = "/open-apis/bot/v2/hook/"
_HOOK_TOKEN = re.compile(re.escape(HOOK_PATH) + r"[^/?#\s\"'>]+")


def mask_urls(text: str) -> str:
    """``text`` with query strings and Feishu/Lark hook tokens replaced by ``***``."""
    if "?" in text:
        text = _QUERY.sub("?***", text)
    if HOOK_PATH in text:
        text = _HOOK_TOKEN.sub(HOOK_PATH + "***", text)
    return text


class _Rewrite(logging.Filter):
    """Rewrite each record's message with ``rewrite``; never drops a record."""

    def __init__(self, rewrite: Callable[[str], str]) -> None:
        super().__init__()
        self.rewrite = rewrite

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.rewrite(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class _MaskURLs(_Rewrite):
    def __init__(self) -> None:
        super().__init__(mask_urls)


class RedactValues(_Rewrite):
    """Replace each of ``secrets`` (longest first) by ``***``; add to and remove from a logger."""

    def __init__(self, secrets: Sequence[str]) -> None:
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        super().__init__(self._replace)

    def _replace(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def redact_httpx_logs() -> None:
    """Mask URL credentials in httpx's log records (idempotent; httpx need not be imported)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskURLs) for f in logger.filters):
        logger.addFilter(_MaskURLs())
