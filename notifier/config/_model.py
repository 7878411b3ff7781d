"""What a loaded config holds."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from notifier.config._bot import BotSpec
from notifier.delivery.policy import Policy
from notifier.errors import ConfigError
from notifier.rules.model import DEFAULT_FIELD_WEIGHTS, Location, Rule


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """The ``settings:`` section."""

    #: Fold traditional Chinese to simplified (繁→简) before matching.
    fold_traditional: bool = True
    #: Weight of a hit per field, for every rule (a rule's ``weights:`` overrides).
    field_weights: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_FIELD_WEIGHTS)
    )


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class ChannelSpec:
    """A named target: its type and settings. The repr masks every setting value."""

    name: str
    type: str
    settings: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    location: Location | None = dataclasses.field(default=None, compare=False)

    def __repr__(self) -> str:
        masked = ", ".join(f"{k!r}: '***'" for k in self.settings)
        return f"ChannelSpec(name={self.name!r}, type={self.type!r}, settings={{{masked}}})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class SourceSpec:
    """A named source (``sources:``): a watched ``folder`` or a polled ``url``.

    ``settings`` are checked and normalised: for ``folder``, ``path`` (absolute),
    ``pattern`` (tuple of file-name globs, ``None`` for digest files) and ``recursive``;
    for ``url``, ``url``, ``interval`` and ``timeout`` (seconds), ``headers`` (name ->
    text, may hold secrets) and ``max_size`` (bytes).
    """

    name: str
    type: str
    settings: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    location: Location | None = dataclasses.field(default=None, compare=False)

    def __repr__(self) -> str:
        return f"SourceSpec(name={self.name!r}, type={self.type!r})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class ServerSpec:
    """The ``server:`` section: the HTTP endpoint of ``notifier run``."""

    host: str = "127.0.0.1"
    port: int = 8080
    #: Bearer token for ``POST /v1/digests`` (``None``: ingest disabled).
    token: str | None = None
    #: Largest accepted digest body, in bytes.
    max_body: int = 5 * 1024 * 1024
    #: Seconds to receive a digest's body (408 beyond).
    body_timeout: float = 30.0
    #: Seconds to receive a request's line and headers, from the connection or the previous
    #: answer (so also the idle keep-alive limit); the connection is closed beyond.
    header_timeout: float = 15.0
    #: Uploads received or processed at once (503 with Retry-After beyond).
    max_uploads: int = 16
    #: Bearer token for reading the web page (``/``, ``/play``, ``/status``), asked for
    #: wherever the server listens once set (``None``: open on loopback, 403 beyond).
    view_token: str | None = None

    def __repr__(self) -> str:
        token = "***" if self.token else None
        view = "***" if self.view_token else None
        return (
            f"ServerSpec(host={self.host!r}, port={self.port}, token={token}, view_token={view})"
        )


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Config:
    """A checked ``rules.yaml``: rules (from the file and its keyword files), channels."""

    path: str
    rules: tuple[Rule, ...]
    channels: Mapping[str, ChannelSpec]
    settings: Settings = dataclasses.field(default_factory=Settings)
    #: Advice on valid but risky settings (``file:line: warning: ...``), e.g. a plain-http
    #: Telegram API server or an Apprise URL for a service that has a native type.
    warnings: tuple[ConfigError, ...] = dataclasses.field(default=(), compare=False)
    #: Where the store lives: ``sqlite:///path`` or ``postgresql://...`` (``store:``; default
    #: ``$NOTIFIER_STORE``, else ``notifier.db`` beside the config file).
    store: str = "sqlite:///notifier.db"
    sources: tuple[SourceSpec, ...] = ()
    server: ServerSpec = dataclasses.field(default_factory=ServerSpec)
    #: The delivery policy of each channel (``delivery:`` at the top level gives the
    #: defaults; a channel's own ``delivery:`` overrides them). Every channel has one.
    delivery: Mapping[str, Policy] = dataclasses.field(default_factory=dict)
    #: The Telegram bot (``bot:``), ``None`` without one.
    bot: BotSpec | None = None

    def policy(self, target: str) -> Policy:
        """Return the delivery policy of ``target`` (the default one if it has none)."""
        return self.delivery.get(target) or Policy()

    def rule(self, name: str) -> Rule:
        """Return the rule called ``name``.

        Raises:
            KeyError: when there is none.
        """
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def __repr__(self) -> str:
        # Counts and channel names only: any value may have come from ${VAR}.
        return (
            f"Config(path={self.path!r}, rules=<{len(self.rules)} rules>, "
            f"channels={list(self.channels)!r})"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class ConfigReport:
    """What checking a config found: the config (``None`` if it has errors), every error
    and every warning, each ``file:line: message``."""

    path: str
    config: Config | None
    errors: list[ConfigError]
    warnings: list[ConfigError]

    def messages(self) -> list[ConfigError]:
        """Errors and warnings together, by file and line (an error before a warning)."""
        from notifier.config._problems import by_place

        return by_place(self.path, [*self.errors, *self.warnings])
