"""What the tools work on: the store (open for the server's life) and the config, read
again when its file changes (an edit by ``add_rule`` or by hand)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.config import Config
from notifier.store import Store
from notifier.views.secrets import config_secrets

if TYPE_CHECKING:
    from notifier.views.day import MatchCache

ENV_TOKEN = "NOTIFIER_MCP_TOKEN"


class ToolFailure(Exception):
    """A call the tool refuses or cannot do: a one-line message for the client."""


class ServerState:
    """The store, the config and the write permissions of one ``notifier mcp``."""

    def __init__(
        self,
        store: Store,
        config: Config | None,
        *,
        allow_write: bool = False,
        rules_file: str | None = None,
    ) -> None:
        self.store = store
        self._config = config
        self.config_path = config.path if config is not None else None
        self.allow_write = allow_write
        self.rules_file = rules_file or self.config_path
        self._stamp = _stamp(self.config_path)
        self._cache: MatchCache | None = None
        self.secrets = config_secrets(config, [os.environ.get(ENV_TOKEN)])

    @property
    def config(self) -> Config | None:
        """The config, read again if its file changed since (kept when it has problems:
        ``check_config`` says which)."""
        stamp = _stamp(self.config_path)
        if self.config_path and stamp != self._stamp:
            self._stamp = stamp
            self.reload()
        return self._config

    def reload(self) -> None:
        """Read the config file again (kept as it was if it no longer checks)."""
        if not self.config_path:
            return
        from notifier.config import inspect_config

        report = inspect_config(self.config_path)
        if report.config is not None:
            self._config = report.config
            self._cache = None
            self.secrets = self.secrets | config_secrets(report.config)
        self._stamp = _stamp(self.config_path)

    def match_cache(self) -> MatchCache:
        """The engine on the config's rules, with its verdicts (one per config)."""
        from notifier.views.day import MatchCache

        config = self.config
        if self._cache is None:
            self._cache = MatchCache(config)
        return self._cache

    def need_write(self, tool: str) -> None:
        """Refuse ``tool`` unless the server was started with ``--allow-write``."""
        if not self.allow_write:
            raise ToolFailure(
                f"{tool} changes things: this server is read-only "
                "(the operator starts it with `notifier mcp --allow-write` to allow it)"
            )


def _stamp(path: str | None) -> tuple[int, int] | None:
    if not path:
        return None
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size
