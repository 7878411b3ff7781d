"""A channel type for config tests, registered in ``channels.REGISTRY`` by a fixture."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from channels.base import Channel, Message, Outcome, Part, Problem, Result, Setting


class FakeChannel(Channel):
    """A secret token, a whole number, a choice, and two settings that go together."""

    type = "fake"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("token", required=True, secret=True, help="the bot token"),
        Setting("chat_id", int),
        Setting("mode", choices=("html", "text")),
        Setting("user"),
        Setting("password", secret=True),
    )

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        if bool(values["user"]) != bool(values["password"]):
            given = "user" if values["user"] else "password"
            return [(given, "give user and password together")]
        return []

    @classmethod
    def advice(cls, settings: Mapping[str, Any]) -> list[Problem]:
        if settings.get("mode") == "text":
            return [("mode", "mode text drops the links")]
        return []

    def render(self, message: Message) -> list[Part]:
        return [Part(message.title, len(message.entries))]

    async def deliver(self, payload: Any) -> Result:
        return Result(Outcome.SENT, self.name)
