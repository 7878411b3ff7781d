"""Feishu / Lark: the custom group bot (webhook) and the app bot (im/v1 through lark-oapi).

``feishu``/``lark`` post to a group's custom-bot webhook; ``feishu_app`` sends as a
self-built app to any chat or user it can reach. Both render the same three shapes
(interactive card, post, text) from :mod:`channels.feishu.common`.
"""

from __future__ import annotations

from channels.feishu.app import FeishuAppChannel
from channels.feishu.webhook import FeishuChannel, LarkChannel

__all__ = ["FeishuAppChannel", "FeishuChannel", "LarkChannel"]
