"""The exceptions notifier raises.

    NotifierError
      ConfigError(NotifierError, ValueError)   # rules.yaml and friends; carries file:line
      DigestError(NotifierError, ValueError)   # a digest that cannot be read at all
      StoreError(NotifierError)                # the store cannot be used (down, corrupt...)

Messages never contain secrets: values that came from ``${ENV}`` are not echoed.
"""

from __future__ import annotations


class NotifierError(Exception):
    """Base of every error notifier raises on purpose."""


class ConfigError(NotifierError, ValueError):
    """A problem in a config file, located at ``path:line``."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<config>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class DigestError(NotifierError, ValueError):
    """A digest that cannot be read at all (missing, unreadable, not a digest)."""

    def __init__(self, origin: str, reason: str) -> None:
        self.origin = origin
        self.reason = reason
        super().__init__(f"{origin}: {reason}")


class StoreError(NotifierError):
    """The store cannot be used: unreachable, refusing us, corrupt, not openable.

    ``store`` is its URL with the password masked; ``cause`` what went wrong (one line);
    ``fix`` what to do about it (may be empty). ``str()`` is the one line the CLI prints.
    """

    def __init__(self, store: str, cause: str, fix: str = "") -> None:
        self.store = store
        self.cause = cause
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        fix = f"; {self.fix}" if self.fix else ""
        return f"{self.store}: {self.cause}{fix}"
