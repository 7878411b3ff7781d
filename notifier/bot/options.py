"""The bot's settings are the config's ``bot:`` section (``notifier.config.BotSpec``)."""

from __future__ import annotations

from typing import Any

from notifier.config import BotSpec


def from_config(config: Any) -> BotSpec | None:
    """The config's ``bot:`` section, when it has one with a token (else ``None``)."""
    spec: BotSpec | None = getattr(config, "bot", None)
    return spec if spec is not None and spec.token else None
