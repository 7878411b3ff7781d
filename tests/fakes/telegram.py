"""A fake Telegram Bot API server: ``/bot{token}/{method}`` on 127.0.0.1, faithful where it counts.

    async with FakeTelegram(clock=clock) as tg:
        bot_api = tg.url                      # point aiogram / the adapter here
        tg.block(42)                          # chat 42 blocked the bot -> 403
        tg.fail_next(2, status=500)           # the next two calls answer 500
        update = tg.message_update(42, "/start")   # a getUpdates poller receives it
        ...
        assert [m.text for m in tg.sent] == [...]

What it checks, as the reference server does (tdlib/telegram-bot-api, TDLib):

- the token (401 ``Unauthorized`` / ``Unauthorized: invalid token specified``), method names
  case-insensitively, parameters from the query string, JSON, urlencoded and multipart bodies
  (aiogram posts form data with nested objects as JSON strings);
- ``text``: raw ≤ 32768 bytes, HTML parsed with TDLib's tag whitelist and error wording
  (``can't parse entities: ...``), then 1..4096 code points after parsing and trimming;
- chats: blocked / kicked / deactivated (403), not found (400), migrated to a supergroup
  (400 + ``parameters.migrate_to_chat_id``), forum topics;
- flood control per chat (1 message per second, 20 per minute in groups) and per bot (30 per
  second): 429 ``Too Many Requests: retry after N`` + ``parameters.retry_after`` +
  ``Retry-After`` header, on an injectable clock;
- ``getUpdates`` long polling with offset/limit/timeout/allowed_updates and 409 conflicts.

HTML parsing is a port of TDLib ``parse_html`` (td/telegram/MessageEntity.cpp): UTF-8 byte
offsets in errors, the four named entities plus numeric references, the tag whitelist, entity
offsets in UTF-16 code units; ``<blockquote expandable>`` and ``<tg-time>`` from later TDLib.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import math
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.server import serve

DEFAULT_TOKEN = "123456789:AAE-fake_token_for_tests_0123456789"

#: Chats that answer with the real errors (any id can be given a state with the methods).
BLOCKED_CHAT = 403_001  # 403 Forbidden: bot was blocked by the user
DEACTIVATED_CHAT = 403_002  # 403 Forbidden: user is deactivated
KICKED_CHAT = -403_003  # 403 Forbidden: bot was kicked from the group chat
MISSING_CHAT = 400_404  # 400 Bad Request: chat not found
MIGRATED_CHAT = -400_100  # 400 group chat was upgraded (+ migrate_to_chat_id)
MIGRATED_TO = -100_400_100  # ... to this supergroup


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TEXT_LIMIT = 4096  # code points after entity parsing (TDLib MessageContent.cpp)
RAW_TEXT_LIMIT = 32768  # bytes of the raw text parameter (telegram-bot-api Client.cpp)
_JSON_FIELDS = {
    "link_preview_options",
    "reply_markup",
    "reply_parameters",
    "entities",
    "allowed_updates",
    "commands",
    "scope",
}
_DEFAULT_UPDATES = _words(  # every type but chat_member, message_reaction, ..._count
    "message edited_message channel_post edited_channel_post business_connection "
    "business_message edited_business_message deleted_business_messages inline_query "
    "chosen_inline_result callback_query shipping_query pre_checkout_query purchased_paid_media "
    "poll poll_answer my_chat_member chat_join_request chat_boost removed_chat_boost"
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_STATES = {
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "deactivated": (403, "Forbidden: user is deactivated"),
    "kicked": (403, "Forbidden: bot was kicked from the {kind} chat"),
    "deleted": (403, "Forbidden: the group chat was deleted"),
    "missing": (400, "Bad Request: chat not found"),
}


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": status, "description": ...}``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclasses.dataclass
class Chat:
    id: int
    type: str  # private, group, supergroup, channel
    username: str | None = None
    title: str | None = None
    state: str = "ok"  # or a key of _STATES, or "migrated"
    migrate_to: int | None = None
    forum_topics: set[int] | None = None  # None: not a forum
    members: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.title or f"User {self.id}"
        else:
            data["title"] = self.title or f"Chat {self.id}"
        if self.username:
            data["username"] = self.username
        if self.forum_topics is not None:
            data["is_forum"] = True
        return data


@dataclasses.dataclass
class Sent:
    """A message the fake accepted (sendMessage) or its current state after edits."""

    chat_id: int
    message_id: int
    text: str  # visible text after parsing
    entities: list[dict[str, Any]]
    raw: str  # the text parameter as sent
    params: dict[str, Any]
    at: float  # fake clock time
    edits: int = 0

    @property
    def thread_id(self) -> int | None:
        value = self.params.get("message_thread_id")
        return int(value) if value not in (None, "") else None

    @property
    def silent(self) -> bool:
        return _bool(self.params.get("disable_notification"))

    @property
    def preview_disabled(self) -> bool:
        options = self.params.get("link_preview_options") or {}
        return bool(options.get("is_disabled")) or _bool(
            self.params.get("disable_web_page_preview")
        )


@dataclasses.dataclass
class Call:
    """One request as the fake understood it."""

    method: str  # lower case
    params: dict[str, Any]
    content_type: str
    status: int = 200
    at: float = 0.0  # fake clock time it arrived


@dataclasses.dataclass
class _Script:
    method: str | None
    kind: str  # "error", "timeout", "disconnect", "html"
    status: int = 500
    description: str = "Internal Server Error"
    parameters: dict[str, Any] | None = None
    remaining: int = 1


class FakeTelegram:
    """The fake server: ``async with FakeTelegram() as tg``, then point clients at ``tg.url``."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        clock: Callable[[], float] = time.monotonic,
        username: str = "notifier_test_bot",
        per_chat: tuple[int, float] = (1, 1.0),
        per_group: tuple[int, float] = (20, 60.0),
        per_bot: tuple[int, float] = (30, 1.0),
        strict_chats: bool = False,
    ) -> None:
        self.tokens = {token}
        self.token = token
        self.clock = clock
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Notifier Test",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.per_chat, self.per_group, self.per_bot = per_chat, per_group, per_bot
        self.strict_chats = strict_chats  # unknown chats are "chat not found"
        self.chats: dict[int, Chat] = {}
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.messages: dict[tuple[int, int], Sent] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.webhook_secret = ""  # setWebhook secret_token
        self.webhook_updates: list[str] = []  # setWebhook allowed_updates
        self.rate_limited = 0  # 429s answered by flood control
        self.url = ""
        self._scripts: list[_Script] = []
        self._sends: dict[int, deque[float]] = defaultdict(deque)
        self._bot_sends: deque[float] = deque()
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed = list(_DEFAULT_UPDATES)
        self._callbacks: set[str] = set()
        self._new_update = asyncio.Event()
        self._poller: asyncio.Future[None] | None = None
        self._closing = asyncio.Event()
        self._stack = contextlib.AsyncExitStack()
        self._add_special_chats()

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self.url = await self._stack.enter_async_context(serve(app))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing.set()  # release held requests and long polls first
        self._new_update.set()
        await self._stack.aclose()

    def api_url(self, method: str, token: str | None = None) -> str:
        return f"{self.url}/bot{token or self.token}/{method}"

    # -- chats -------------------------------------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        type: str | None = None,
        *,
        username: str | None = None,
        title: str | None = None,
        forum_topics: set[int] | None = None,
    ) -> Chat:
        kind = type or _kind_of(chat_id)
        chat = Chat(chat_id, kind, username, title, forum_topics=forum_topics)
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat_id: int) -> Chat:
        if chat_id not in self.chats:
            self.add_chat(chat_id)
        return self.chats[chat_id]

    def block(self, chat_id: int) -> None:
        self.chat(chat_id).state = "blocked"

    def deactivate(self, chat_id: int) -> None:
        self.chat(chat_id).state = "deactivated"

    def kick(self, chat_id: int) -> None:
        self.chat(chat_id).state = "kicked"

    def remove(self, chat_id: int) -> None:
        """The chat does not exist (or the bot never had access): 400 chat not found."""
        self.chat(chat_id).state = "missing"

    def migrate(self, chat_id: int, new_id: int) -> None:
        """The group was upgraded to the supergroup ``new_id``."""
        self.chat(chat_id).state = "migrated"
        self.chats[chat_id].migrate_to = new_id
        self.add_chat(new_id, "supergroup", title=self.chats[chat_id].title)

    def set_member(self, chat_id: int, user_id: int, status: str, **fields: Any) -> None:
        """Script getChatMember: creator, administrator, member, restricted, left, kicked."""
        self.chat(chat_id).members[user_id] = {"status": status, **fields}

    def _add_special_chats(self) -> None:
        self.block(BLOCKED_CHAT)
        self.deactivate(DEACTIVATED_CHAT)
        self.kick(KICKED_CHAT)
        self.remove(MISSING_CHAT)
        self.migrate(MIGRATED_CHAT, MIGRATED_TO)

    # -- scripted failures -------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        parameters: dict[str, Any] | None = None,
        method: str | None = "sendMessage",
    ) -> None:
        """The next ``count`` calls of ``method`` (None: any) answer with this error."""
        self._script(method, "error", count, status, description, parameters)

    def flood_next(
        self, retry_after: int, count: int = 1, method: str | None = "sendMessage"
    ) -> None:
        """The next calls answer 429 with ``retry_after`` (as flood control does)."""
        self._script(
            method,
            "error",
            count,
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    def timeout_next(self, count: int = 1, method: str | None = "sendMessage") -> None:
        """The next calls never answer (until the fake closes): the client times out."""
        self._script(method, "timeout", count)

    def disconnect_next(self, count: int = 1, method: str | None = "sendMessage") -> None:
        """The next calls drop the connection without an answer."""
        self._script(method, "disconnect", count)

    def gateway_error_next(self, count: int = 1, status: int = 502) -> None:
        """The next calls get a proxy's HTML error page (not JSON), as nginx answers."""
        self._script(None, "html", count, status, "Bad Gateway")

    def _script(
        self,
        method: str | None,
        kind: str,
        count: int,
        status: int = 500,
        description: str = "Internal Server Error",
        parameters: dict[str, Any] | None = None,
    ) -> None:
        name = method.lower() if method else None
        self._scripts.append(_Script(name, kind, status, description, parameters, count))

    def _take_script(self, method: str) -> _Script | None:
        for script in self._scripts:
            if script.method in (None, method):
                script.remaining -= 1
                if script.remaining <= 0:
                    self._scripts.remove(script)
                return script
        return None

    # -- updates -----------------------------------------------------------------------------

    def add_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (its ``update_id`` is assigned) and wake a waiting poller."""
        update = {"update_id": self._next_update_id, **update}
        self._next_update_id += 1
        self._updates.append(update)
        if "callback_query" in update:
            self._callbacks.add(update["callback_query"]["id"])
        self._new_update.set()
        return update

    def user(self, user_id: int, **fields: Any) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}", **fields}

    def message_update(
        self,
        chat_id: int,
        text: str | None,
        *,
        user_id: int | None = None,
        language_code: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A user writes ``text`` in ``chat_id`` (a /command gets its bot_command entity);
        ``text=None`` gives a service message (pass its fields, e.g. migrate_to_chat_id)."""
        chat = self.chat(chat_id)
        user = self.user(user_id or abs(chat_id))
        if language_code:
            user["language_code"] = language_code
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": chat.to_json(),
            "from": user,
            **({"text": text} if text is not None else {}),
            **fields,
        }
        if text and text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        key = "channel_post" if chat.type == "channel" else "message"
        return self.add_update({key: message})

    def callback_update(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """A user presses an inline button with ``data`` under a message of the bot."""
        user = self.user(user_id or abs(chat_id))
        if language_code:
            user["language_code"] = language_code
        query_id = f"cb{self._next_update_id}"
        sent = self.messages.get((chat_id, message_id or 0))
        message = {
            "message_id": message_id or next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self.chat(chat_id).to_json(),
            "from": self.bot_user,
            "text": sent.text if sent else "",
        }
        return self.add_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "chat_instance": str(chat_id),
                    "data": data,
                    "message": message,
                }
            }
        )

    def my_chat_member_update(
        self, chat_id: int, old: str, new: str, *, user_id: int = 1
    ) -> dict[str, Any]:
        """The bot's own status in ``chat_id`` changed (added, removed, blocked...)."""
        bot = self.bot_user
        return self.add_update(
            {
                "my_chat_member": {
                    "chat": self.chat(chat_id).to_json(),
                    "from": self.user(user_id),
                    "date": int(time.time()),
                    "old_chat_member": _member_json(bot, {"status": old}),
                    "new_chat_member": _member_json(bot, {"status": new}),
                }
            }
        )

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        match = re.fullmatch(r"/bot([^/]*)/([^/]*)", request.path)
        if not match:
            return _error(404, "Not Found")
        token, method = match.group(1), match.group(2).lower()
        try:
            params = await _read_params(request)
        except ApiError as exc:
            return _error(exc.status, exc.description)
        call = Call(method, params, request.content_type, at=self.clock())
        self.calls.append(call)
        response = await self._answer(request, token, method, params)
        call.status = response.status
        return response

    async def _answer(
        self, request: web.Request, token: str, method: str, params: dict[str, Any]
    ) -> web.StreamResponse:
        if not re.fullmatch(r"\d+:[\w-]+", token):
            return _error(401, "Unauthorized: invalid token specified")
        if token not in self.tokens:
            return _error(401, "Unauthorized")
        if script := self._take_script(method):
            return await self._scripted(request, script)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except ApiError as exc:
            return _error(exc.status, exc.description, exc.parameters)
        return web.json_response({"ok": True, "result": result})

    async def _scripted(self, request: web.Request, script: _Script) -> web.StreamResponse:
        if script.kind == "timeout":
            await self._closing.wait()
            return _error(500, "Internal Server Error: restart")
        if script.kind == "disconnect":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if script.kind == "html":
            page = f"<html><body><h1>{script.status} {script.description}</h1></body></html>"
            return web.Response(status=script.status, text=page, content_type="text/html")
        return _error(script.status, script.description, script.parameters)

    # -- methods -----------------------------------------------------------------------------

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat = self._target(params)
        text, entities = _message_text(params)
        self._check_thread(chat, params)
        self._flood_control(chat)
        message_id = next(self._message_ids[chat.id])
        raw = str(params["text"])
        sent = Sent(chat.id, message_id, text, entities, raw, params, self.clock())
        self.sent.append(sent)
        self.messages[(chat.id, message_id)] = sent
        return self._message_json(sent)

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        if params.get("inline_message_id"):
            return True  # inline messages are not tracked
        chat = self._target(params)
        text, entities = _message_text(params)
        sent = self.messages.get((chat.id, _int(params, "message_id")))
        if sent is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if (sent.text, sent.entities, sent.params.get("reply_markup")) == (text, entities, markup):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        sent.text, sent.entities, sent.raw, sent.edits = (
            text,
            entities,
            params["text"],
            sent.edits + 1,
        )
        sent.params = {**sent.params, "reply_markup": markup}
        return {**self._message_json(sent), "edit_date": int(time.time())}

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired "
                "or query ID is invalid",
            )
        self._callbacks.discard(query_id)
        self.callback_answers.append(params)
        return True

    async def _m_getchat(self, params: dict[str, Any]) -> Any:
        """A ChatFullInfo: the chat plus the fields aiogram requires."""
        chat = self._target(params)
        gifts = dict.fromkeys(
            _words(
                "unlimited_gifts limited_gifts unique_gifts premium_subscription "
                "gifts_from_channels"
            ),
            False,
        )
        return {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    async def _m_getchatmember(self, params: dict[str, Any]) -> Any:
        chat = self._target(params)
        user_id = _int(params, "user_id")
        member = chat.members.get(user_id) or {"status": "member"}
        user = self.bot_user if user_id == self.bot_user["id"] else self.user(user_id)
        return _member_json(user, member)

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND.match(str(item.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(item.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[_scope_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getmycommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(_scope_key(params), [])

    async def _m_deletemycommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(_scope_key(params), None)
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = str(params.get("url") or "")
        token = str(params.get("secret_token") or "")
        if token and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", token):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_secret = token
        allowed = params.get("allowed_updates")
        self.webhook_updates = list(allowed) if isinstance(allowed, list) else []
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = ""
        if _bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params, "offset", 0)
        limit = min(max(_int(params, "limit", 100), 1), 100)
        timeout = max(_int(params, "timeout", 0), 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed = list(allowed) or list(_DEFAULT_UPDATES)
        self._confirm(offset)
        # A second poller terminates the one already waiting (telegram-bot-api Client.cpp).
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(None)
        poller: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poller = poller
        while not (ready := self._ready(limit)) and timeout and not self._closing.is_set():
            self._new_update.clear()
            waiter = asyncio.ensure_future(self._new_update.wait())
            done, _ = await asyncio.wait(
                {waiter, poller}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            waiter.cancel()
            if poller in done:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if not done:
                break
        if self._poller is poller:
            self._poller = None
        return ready

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]  # the last -offset updates; forget the rest
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _ready(self, limit: int) -> list[dict[str, Any]]:
        self._updates = [u for u in self._updates if any(k in self._allowed for k in u)]
        return self._updates[:limit]

    # -- checks ------------------------------------------------------------------------------

    def _target(self, params: dict[str, Any]) -> Chat:
        """Resolve ``chat_id`` and raise the chat's error state, as the real server does."""
        raw = params.get("chat_id")
        if raw in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        text = str(raw)
        if text.startswith("@"):
            chat = next((c for c in self.chats.values() if c.username == text[1:]), None)
            if chat is None:
                if self.strict_chats:
                    raise ApiError(400, "Bad Request: chat not found")
                chat = self.add_chat(
                    -100_000_000_000 - len(self.chats), "channel", username=text[1:]
                )
        elif re.fullmatch(r"-?\d+", text):
            chat_id = int(text)
            if chat_id not in self.chats and self.strict_chats:
                raise ApiError(400, "Bad Request: chat not found")
            chat = self.chat(chat_id)
        else:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.state == "migrated":
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrate_to},
            )
        if chat.state in _STATES:
            status, description = _STATES[chat.state]
            kind = {"supergroup": "supergroup", "channel": "channel"}.get(chat.type, "group")
            raise ApiError(status, description.format(kind=kind))
        return chat

    def _check_thread(self, chat: Chat, params: dict[str, Any]) -> None:
        thread = params.get("message_thread_id")
        if thread in (None, ""):
            return
        if chat.forum_topics is None or int(thread) not in chat.forum_topics:
            raise ApiError(400, "Bad Request: message thread not found")

    def _flood_control(self, chat: Chat) -> None:
        """Sliding windows: per chat, per group, per bot; 429 with the wait left."""
        now = self.clock()
        windows = [(self._sends[chat.id], *self.per_chat), (self._bot_sends, *self.per_bot)]
        if chat.type != "private":
            windows.append((self._sends[chat.id], *self.per_group))
        wait = 0.0
        for log, count, seconds in windows:
            recent = [t for t in log if t > now - seconds]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + seconds - now)
        if wait > 0:
            self.rate_limited += 1
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        self._sends[chat.id].append(now)
        self._bot_sends.append(now)
        horizon = max(self.per_chat[1], self.per_group[1], self.per_bot[1])
        for log in (self._sends[chat.id], self._bot_sends):
            while log and log[0] <= now - horizon:
                log.popleft()

    def _message_json(self, sent: Sent) -> dict[str, Any]:
        chat = self.chats[sent.chat_id]
        data: dict[str, Any] = {
            "message_id": sent.message_id,
            "from": self.bot_user,
            "date": int(time.time()),
            "chat": chat.to_json(),
            "text": sent.text,
        }
        if sent.entities:
            data["entities"] = sent.entities
        if sent.thread_id is not None:
            data["message_thread_id"] = sent.thread_id
            data["is_topic_message"] = True
        if isinstance(sent.params.get("reply_markup"), dict):
            data["reply_markup"] = sent.params["reply_markup"]
        return data

    def max_in_window(self, chat_id: int, seconds: float) -> int:
        """The most messages the fake accepted for ``chat_id`` inside any ``seconds`` window."""
        times = sorted(s.at for s in self.sent if s.chat_id == chat_id)
        return max(
            (sum(1 for t in times[i:] if t < start + seconds) for i, start in enumerate(times)),
            default=0,
        )


def _message_text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Validate and parse ``text`` with ``parse_mode``: (visible text, entities)."""
    raw = params.get("text")
    if raw in (None, ""):
        raise ApiError(400, "Bad Request: message text is empty")
    raw = str(raw)
    if len(raw.encode("utf-8", "surrogatepass")) > RAW_TEXT_LIMIT:
        raise ApiError(400, "Bad Request: text is too long")
    mode = str(params.get("parse_mode") or "")
    if mode.lower() == "html":
        try:
            text, entities = parse_html(raw)
        except ParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    elif mode:
        if mode.lower() not in ("markdown", "markdownv2"):
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        text, entities = raw, []  # markdown is not modelled: the text is kept as is
    else:
        text, entities = raw, list(params.get("entities") or [])
    text, entities = trim(text, entities)
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > TEXT_LIMIT:
        raise ApiError(400, "Bad Request: message is too long")
    return text, entities


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            params.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else value.file.read()
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    return params


def _error(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    headers = {}
    if parameters:
        body["parameters"] = parameters
        if "retry_after" in parameters:
            headers["Retry-After"] = str(parameters["retry_after"])
    return web.json_response(body, status=status, headers=headers)


def _int(params: dict[str, Any], key: str, default: int | None = None) -> int:
    value = params.get(key)
    if value in (None, ""):
        if default is None:
            raise ApiError(400, f"Bad Request: {key} is empty")
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {key} specified") from None


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _kind_of(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


#: Fields aiogram requires per ChatMember status (admins may do the usual things).
_ADMIN_TRUE = _words(
    "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
    "can_invite_users can_post_stories can_edit_stories can_delete_stories"
)
_ADMIN_FALSE = _words(
    "can_be_edited is_anonymous can_promote_members can_change_info can_send_welcome_messages"
)
_RESTRICTED_FALSE = _words(
    "is_member can_send_messages can_send_audios can_send_documents can_send_photos "
    "can_send_videos can_send_video_notes can_send_voice_notes can_send_polls "
    "can_send_other_messages can_add_web_page_previews can_react_to_messages can_edit_tag "
    "can_change_info can_invite_users can_pin_messages can_manage_topics"
)


def _member_json(user: dict[str, Any], member: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember with the fields aiogram requires for its status."""
    status = member.get("status", "member")
    data: dict[str, Any] = {"user": user, "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data |= dict.fromkeys(_ADMIN_TRUE, True) | dict.fromkeys(_ADMIN_FALSE, False)
    elif status == "restricted":
        data |= dict.fromkeys(_RESTRICTED_FALSE, False) | {"until_date": 0}
    elif status == "kicked":
        data["until_date"] = 0
    data.update({k: v for k, v in member.items() if k != "status"})
    return data


# -- HTML parse mode (TDLib parse_html) ---------------------------------------------------------

#: TDLib MessageEntity.cpp parse_html whitelist (plus tg-time, Bot API 9.x).
TAGS = frozenset(
    _words(
        "a b strong i em s strike del u ins tg-spoiler tg-emoji tg-time span pre code blockquote"
    )
)
_SIMPLE = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SPACE = b" \t\r\n\0\v\f"
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}


class ParseError(ValueError):
    """The text cannot be parsed; ``str()`` is TDLib's message."""


@dataclasses.dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset where the entity starts
    start: int  # index in the output where its text starts
    expandable: bool = False


def _at(data: bytes, i: int) -> int:
    """The byte at ``i``, or 0 past the end (TDLib reads a NUL-terminated string)."""
    return data[i] if i < len(data) else 0


def _is_space(c: int) -> bool:
    return c in _SPACE


def _decode_entity(data: bytes, pos: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos``: (character, next position) or None if it is not one."""
    end = pos + 1
    if _at(data, pos + 1) == ord("#"):
        end += 1
        code = 0
        if _at(data, pos + 2) == ord("x"):
            end += 1
            while chr(_at(data, end)) in "0123456789abcdefABCDEF" and _at(data, end):
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while chr(_at(data, end)).isdigit() and _at(data, end) < 128:
                code = code * 10 + data[end] - 48
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while chr(_at(data, end)).isalpha() and _at(data, end) < 128:
            end += 1
        name = data[pos + 1 : end]
        if name not in _NAMED:
            return None  # an unsupported named entity stays as literal text
        char = _NAMED[name]
    if _at(data, end) == ord(";"):
        end += 1
    return char, end


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (visible text, entities) or raise :class:`ParseError` as Telegram would."""
    data = text.encode("utf-8", "surrogatepass")
    out: list[str] = []
    size = 0  # code points in ``out``
    pending = bytearray()  # raw UTF-8 bytes of plain text, flushed before each tag
    offset = 0  # UTF-16 offset of the output so far
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []

    def flush() -> None:
        nonlocal size
        if pending:
            out.append(pending.decode("utf-8", "replace"))
            size += len(out[-1])
            pending.clear()

    i = 0
    while i < len(data):
        c = data[i]
        if c == ord("&") and (decoded := _decode_entity(data, i)) is not None:
            char, i = decoded
            flush()
            out.append(char)
            size += 1
            offset += 2 if ord(char) > 0xFFFF else 1
            continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:  # first byte of a character
                offset += 2 if c >= 0xF0 else 1
            pending.append(c)
            i += 1
            continue
        flush()
        begin = i
        i += 1
        if _at(data, i) != ord("/"):
            i, opened = _start_tag(data, begin, i)
            opened.offset, opened.start = offset, size
            stack.append(opened)
        else:
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {begin}")
            while not _is_space(_at(data, i)) and _at(data, i) != ord(">"):
                i += 1
            name = data[begin + 2 : i].decode("utf-8", "replace").lower()
            while _is_space(_at(data, i)) and i < len(data):
                i += 1
            if _at(data, i) != ord(">"):
                raise ParseError(f"Unclosed end tag at byte offset {begin}")
            top = stack.pop()
            if name and name != top.tag:
                raise ParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
                    f'found "</{name}>"'
                )
            if offset > top.offset:
                entity = _entity(top, offset - top.offset, "".join(out)[top.start :], entities)
                if entity is not None:
                    entities.append(entity)
            i += 1
    flush()
    if stack:
        raise ParseError(f"Can't find end tag corresponding to start tag {stack[-1].tag}")
    result = "".join(out)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in result):
        raise ParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return result, finish_entities(entities)


def _start_tag(data: bytes, begin: int, i: int) -> tuple[int, _Open]:
    """Parse ``<tag attr="v" ...>`` from ``i``; return (index after '>', open entity)."""
    while not _is_space(_at(data, i)) and _at(data, i) != ord(">"):
        i += 1
    if i >= len(data):
        raise ParseError(f"Unclosed start tag at byte offset {begin}")
    tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
    if tag not in TAGS:
        raise ParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    argument, expandable = "", False
    while _at(data, i) != ord(">"):
        while i < len(data) and _is_space(data[i]):
            i += 1
        if _at(data, i) == ord(">"):
            break
        attr_begin = i
        while not _is_space(_at(data, i)) and _at(data, i) not in (ord("="), ord(">")):
            i += 1
        attr = data[attr_begin:i].decode("utf-8", "replace")
        if not attr:
            raise ParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while i < len(data) and _is_space(data[i]):
            i += 1
        if tag == "blockquote" and attr == "expandable" and _at(data, i) != ord("="):
            expandable = True  # the one valueless attribute Telegram knows
            continue
        if _at(data, i) != ord("="):
            raise ParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {begin}'
            )
        i += 1
        while i < len(data) and _is_space(data[i]):
            i += 1
        if i >= len(data):
            raise ParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value, i = _attribute_value(data, i)
        if i >= len(data):
            raise ParseError(f"Unclosed start tag at byte offset {begin}")
        if (
            (tag == "a" and attr == "href")
            or (tag == "tg-emoji" and attr == "emoji-id")
            or (tag == "tg-time" and attr == "unix")
        ):
            argument = value
        elif tag == "code" and attr == "class" and value.startswith("language-"):
            argument = value[9:]
        elif tag == "span" and attr == "class" and value.startswith("tg-"):
            argument = value[3:]
    if tag == "span" and argument != "spoiler":
        raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    return i + 1, _Open(tag, argument, 0, 0, expandable)


def _attribute_value(data: bytes, i: int) -> tuple[str, int]:
    if _at(data, i) not in (ord("'"), ord('"')):
        start = i  # a name token: letters, digits, periods, hyphens; case-insensitive
        while (chr(_at(data, i)).isalnum() and _at(data, i) < 128) or _at(data, i) in b".-":
            i += 1
        if not _is_space(_at(data, i)) and _at(data, i) != ord(">"):
            raise ParseError(f"Unexpected end of name token at byte offset {start}")
        return data[start:i].decode().lower(), i
    quote = data[i]
    i += 1
    value = bytearray()
    while i < len(data) and data[i] != quote:
        if data[i] == ord("&") and (decoded := _decode_entity(data, i)) is not None:
            value += decoded[0].encode()
            i = decoded[1]
            continue
        value.append(data[i])
        i += 1
    if _at(data, i) == quote:
        i += 1
    return value.decode("utf-8", "replace"), i


def _entity(
    top: _Open, length: int, inner: str, entities: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The Bot API MessageEntity for a closed tag (None when Telegram drops it)."""
    base: dict[str, Any] = {"offset": top.offset, "length": length}
    if top.tag in _SIMPLE:
        return {"type": _SIMPLE[top.tag], **base}
    if top.tag == "tg-emoji":
        if not top.argument.isdigit() or int(top.argument) == 0:
            raise ParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", **base, "custom_emoji_id": top.argument}
    if top.tag == "tg-time":
        return {"type": "date_time", **base, "unix_time": int(top.argument or 0)}
    if top.tag == "a":
        url = top.argument or inner
        if url.lower().startswith("tg://user?id="):
            return {"type": "text_mention", **base, "user": {"id": int(url[13:] or 0)}}
        if not _checked_link(url):
            return None  # TDLib drops links it cannot check
        return {"type": "text_link", **base, "url": url}
    if top.tag == "pre":
        last = entities[-1] if entities else None
        same = last is not None and (last["offset"], last["length"]) == (top.offset, length)
        if same and last["type"] == "code" and last.get("language"):
            entities.pop()
            return {"type": "pre", **base, "language": last["language"]}
        return {"type": "pre", **base}
    if top.tag == "code":
        last = entities[-1] if entities else None
        same = last is not None and (last["offset"], last["length"]) == (top.offset, length)
        if same and last["type"] == "pre" and top.argument:
            last["language"] = top.argument
            return None
        return {"type": "code", **base, **({"language": top.argument} if top.argument else {})}
    if top.tag == "blockquote":
        return {"type": "expandable_blockquote" if top.expandable else "blockquote", **base}
    return None


def _checked_link(url: str) -> bool:
    scheme, sep, rest = url.partition("://")
    if not sep:
        return bool(url) and " " not in url  # TDLib adds http:// to a bare host
    return scheme.lower() in ("http", "https", "tg", "ton", "tonsite") and bool(rest)


def finish_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the internal ``language`` of inline code (TDLib clears it)."""
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return entities


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading and trailing whitespace as TDLib's fix_formatted_text does."""
    stripped = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip()
    end = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        stop = min(end, entity["offset"] + entity["length"] - shift)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept
