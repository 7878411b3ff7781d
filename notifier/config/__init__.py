"""The config: ``rules.yaml`` read, checked and located (``file:line: message``).

config = load_config("rules.yaml")        # raises the first ConfigError
config, errors = check_config("rules.yaml")  # every problem, for `notifier check`
"""

from __future__ import annotations

from notifier.config._loader import check_config, default_config_path, load_config
from notifier.config._model import ChannelSpec, Config, Settings
from notifier.config.channels import (
    CHANNEL_TYPES,
    ChannelType,
    Setting,
    register_channel_type,
)

__all__ = [
    "CHANNEL_TYPES",
    "ChannelSpec",
    "ChannelType",
    "Config",
    "Setting",
    "Settings",
    "check_config",
    "default_config_path",
    "load_config",
    "register_channel_type",
]
