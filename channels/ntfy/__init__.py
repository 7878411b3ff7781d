"""ntfy: publish to a topic on ntfy.sh or a self-hosted ntfy server.

Wire protocol (binwiederhier/ntfy ``server/server.go``, ``types.go``, ``errors.go``,
``config.go``; https://docs.ntfy.sh/publish/):

- We publish as JSON: ``POST {server}/`` with ``{"topic", "message", "title", "tags",
  "priority", "click", "markdown"}`` (``transformBodyJSON``). Headers cannot carry a UTF-8
  title safely, and the topic (on ntfy.sh it *is* the password) stays out of the URL, so
  out of httpx's request log.
- Success: HTTP 200 and the stored message as JSON (``{"id": ..., "event": "message"}``).
- Errors: ``{"code": 40101, "http": 401, "error": "unauthorized", "link": ...}``.

Limits (server defaults):

- message body <= 4096 bytes (``DefaultMessageSizeLimit``); a longer body silently becomes
  an attachment (or 400 40014 where attachments are off), so we split between entries. A
  server configured smaller answers 40014 (or 413 41303 for the JSON): we halve our limit,
  below the refused size, render that part's entries again and send on (never dead for
  being too big), and keep the smaller limit for later sends;
- the JSON request: current servers take up to 2 x the message limit (``readJSONWithLimit``),
  servers of 2023 and before only the message limit (413 41303 "JSON body too large", ntfy
  PR #836): we keep the whole request within the message limit, which both accept;
- a token bucket per visitor (IP, or user when authenticated) of 60 requests refilled one per
  5 s (``DefaultVisitorRequestLimitBurst/Replenish``); every request counts, subscriptions
  included. 429 42901 carries no Retry-After header.

Priority (``priority: auto``) follows the best score of the entries in the payload; a title
hit weighs 3 (``notifier.rules.model``): score <= 0 (unscored) -> 3 default; < 3 -> 2 low;
< 6 -> 3 default; < 12 -> 4 high; >= 12 -> 5 max. ``priority: 1..5`` or a name overrides.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from channels.base import Channel, Entry, Message, Outcome, Part, Problem, Result, Setting
from channels.ntfy._text import (
    SHRINK_STEPS,
    entry_markdown,
    entry_text,
    heading,
    line,
    priority_for,
    scrub,
)
from channels.ratelimit import Window
from channels.render import cut, escape_markdown, pack, safe_url, utf8_len

if TYPE_CHECKING:  # imported on first request: `notifier check` never loads httpx
    import httpx

__all__ = ["NtfyChannel"]

log = logging.getLogger(__name__)

#: Server default ``message-size-limit`` in bytes (server/config.go).
MESSAGE_LIMIT = 4096
#: The smallest limit we learn from refusals (and the smallest ``message_limit``).
MIN_LIMIT = 256
#: Refused as too big (server/errors.go): 40014 "attachments not allowed" (the body would be
#: an attachment) and 41303 "JSON body too large".
TOO_BIG = frozenset({"40014", "41303"})
#: ntfy's topic rule (server/server.go ``topicRegex``).
TOPIC_RE = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
#: Tags are shown as emoji/words next to the title; more than a few is noise.
MAX_TAGS, TAG_LIMIT = 8, 32
#: The notification title: one line on a phone (code points).
HEADLINE_LIMIT = 120
#: A longer click URL is left out rather than eat the message's bytes.
CLICK_LIMIT = 512
#: 429 without Retry-After: two refill periods of the 5 s bucket (42901).
RATE_LIMIT_BACKOFF = 10.0
#: 42908, the daily message quota (250/day for anonymous users on ntfy.sh): try later.
DAILY_QUOTA_BACKOFF = 3600.0

PRIORITY_NAMES = {"min": 1, "low": 2, "default": 3, "high": 4, "max": 5, "urgent": 5}
PRIORITY_CHOICES = ("auto", "1", "2", "3", "4", "5", *PRIORITY_NAMES)


class NtfyChannel(Channel):
    """Publish each batch as one or more ntfy notifications (JSON publish)."""

    type = "ntfy"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("server", default="https://ntfy.sh", help="ntfy server base URL"),
        # On ntfy.sh anyone who knows a topic can read it: the topic is a secret.
        Setting("topic", required=True, secret=True, help="topic name ([-_A-Za-z0-9]{1,64})"),
        Setting("token", secret=True, help="access token (tk_...), sent as Bearer"),
        Setting("username", help="user for Basic auth (with password)"),
        Setting("password", secret=True, help="password for Basic auth"),
        Setting("priority", default="auto", choices=PRIORITY_CHOICES),
        Setting("tags", list, default=(), help="tags added to the rule tags"),
        Setting("markdown", bool, default=True, help="send markdown (false: plain text)"),
        Setting("message_limit", int, default=MESSAGE_LIMIT, help="server message-size-limit"),
        Setting("timeout", float, default=10.0, help="seconds per request"),
    )
    # The visitor bucket is 60 requests refilled 1 per 5 s. At most 50 per 5 minutes never
    # empties it (50 + 60 refills >= any window's count), and leaves 10 requests for other
    # clients sharing our IP or user (subscribers count too).
    windows: ClassVar[tuple[Window, ...]] = (Window(50, 300.0),)

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any],
        *,
        client: httpx.AsyncClient | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, settings, **kwargs)
        self._client = client
        self._own_client = client is None
        #: Bytes a request may have: ``message_limit``, lowered when the server refuses one.
        self._limit: int = self.options["message_limit"]

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if not str(values["server"]).lower().startswith(("http://", "https://")):
            problems.append(("server", "setting 'server' must start with http:// or https://"))
        if not TOPIC_RE.match(str(values["topic"])):
            problems.append(
                ("topic", "setting 'topic' may hold only letters, digits, - and _ (1-64)")
            )
        if bool(values["username"]) != bool(values["password"]):
            given = "username" if values["username"] else "password"
            problems.append((given, "settings 'username' and 'password' go together"))
        if values["token"] and values["username"]:
            problems.append(("token", "set either 'token' or 'username'/'password', not both"))
        if any(not isinstance(t, str) for t in values["tags"]):
            problems.append(("tags", "setting 'tags' must be a list of strings"))
        if values["message_limit"] < MIN_LIMIT:
            problems.append(("message_limit", "setting 'message_limit' must be at least 256"))
        return problems

    # -- rendering ---------------------------------------------------------------------------

    def render(self, message: Message) -> list[Part]:
        entries = list(message.entries)
        markdown = self.options["markdown"]
        limit = self._limit
        to_block = entry_markdown if markdown else entry_text
        blocks = [to_block(e) for e in entries]
        by_block = dict(zip(blocks, entries, strict=True))
        text = line(message.text)
        lead = (escape_markdown(text) if markdown else text) if text else ""
        if lead:
            blocks.insert(0, lead)
        if not blocks:
            return []
        json_room = limit - self._overhead(message)

        def measure(body: str) -> int:
            # Bytes, as the server counts; "too big" once the JSON request would pass the limit.
            return utf8_len(body) if _json_len(body) <= json_room else 2**31

        def shrink(block: str, room: int) -> str:
            # An entry too big alone loses its summary, then title length, then link:
            # never a cut through the middle of its markup.
            entry = by_block.get(block)
            if entry is None:  # the free text
                return cut(block, room, measure)
            for summary, title, link in SHRINK_STEPS:
                smaller = to_block(entry, summary, title, link)
                if measure(smaller) <= room:
                    return smaller
            for title in (40, 20, 8):
                smaller = to_block(entry, 0, title, False)
                if measure(smaller) <= room:
                    return smaller
            return cut(smaller, room, measure)

        packed = pack(blocks, limit=limit, measure=measure, shorten=shrink)
        parts: list[Part] = []
        start = 0
        for index, (body, count) in enumerate(packed):
            if lead and index == 0:
                count -= 1  # the free text is not an entry
            chunk = entries[start : start + count]
            start += count
            parts.append(Part(self._payload(message, chunk, body, index, len(packed)), count))
        return parts

    def resplit(self, part: Part, result: Result, message: Message) -> list[Part] | None:
        """Refused as too big: halve the limit below the refused size, render again."""
        if result.code not in TOO_BIG:
            return None
        payload = part.payload
        refused = len(_dumps(payload)) if result.code == "41303" else utf8_len(payload["message"])
        if refused > self._limit:  # rendered before the limit went down
            return self.render(message)
        limit = max(MIN_LIMIT, refused // 2)
        if limit >= refused:
            return None  # as small as it gets: not a size problem
        log.warning(
            "%s: the ntfy server refused %d bytes as too big (%s); sending at most %d bytes "
            "(set message_limit to the server's message-size-limit)",
            self.name,
            refused,
            result.code,
            limit,
        )
        self._limit = limit
        return self.render(message)

    def _payload(
        self, message: Message, chunk: Sequence[Entry], body: str, index: int, total: int
    ) -> dict[str, Any]:
        title = self._headline(message)
        if total > 1:
            title += f" ({index + 1}/{total})"
        payload: dict[str, Any] = {
            "topic": self.options["topic"],
            "message": body,
            "title": title,
            "priority": self._priority(chunk),
        }
        if tags := self._tags(chunk):
            payload["tags"] = tags
        if len(chunk) == 1 and (click := _click(chunk[0])):
            payload["click"] = click
        if self.options["markdown"]:
            payload["markdown"] = True
        return payload

    def _priority(self, chunk: Sequence[Entry]) -> int:
        chosen = self.options["priority"]
        if chosen != "auto":
            return PRIORITY_NAMES.get(chosen) or int(chosen)
        return priority_for(max((e.score for e in chunk), default=0.0))

    def _tags(self, chunk: Sequence[Entry]) -> list[str]:
        return self._tags_all(chunk)[:MAX_TAGS]

    def _tags_all(self, chunk: Sequence[Entry]) -> list[str]:
        # The server joins JSON tags with "," and splits them again: no commas inside a tag.
        raw = [*self.options["tags"], *(t for e in chunk for t in e.tags)]
        tags = [cut(" ".join(t.replace(",", " ").split()), TAG_LIMIT) for t in raw]
        return list(dict.fromkeys(t for t in tags if t))

    def _headline(self, message: Message) -> str:
        return cut(heading(message, message.entries), HEADLINE_LIMIT)

    def _overhead(self, message: Message) -> int:
        """Bytes of the JSON request besides the message text, at most, for any part."""
        widest = max((_click(e) or "" for e in message.entries), key=utf8_len, default="")
        tags = sorted(self._tags_all(message.entries), key=utf8_len, reverse=True)
        worst = {
            "topic": self.options["topic"],
            "message": "",
            "title": self._headline(message) + " (99/99)",
            "priority": 5,
            "tags": tags[:MAX_TAGS],
            "click": widest,
            "markdown": True,
        }
        return len(_dumps(worst))

    # -- delivery ----------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        import httpx

        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.options["timeout"])
        return self._client

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if token := self.options["token"]:
            headers["Authorization"] = f"Bearer {token}"
        elif user := self.options["username"]:
            pair = f"{user}:{self.options['password']}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return headers

    def _secrets(self) -> list[str | None]:
        return [self.options["token"], self.options["password"], self.options["topic"]]

    async def deliver(self, payload: Any) -> Result:
        import httpx

        url = self.options["server"].rstrip("/") + "/"
        try:
            response = await self._http().post(
                url,
                content=_dumps(payload),
                headers=self._headers(),
                timeout=self.options["timeout"],
            )
        except httpx.TimeoutException as exc:
            return Result(Outcome.RETRY, self.name, code="timeout", detail=type(exc).__name__)
        except httpx.TransportError as exc:
            detail = scrub(f"{type(exc).__name__}: {exc}", self._secrets())
            return Result(Outcome.RETRY, self.name, code="connection", detail=cut(detail, 300))
        return self._classify(response)

    def _classify(self, response: httpx.Response) -> Result:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {}
        if 200 <= status < 300:
            if data.get("id") and data.get("event", "message") == "message":
                detail = f"id {data['id']}"
                if data.get("attachment"):
                    # The server's message-size-limit is below ours: set message_limit.
                    detail += "; the server turned the text into an attachment"
                return Result(Outcome.SENT, self.name, detail=detail)
            return Result(
                Outcome.FAILED,
                self.name,
                code=str(status),
                detail="answer is not an ntfy message (is 'server' an ntfy server?)",
            )
        code = str(data.get("code") or status)
        detail = cut(scrub(str(data.get("error") or response.reason_phrase), self._secrets()), 300)
        if status == 429:
            wait = _retry_after(response)
            if wait is None:
                wait = DAILY_QUOTA_BACKOFF if code == "42908" else RATE_LIMIT_BACKOFF
            return Result(Outcome.RETRY, self.name, code=code, detail=detail, retry_after=wait)
        if status >= 500 or status == 408:
            return Result(Outcome.RETRY, self.name, code=code, detail=detail)
        return Result(Outcome.FAILED, self.name, code=code, detail=detail)

    async def aclose(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None


def _click(entry: Entry) -> str | None:
    url = safe_url(entry.url)
    return url if url and utf8_len(url) <= CLICK_LIMIT else None


def _dumps(payload: Any) -> bytes:
    # Raw UTF-8, not \\u escapes: CJK stays 3 bytes instead of 6 against the 8 KiB limit.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_len(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


def _retry_after(response: httpx.Response) -> float | None:
    """ntfy sends no Retry-After, but a proxy in front of it may."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
