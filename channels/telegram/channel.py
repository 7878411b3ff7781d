"""The ``telegram`` channel: settings, rate windows, delivery and error classification.

Sends through aiogram's ``Bot`` with a session pointed at ``api_server`` (a self-hosted Bot
API server works too). aiogram is imported inside methods only: ``notifier check`` imports
this module to validate settings and must stay fast.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from channels.base import Channel, Message, Outcome, Part, Problem, Result, Setting
from channels.ratelimit import RateLimiter, Window
from channels.telegram.render import render_message

#: Telegram Bot FAQ "My bot is hitting limits": about 1 msg/s in one chat (short bursts are
#: tolerated "but eventually you'll begin receiving 429" — we do not count on them), and at
#: most 20 msg/min to the same group. Channels and supergroups (negative ids, @names) are
#: groups for this purpose. The ~30 msg/s across chats is per bot, not per target: it is
#: left to whoever fans out to many chats with one token.
PRIVATE_WINDOWS = (Window(1, 1.0),)
GROUP_WINDOWS = (Window(1, 1.0), Window(20, 60.0))

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHAT_ID = re.compile(r"^-?\d+$")
_USERNAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_RETRY_IN = re.compile(r"retry after (\d+)", re.IGNORECASE)
#: Bad Request descriptions that mean the chat is gone for good (Client.cpp error mapping).
GONE_400 = ("chat not found", "group is deactivated", "user not found", "peer_id_invalid")
#: Telegram's ``error_code`` is the HTTP status; by exception class when no status is known.
_STATUS_OF = {
    "TelegramBadRequest": 400,
    "TelegramUnauthorizedError": 401,
    "TelegramForbiddenError": 403,
    "TelegramNotFound": 404,
    "TelegramConflictError": 409,
    "TelegramEntityTooLarge": 413,
    "TelegramRetryAfter": 429,
    "TelegramServerError": 500,
    "RestartingTelegram": 500,
}


class TelegramChannel(Channel):
    """Post each batch as an HTML message from a bot."""

    type = "telegram"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("token", required=True, secret=True, help="bot token from @BotFather"),
        Setting("chat_id", required=True, help="numeric chat id or @channelname"),
        Setting("api_server", default="https://api.telegram.org", help="Bot API server"),
        Setting("disable_preview", kind=bool, default=True, help="no link previews"),
        Setting("silent", kind=bool, default=False, help="send without notification sound"),
        Setting("thread_id", kind=int, help="forum topic (message_thread_id)"),
        Setting("timeout", kind=float, default=30.0, help="seconds per request"),
    )
    windows: ClassVar[tuple[Window, ...]] = PRIVATE_WINDOWS

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] | None = None,
        bot: Any = None,
    ) -> None:
        import asyncio  # here, not at module level: `notifier check` imports this module

        super().__init__(name, settings, clock=clock, sleep=sleep)
        self._token: str = self.options["token"]
        self.chat_id: int | str = _chat_id(self.options["chat_id"])
        self.limiter = RateLimiter(windows_for(self.chat_id), clock=clock, sleep=sleep)
        self._bot = bot  # injected (tests) or created on first send
        self._owns_bot = bot is None
        # One message at a time per chat: parts stay together and requests reach Telegram in
        # the order (and at the spacing) the rate limiter chose.
        self._sending = asyncio.Lock()

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        """Checks beyond the schema; messages name settings, never their values."""
        problems: list[Problem] = []
        token = values.get("token")
        if token and not _TOKEN.match(str(token)):
            problems.append(
                ("token", "setting 'token' must look like 123456:ABC-DEF (from @BotFather)")
            )
        chat = values.get("chat_id")
        if chat and not (_CHAT_ID.match(str(chat)) or _USERNAME.match(str(chat))):
            problems.append(("chat_id", "setting 'chat_id' must be a number or @channelname"))
        server = str(values.get("api_server") or "")
        if not server.lower().startswith(("http://", "https://")):
            problems.append(("api_server", "setting 'api_server' must be an http(s) URL"))
        return problems

    @classmethod
    def advice(cls, settings: Mapping[str, Any]) -> list[Problem]:
        server = str(settings.get("api_server") or "")
        local = urlsplit(server).hostname in ("localhost", "127.0.0.1", "::1")
        if server.lower().startswith("http://") and not local:
            return [
                ("api_server", "api_server is plain http: the bot token would travel unencrypted")
            ]
        return []

    def __repr__(self) -> str:
        return f"<TelegramChannel {self.describe()}>"

    # -- rendering ---------------------------------------------------------------------------

    def render(self, message: Message) -> list[Part]:
        return render_message(message)

    # -- delivery ----------------------------------------------------------------------------

    async def send(self, message: Message) -> Result:
        async with self._sending:
            return await super().send(message)

    async def deliver(self, payload: Any) -> Result:
        try:
            await self._send(str(payload))
        except Exception as exc:
            new_id = getattr(exc, "migrate_to_chat_id", None)
            if new_id is None:
                return self._classify(exc)
        else:
            return Result(Outcome.SENT, self.name)
        # The group became a supergroup and its id changed: resend there and report the id.
        self.chat_id = int(new_id)
        self.options["chat_id"] = str(new_id)
        try:
            await self._send(str(payload))
        except Exception as again:
            return dataclasses.replace(self._classify(again), new_address=str(new_id))
        detail = f"group migrated to supergroup {new_id}"
        return Result(Outcome.SENT, self.name, detail=detail, new_address=str(new_id))

    async def _send(self, text: str) -> None:
        from aiogram.types import LinkPreviewOptions

        bot = self._get_bot()
        await bot.send_message(
            chat_id=self.chat_id,
            text=text,
            parse_mode="HTML",
            link_preview_options=(
                LinkPreviewOptions(is_disabled=True) if self.options["disable_preview"] else None
            ),
            disable_notification=True if self.options["silent"] else None,
            message_thread_id=self.options["thread_id"],
        )

    def _get_bot(self) -> Any:
        if self._bot is None:
            from aiogram import Bot
            from aiogram.client.telegram import TelegramAPIServer

            api = TelegramAPIServer.from_base(self.options["api_server"])
            session = _session_class()(api=api, timeout=self.options["timeout"])
            self._bot = Bot(self._token, session=session)
        return self._bot

    async def aclose(self) -> None:
        if self._bot is not None and self._owns_bot:
            await self._bot.session.close()
            self._bot = None

    def _classify(self, exc: BaseException) -> Result:
        """Map an aiogram or network exception to a Result; never leaks the token."""
        import asyncio

        from aiogram import exceptions as ax
        from aiohttp import InvalidURL

        status: int | None = getattr(exc, "http_status", None)
        if isinstance(exc.__cause__, InvalidURL):  # a bad api_server, not a network fault
            return self._result(Outcome.FAILED, None, "invalid api_server URL")
        if isinstance(exc, ax.TelegramNetworkError | asyncio.TimeoutError | OSError):
            text = exc.message if isinstance(exc, ax.TelegramAPIError) else repr(exc)
            return self._result(Outcome.RETRY, None, f"network error: {text}")
        if isinstance(exc, ax.ClientDecodeError):
            # Not JSON: a proxy or gateway page (502/504 HTML). Retry unless clearly ours.
            code = str(status) if status else None
            outcome = Outcome.FAILED if status and 400 <= status < 500 else Outcome.RETRY
            return self._result(outcome, code, "answer is not Bot API JSON")
        if not isinstance(exc, ax.TelegramAPIError):
            return self._result(Outcome.FAILED, None, f"{type(exc).__name__}: {exc}")
        status = status or _STATUS_OF.get(type(exc).__name__)
        description = _original_description(exc.message)
        if isinstance(exc, ax.TelegramRetryAfter) or status == 429:
            wait = getattr(exc, "retry_after", None)
            if wait is None and (m := _RETRY_IN.search(description)):
                wait = int(m.group(1))
            return self._result(Outcome.RETRY, "429", description, float(wait or 1))
        code = str(status) if status else None
        if status is not None and status >= 500:
            return self._result(Outcome.RETRY, code, description)
        if status == 403 or (status == 400 and any(g in description.lower() for g in GONE_400)):
            return self._result(Outcome.GONE, code, description)
        return self._result(Outcome.FAILED, code, description)

    def _result(
        self, outcome: Outcome, code: str | None, detail: str, retry_after: float | None = None
    ) -> Result:
        return Result(
            outcome, self.name, code=code, detail=self._scrub(detail), retry_after=retry_after
        )

    def _scrub(self, text: str) -> str:
        """Remove the token (and its secret half) from text bound for logs."""
        secret = self._token.partition(":")[2]
        for value in (self._token, secret):
            if value:
                text = text.replace(value, "***")
        return text[:500]


# -- helpers ---------------------------------------------------------------------------------


def _chat_id(value: str) -> int | str:
    return int(value) if _CHAT_ID.match(value) else value


def windows_for(chat_id: int | str) -> tuple[Window, ...]:
    """Private chats have positive ids; groups, supergroups and channels negative or @name."""
    return PRIVATE_WINDOWS if isinstance(chat_id, int) and chat_id > 0 else GROUP_WINDOWS


@functools.cache
def _session_class() -> type:
    """An AiohttpSession that tags API errors with the HTTP status (Telegram's error_code)."""
    from aiogram.client.session.aiohttp import AiohttpSession

    class StatusSession(AiohttpSession):
        def check_response(self, bot: Any, method: Any, status_code: int, content: str) -> Any:
            try:
                return super().check_response(bot, method, status_code, content)
            except Exception as exc:
                exc.http_status = status_code  # type: ignore[attr-defined]
                raise

    return StatusSession


def _original_description(message: str) -> str:
    """aiogram rewrites 429/migrate messages; keep the server's own description."""
    return (
        message.rpartition("Original description: ")[2]
        if "Original description: " in message
        else message
    )
