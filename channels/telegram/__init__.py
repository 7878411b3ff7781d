"""Telegram: a bot posts each batch to a chat, group, channel or forum topic (Bot API, HTML).

Sends through aiogram's ``Bot`` with a session pointed at ``api_server`` (a self-hosted Bot
API server works too). aiogram is imported inside methods only: ``notifier check`` imports
this package to validate settings and must stay fast.
"""

from __future__ import annotations

from channels.telegram.channel import TelegramChannel

__all__ = ["TelegramChannel"]
