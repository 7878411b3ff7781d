"""The config: ``rules.yaml`` read, checked and located (``file:line: message``).

config = load_config("rules.yaml")        # raises the first ConfigError
config, errors = check_config("rules.yaml")  # every problem, for `notifier check`
report = inspect_config("rules.yaml")     # config, errors and warnings

Besides rules and channels a config declares the service: ``store:``, ``sources:``,
``server:`` and ``delivery:`` (see ``_service``, ``_sources`` and ``_delivery``).

Channel types and their settings are the adapters' (``channels.REGISTRY``): see
:mod:`notifier.config.channels`.
"""

from __future__ import annotations

from notifier.config._bot import BotLimits, BotSpec, WebhookSpec
from notifier.config._loader import (
    check_config,
    default_config_path,
    inspect_config,
    load_config,
)
from notifier.config._model import (
    ChannelSpec,
    Config,
    ConfigReport,
    ServerSpec,
    Settings,
    SourceSpec,
)
from notifier.config._service import sqlite_path

__all__ = [
    "BotLimits",
    "BotSpec",
    "ChannelSpec",
    "Config",
    "ConfigReport",
    "ServerSpec",
    "Settings",
    "SourceSpec",
    "WebhookSpec",
    "check_config",
    "default_config_path",
    "inspect_config",
    "load_config",
    "sqlite_path",
]
