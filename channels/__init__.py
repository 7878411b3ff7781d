"""Channel adapters, one module per service, loaded lazily by type name.

Note: ``channels`` is also the import name of Django Channels; the two cannot share one
environment.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from channels.base import Channel

#: type name -> "module:Class". Adapters are imported on first use only.
REGISTRY: dict[str, str] = {
    "console": "channels.console:ConsoleChannel",
    "dingtalk": "channels.dingtalk:DingTalkChannel",
    "wecom": "channels.wecom:WeComChannel",
    "ntfy": "channels.ntfy:NtfyChannel",
    "feishu": "channels.feishu.webhook:FeishuChannel",
    "lark": "channels.feishu.webhook:LarkChannel",
    "feishu_app": "channels.feishu.app:FeishuAppChannel",
    "email": "channels.smtp:EmailChannel",
    "telegram": "channels.telegram:TelegramChannel",
    "apprise": "channels.apprise_channel:AppriseChannel",
}

__all__ = ["REGISTRY", "channel_class"]


def channel_class(type_name: str) -> type[Channel]:
    """Return the adapter class for ``type_name``; raise KeyError naming the known types."""
    from channels.base import Channel

    try:
        target = REGISTRY[type_name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown channel type {type_name!r} (known: {known})") from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, Channel)):
        raise TypeError(f"{target} is not a Channel")
    return cls
