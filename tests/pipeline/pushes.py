"""Helpers for push tests: a channel that records messages, a configured target source and
the subscribers' chats sending through it, a matcher that routes every story, a clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from typing import Any

from channels.base import Channel, Message, Outcome, Part, Result
from notifier.delivery.policy import Policy
from notifier.items import Item
from notifier.pipeline.dispatch import Dispatcher
from notifier.pipeline.ingest import Ingestor
from notifier.pipeline.matching import Match
from notifier.pipeline.targets import Targets
from notifier.store import Store
from notifier.subscriptions.directory import Directory
from notifier.subscriptions.model import Chat
from notifier.subscriptions.targets import SubscriberTargets

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: str, time: str, tz: zoneinfo.ZoneInfo = SHANGHAI) -> float:
    """UNIX seconds of ``day time`` on the wall clock of ``tz``."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=tz).timestamp()


class Clock:
    """The time the pipeline sees; tests move it by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass(frozen=True)
class Pushed:
    """A message a target received, and when (by the test's clock)."""

    target: str
    at: float
    message: Message


class Recorder(Channel):
    """Every message one part, delivered into a shared list."""

    type = "recorder"

    def __init__(self, name: str, log: list[Pushed], clock: Clock) -> None:
        super().__init__(name, {})
        self.log = log
        self.clock = clock

    def render(self, message: Message) -> list[Part]:
        return [Part(message, len(message.entries))]

    async def deliver(self, payload: Any) -> Result:
        self.log.append(Pushed(self.name, self.clock(), payload))
        return Result(Outcome.SENT, self.name)


class Configured:
    """Targets of rules.yaml (operator targets), each with its policy."""

    def __init__(self, policies: Mapping[str, Policy], log: list[Pushed], clock: Clock) -> None:
        self.policies, self.log, self.clock = policies, log, clock

    def knows(self, name: str) -> bool:
        return name in self.policies

    def channel(self, name: str, new_address: str | None = None) -> Channel:
        return Recorder(name, self.log, self.clock)

    def policy(self, name: str) -> Policy:
        return self.policies[name]


class Subscribers(SubscriberTargets):
    """The subscribers' chats with their own settings, sending into the log."""

    def __init__(self, directory: Directory, log: list[Pushed], clock: Clock) -> None:
        super().__init__(directory, token="0:test", clock=clock)
        self.log = log

    def channel(self, name: str, new_address: str | None = None) -> Channel:
        return Recorder(name, self.log, self.clock)  # type: ignore[arg-type]


class Everything:
    """A matcher that sends every story to ``targets``."""

    def __init__(self, targets: Sequence[str], rule: str = "ai") -> None:
        self.targets, self.rule = targets, rule

    def match_digest(self, items: Sequence[Item]) -> list[list[Match]]:
        return [
            [Match(t, self.rule, 1.0 + i / 100) for t in self.targets] for i in range(len(items))
        ]


@dataclasses.dataclass
class Pipeline:
    store: Store
    clock: Clock
    ingestor: Ingestor
    dispatcher: Dispatcher
    pushed: list[Pushed]

    def to(self, target: str) -> list[Message]:
        return [p.message for p in self.pushed if p.target == target]


async def pipeline(
    store: Store,
    clock: Clock,
    *,
    policies: Mapping[str, Policy] | None = None,
    chats: Sequence[Chat] = (),
) -> Pipeline:
    """Ingest and dispatch on ``store`` for configured targets and subscriber chats."""
    pushed: list[Pushed] = []
    for chat in chats:
        await store.subscriptions.save_chat(chat)
    directory = Directory(store.subscriptions)
    await directory.load()
    targets = Targets(
        [Configured(policies or {}, pushed, clock), Subscribers(directory, pushed, clock)]
    )
    names = [*(policies or {}), *(f"tg:{c.chat_id}" for c in chats)]
    ingestor = Ingestor(
        store, [Everything(names)], targets.policy, known_target=targets.knows, clock=clock
    )
    dispatcher = Dispatcher(store, targets, clock=clock)
    return Pipeline(store, clock, ingestor, dispatcher, pushed)
