"""The channel interface: render a message, send it, classify the outcome.

A channel adapter is a small class: it declares its type name, its settings, its service
limits, and implements two methods:

- ``render(message) -> list[payload]``: the message in the service's idiom, split on entry
  boundaries so that no payload exceeds a limit (an entry too long alone is shortened);
- ``deliver(payload) -> Result``: one request to the service, its answer classified.

:meth:`Channel.send` (shared) renders, waits for the rate limiter, delivers each part,
retries transient failures a few times, and returns one :class:`Result` that says how
many entries went out, so the delivery pipeline never loses or repeats an entry. A part the
service refuses as too big goes to :meth:`Channel.resplit`: an adapter that can lower its
limit renders that part's entries again, smaller, and the rest of the message after them.

Settings. ``settings`` declares them (:class:`Setting`); :meth:`Channel.problems` checks a
mapping against that schema, then the adapter's own :meth:`Channel.cross_check`, and
:meth:`Channel.advice` warns about valid but risky values. Each problem names the setting
it is about, so that ``notifier check`` (through ``notifier.config``) reports it at that
setting's ``file:line``; the constructor raises on the same problems. ``check`` and
``warnings`` give the messages alone. Messages never show a value.

Adapters import their heavy SDK (aiogram, lark-oapi, apprise), httpx and asyncio inside
methods, never at module level: ``notifier check`` imports adapters to validate settings.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import enum
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from channels.ratelimit import RateLimiter, Window


class Outcome(enum.StrEnum):
    """What happened to a send, for the delivery pipeline."""

    SENT = "sent"  # delivered
    RETRY = "retry"  # not delivered; try again later (after ``retry_after`` if set)
    FAILED = "failed"  # not delivered; retrying will not help (bad token, bad signature, ...)
    GONE = "gone"  # the target no longer exists or blocked us: disable it


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One matched item as a message shows it."""

    title: str
    url: str | None = None
    summary: str = ""
    source: str = ""
    section: str | None = None
    date: dt.date | None = None
    score: float = 0.0
    rule: str = ""
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Message:
    """A batch of entries for one target, with an optional heading and free text."""

    entries: tuple[Entry, ...] = ()
    title: str = ""
    text: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    """The structured outcome of a send.

    ``sent_entries`` counts the entries of the message that were delivered, in order: on
    a failure in the middle of a split message, the pipeline re-queues only the rest.
    ``code`` and ``detail`` are the service's own error code and message (never secrets).
    """

    outcome: Outcome
    target: str
    code: str | None = None
    detail: str = ""
    retry_after: float | None = None
    new_address: str | None = None
    sent_parts: int = 0
    sent_entries: int = 0
    attempts: int = 0

    def __bool__(self) -> bool:
        return self.outcome is Outcome.SENT

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        data = dataclasses.asdict(self)
        data["outcome"] = self.outcome.value
        return data


@dataclasses.dataclass(frozen=True, slots=True)
class Setting:
    """One setting of a channel type, as rules.yaml declares it."""

    name: str
    kind: type = str
    required: bool = False
    default: Any = None
    secret: bool = False
    choices: tuple[str, ...] | None = None
    help: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Part:
    """A rendered payload and how many entries of the message it carries."""

    payload: Any
    entries: int


#: A problem with a channel's settings: the setting it is about (``None``: the channel as a
#: whole) and a message. Messages name settings, never their values (they may be secrets);
#: ``notifier check`` reports each at the line of its setting.
Problem = tuple[str | None, str]

_KIND_NAMES = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
}


def validate_settings(
    schema: Sequence[Setting], settings: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """Check ``settings`` against ``schema``; return (values with defaults, problems).

    A value that is ``None`` or ``""`` counts as not given. Problem messages name the
    setting, never its value (it may be a secret).
    """
    known = {s.name: s for s in schema}
    problems: list[Problem] = [
        (key, f"unknown setting {key!r}{_did_you_mean(key, known)}")
        for key in settings
        if key not in known and key != "type"
    ]
    values: dict[str, Any] = {}
    for s in schema:
        if s.name not in settings or settings[s.name] in (None, ""):
            if s.required:
                problems.append(
                    (s.name, f"missing setting {s.name!r}" + (f": {s.help}" if s.help else ""))
                )
            values[s.name] = s.default
            continue
        value = settings[s.name]
        if s.kind is list and isinstance(value, str):
            value = [value]
        if s.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if s.kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, s.kind) or (s.kind is int and isinstance(value, bool)):
            wanted = _KIND_NAMES.get(s.kind, s.kind.__name__)
            got = _KIND_NAMES.get(type(value), type(value).__name__)
            problems.append((s.name, f"setting {s.name!r} must be {wanted}, got {got}"))
            continue
        if s.choices and value not in s.choices:
            problems.append((s.name, f"setting {s.name!r} must be one of {', '.join(s.choices)}"))
            continue
        values[s.name] = value
    return values, problems


def _did_you_mean(key: str, known: Mapping[str, Setting]) -> str:
    """`` (did you mean 'x'?)`` or `` (known: a, b)`` for an unknown setting name."""
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known: {', '.join(sorted(known)) or 'none'})"


class Channel(abc.ABC):
    """Base of every adapter. Subclasses set the class attributes and two methods."""

    #: The ``type:`` name in rules.yaml.
    type: ClassVar[str]
    #: The settings this type takes.
    settings: ClassVar[tuple[Setting, ...]] = ()
    #: The service's rate limits, all enforced together (empty: none).
    windows: ClassVar[tuple[Window, ...]] = ()
    #: Transient failures retried inside one send before giving the delivery back.
    attempts: ClassVar[int] = 3
    #: A service asking to wait longer than this is handed back to the pipeline (RETRY).
    max_inline_wait: ClassVar[float] = 30.0
    #: Parts refused as too big that one send renders again (see :meth:`resplit`).
    max_resplits: ClassVar[int] = 8

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        import asyncio  # here, not at module level: `notifier check` imports adapters

        values, problems = validate_settings(self.settings, settings)
        problems = problems or self.cross_check(values)
        if problems:
            from notifier.errors import ConfigError

            text = "; ".join(message for _, message in problems)
            raise ConfigError(f"channel {name!r} ({self.type}): {text}")
        self.name = name
        self.options = values
        self._sleep = sleep or asyncio.sleep
        self.limiter = RateLimiter(self.windows, clock=clock, sleep=sleep)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # One validation path for the constructor, `notifier check` and every caller:
        # adapters extend cross_check() and advice(); check()/warnings() derive from them.
        for name in ("check", "warnings", "problems"):
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__}: override cross_check()/advice(), not {name}()")

    @classmethod
    def problems(cls, settings: Mapping[str, Any]) -> list[Problem]:
        """Return the problems of ``settings``, each with the setting it is about.

        The schema first; when it holds, :meth:`cross_check` on the values with defaults.
        """
        values, problems = validate_settings(cls.settings, settings)
        return problems or cls.cross_check(values)

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        """Checks beyond the schema (formats, settings that go together); override me.

        ``values`` passed the schema: every setting is there, with its default if not given.
        """
        return []

    @classmethod
    def check(cls, settings: Mapping[str, Any]) -> list[str]:
        """Return the problem messages of ``settings`` for this type."""
        return [message for _, message in cls.problems(settings)]

    @classmethod
    def advice(cls, settings: Mapping[str, Any]) -> list[Problem]:
        """Return warnings on valid but risky ``settings``, each with its setting; override me.

        ``notifier check`` prints them as ``file:line: warning: ...`` (exit status 0).
        """
        return []

    @classmethod
    def warnings(cls, settings: Mapping[str, Any]) -> list[str]:
        """Return the warning messages of ``settings`` (see :meth:`advice`)."""
        return [message for _, message in cls.advice(settings)]

    def describe(self) -> str:
        """Return a one-line description with every secret masked."""
        shown = []
        for s in self.settings:
            value = self.options.get(s.name)
            if value in (None, "", s.default):
                continue
            shown.append(f"{s.name}=***" if s.secret else f"{s.name}={mask_url(str(value))}")
        return f"{self.name} ({self.type}{': ' if shown else ''}{', '.join(shown)})"

    @abc.abstractmethod
    def render(self, message: Message) -> list[Part]:
        """Return the message as payloads within the service's limits."""

    @abc.abstractmethod
    async def deliver(self, payload: Any) -> Result:
        """Make one request with ``payload`` and classify the service's answer."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most adapters need none
        """Release connections."""

    def resplit(self, part: Part, result: Result, message: Message) -> list[Part] | None:
        """``part`` was not delivered (``result``): if the service refused it as too big,
        lower the adapter's limit and return ``message`` (the part's entries, and the free
        text if the part was the first) rendered again under it; else None. Override me.

        Return None too when the limit cannot go lower than the refused part: :meth:`send`
        then returns ``result``.
        """
        return None

    def render_rest(self, later: list[Part], message: Message) -> list[Part]:
        """After a :meth:`resplit`: the parts ``later`` (``message``'s entries), which were
        rendered under the old limit, rendered again (or kept as they are)."""
        return self.render(message)

    async def send(self, message: Message) -> Result:
        """Render, rate-limit, deliver every part with retries; return the overall result."""
        parts = self.render(message)
        sent_parts = sent_entries = attempts = resplits = 0
        last: Result | None = None
        new_address: str | None = None  # a part may report that the target moved
        index = 0
        while index < len(parts):
            part = parts[index]
            for attempt in range(1, self.attempts + 1):
                await self.limiter.acquire()
                attempts += 1
                last = await self.deliver(part.payload)
                new_address = last.new_address or new_address
                if last.outcome is not Outcome.RETRY or attempt == self.attempts:
                    break
                wait = last.retry_after if last.retry_after is not None else 0.5 * 2**attempt
                if wait > self.max_inline_wait:
                    break
                if last.retry_after is not None:
                    self.limiter.pause(wait)
                await self._sleep(wait)
            assert last is not None
            if last.outcome is not Outcome.SENT and resplits < self.max_resplits:
                smaller = self._resplit(message, parts, index, sent_entries, last)
                if smaller is not None:
                    parts, resplits = smaller, resplits + 1
                    continue
            if last.outcome is not Outcome.SENT:
                return dataclasses.replace(
                    last,
                    target=self.name,
                    sent_parts=sent_parts,
                    sent_entries=sent_entries,
                    attempts=attempts,
                    new_address=new_address,
                )
            sent_parts += 1
            sent_entries += part.entries
            index += 1
        return Result(
            Outcome.SENT,
            self.name,
            code=last.code if last else None,
            detail=last.detail if last else "nothing to send",
            new_address=new_address,
            sent_parts=sent_parts,
            sent_entries=sent_entries,
            attempts=attempts,
        )

    def _resplit(
        self, message: Message, parts: list[Part], index: int, done: int, result: Result
    ) -> list[Part] | None:
        """``parts`` with part ``index`` (and every part after it) rendered again, or None.

        The free text goes in the first part (``render``'s convention), entries in order.
        """
        part = parts[index]
        end = done + part.entries
        head = Message(message.entries[done:end], message.title, message.text if not index else "")
        smaller = self.resplit(part, result, head)
        if smaller is None:
            return None
        later = parts[index + 1 :]
        rest = self.render_rest(later, Message(message.entries[end:], message.title))
        return [*parts[:index], *smaller, *(rest if later else [])]


def mask_url(value: str) -> str:
    """Mask the query string and any userinfo of a URL (tokens live there)."""
    if "://" not in value:
        return value
    scheme, rest = value.split("://", 1)
    host, sep, path = rest.partition("/")
    if "@" in host:
        host = "***@" + host.rsplit("@", 1)[1]
    path = path.split("?", 1)[0] + ("?***" if "?" in path else "")
    return f"{scheme}://{host}{sep}{path}"
