"""The console target: prints the rendered message. The default when nothing else is set."""

from __future__ import annotations

import sys
from typing import Any, ClassVar

from channels.base import Channel, Message, Outcome, Part, Result, Setting


class ConsoleChannel(Channel):
    """Print each message as plain text on stdout (or stderr)."""

    type = "console"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("stream", default="stdout", choices=("stdout", "stderr")),
    )

    def render(self, message: Message) -> list[Part]:
        lines = [message.title] if message.title else []
        if message.text:
            lines.append(message.text)
        for entry in message.entries:
            score = f"[{entry.score:.1f}] " if entry.score else ""
            rule = f" ({entry.rule})" if entry.rule else ""
            lines.append(f"- {score}{entry.title}{rule}")
            if entry.url:
                lines.append(f"  {entry.url}")
        return [Part("\n".join(lines), len(message.entries))]

    async def deliver(self, payload: Any) -> Result:
        stream = sys.stderr if self.options["stream"] == "stderr" else sys.stdout
        print(payload, file=stream, flush=True)
        return Result(Outcome.SENT, self.name)
