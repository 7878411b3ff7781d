"""Load ``rules.yaml``: every problem is collected and reported as ``file:line: message``."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from notifier.config._bot import read_bot
from notifier.config._check import Checker
from notifier.config._delivery import merge, read_delivery
from notifier.config._model import ChannelSpec, Config, ConfigReport, Settings
from notifier.config._nodes import Node, compose
from notifier.config._problems import Problems
from notifier.config._rules import RuleContext, read_notify, read_rule
from notifier.config._service import read_server, read_store
from notifier.config._sources import read_sources
from notifier.config.channels import read_channel
from notifier.delivery.policy import Mode, Policy
from notifier.errors import ConfigError
from notifier.rules.frequency import parse_frequency_words
from notifier.rules.model import Rule

TOP_KEYS = (
    "settings",
    "store",
    "sources",
    "server",
    "delivery",
    "channels",
    "rules",
    "frequency_words",
    "bot",
)
SETTINGS_KEYS = ("fold_traditional", "field_weights")
FREQUENCY_KEYS = ("path", "notify", "fields", "tags", "first_group_only")
DEFAULT_PATH = "rules.yaml"
ENV_PATH = "NOTIFIER_CONFIG"


def default_config_path() -> str:
    """Return ``$NOTIFIER_CONFIG`` when set, else ``rules.yaml`` (in the current folder)."""
    return os.environ.get(ENV_PATH) or DEFAULT_PATH


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and check a config file.

    Raises:
        ConfigError: the first problem (by line); :func:`check_config` gives them all.
    """
    config, errors = check_config(path)
    if errors:
        raise errors[0]
    assert config is not None
    return config


def check_config(path: str | os.PathLike[str]) -> tuple[Config | None, list[ConfigError]]:
    """Read a config file and return it with every problem found (then the config is None).

    Warnings do not count as problems: the config carries them (``Config.warnings``);
    :func:`inspect_config` gives them even when there are errors.
    """
    report = inspect_config(path)
    return report.config, report.errors


def inspect_config(path: str | os.PathLike[str]) -> ConfigReport:
    """Read a config file: the config (``None`` if it has errors), errors and warnings."""
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        return ConfigReport(
            name, None, [ConfigError(f"cannot read: {exc.strerror or exc}", name)], []
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ConfigReport(name, None, [ConfigError("not UTF-8 text", name, line)], [])
    problems = Problems()
    root = compose(text, name, problems)
    if root is None:
        if not problems:
            problems.add("the config is empty: write rules: (see the example rules.yaml)", name, 1)
        return ConfigReport(name, None, problems.sorted(name), [])
    config = _Loader(name, Checker(name, problems)).load(root)
    warnings = problems.sorted(name, warnings=True)
    if problems or config is None:
        return ConfigReport(name, None, problems.sorted(name), warnings)
    return ConfigReport(name, dataclasses.replace(config, warnings=tuple(warnings)), [], warnings)


class _Loader:
    def __init__(self, path: str, check: Checker) -> None:
        self.path = path
        self.check = check
        self.base = Path(path).parent
        #: Lines of ``at:`` keys, to warn when no target delivers in digest mode.
        self.at_lines: list[tuple[int, str]] = []

    def load(self, root: Node) -> Config | None:
        top = self.check.mapping(root, "the config")
        if top is None:
            return None
        self.check.known_keys(root, TOP_KEYS, noun="top-level key")
        settings = self._settings(top.get("settings"))
        store = read_store(self.check, top.get("store"), self.base)
        sources = read_sources(self.check, top.get("sources"), self.base)
        server = read_server(self.check, top.get("server"))
        bot = read_bot(self.check, top.get("bot"), root.key_lines.get("bot"))
        defaults = self._delivery(top.get("delivery"), "delivery")
        channels, own = self._channels(top.get("channels"))
        # Rules may name a channel whose own settings are wrong: report that once, there.
        declared = top.get("channels")
        names = set(declared.value) if declared and isinstance(declared.value, dict) else set()
        ctx = RuleContext(self.check, settings.field_weights, frozenset(channels) | names)
        rules = self._rules(top.get("rules"), ctx)
        if "frequency_words" in top:
            rules += self._frequency(top["frequency_words"], ctx, {r.name for r in rules})
        if "rules" not in top and "frequency_words" not in top:
            self.check.error(root.line, "no rules: add rules: or frequency_words:")
        base = merge(Policy(), defaults)
        delivery = {name: merge(base, own.get(name)) for name in channels}
        if not any(p.mode is Mode.DIGEST for p in delivery.values()) and not any(
            r.delivery == Mode.DIGEST for r in rules
        ):
            for line, what in self.at_lines:
                self.check.warning(line, f"{what}: at: applies in digest mode only (mode: digest)")
        if store is None or server is None:
            return None
        return Config(
            self.path,
            tuple(rules),
            channels,
            settings,
            store=store,
            sources=sources,
            server=server,
            delivery=delivery,
            bot=bot,
        )

    def _delivery(self, node: Node | None, what: str) -> dict[str, Any] | None:
        """Read a ``delivery:`` mapping; remember where ``at:`` is."""
        if node is None:
            return None
        if isinstance(node.value, dict) and "at" in node.value:
            self.at_lines.append((node.key_lines["at"], what))
        return read_delivery(self.check, node, what)

    def _settings(self, node: Node | None) -> Settings:
        if node is None or node.value is None:
            return Settings()
        values = self.check.mapping(node, "settings")
        if values is None:
            return Settings()
        self.check.known_keys(node, SETTINGS_KEYS, noun="setting")
        settings = Settings()
        if "fold_traditional" in values:
            fold = self.check.boolean(values["fold_traditional"], "fold_traditional")
            if fold is not None:
                settings = dataclasses.replace(settings, fold_traditional=fold)
        if "field_weights" in values:
            weights = self.check.weights(
                values["field_weights"], "field_weights", settings.field_weights
            )
            if weights is not None:
                settings = dataclasses.replace(settings, field_weights=weights)
        return settings

    def _channels(
        self, node: Node | None
    ) -> tuple[dict[str, ChannelSpec], dict[str, dict[str, Any] | None]]:
        """The channels, and the ``delivery:`` fields each gives (read_channel skips them)."""
        out: dict[str, ChannelSpec] = {}
        delivery: dict[str, dict[str, Any] | None] = {}
        values = {} if node is None or node.value is None else self.check.mapping(node, "channels")
        for name, spec in (values or {}).items():
            line = node.key_lines[name] if node else spec.line
            channel = read_channel(self.check, name, spec, line)
            if channel is not None:
                out[name] = channel
            if isinstance(spec.value, dict) and "delivery" in spec.value:
                what = f"channel '{name}': delivery"
                delivery[name] = self._delivery(spec.value["delivery"], what)
        # `console` is always there, so that rules need no channels: section to start with.
        out.setdefault("console", ChannelSpec("console", "console"))
        return out, delivery

    def _rules(self, node: Node | None, ctx: RuleContext) -> list[Rule]:
        items = [] if node is None else self.check.items(node, "rules") or []
        rules: list[Rule] = []
        first_lines: dict[str, int] = {}
        for index, item in enumerate(items):
            name = item.value.get("name") if isinstance(item.value, dict) else None
            if name is not None and isinstance(name.value, str):
                if name.value in first_lines:
                    self.check.error(
                        name.line,
                        f"duplicate rule name {name.show()} "
                        f"(first at line {first_lines[name.value]})",
                    )
                else:
                    first_lines[name.value] = name.line
            rule = read_rule(item, index, ctx)
            if rule is not None:
                rules.append(rule)
        return rules

    def _frequency(self, node: Node, ctx: RuleContext, taken: set[str]) -> list[Rule]:
        rules: list[Rule] = []
        for item in self.check.items(node, "frequency_words", single=True) or []:
            rules += self._frequency_file(item, ctx)
        # A group may be named like a rule of rules.yaml: tell them apart by place.
        out: list[Rule] = []
        for rule in rules:
            if rule.name in taken:
                rule = dataclasses.replace(rule, name=f"{rule.name} ({rule.location})")
            taken.add(rule.name)
            out.append(rule)
        return out

    def _frequency_file(self, item: Node, ctx: RuleContext) -> list[Rule]:
        check = self.check
        options: dict[str, tuple[str, ...]] = {}
        first_group_only = False
        path_node = item
        if isinstance(item.value, dict):
            check.known_keys(item, FREQUENCY_KEYS, noun="key")
            if "path" not in item.value:
                check.error(item.line, "frequency_words: an entry needs path:")
                return []
            path_node = item.value["path"]
            readers: dict[str, Callable[[Node], tuple[str, ...] | None]] = {
                "notify": lambda n: read_notify(n, ctx),
                "fields": lambda n: check.fields(n, "fields"),
                "tags": lambda n: check.strings(n, "tags", single=True),
            }
            for key, read in readers.items():
                if key in item.value:
                    value = read(item.value[key])
                    if value is None:
                        return []
                    options[key] = value
            if "first_group_only" in item.value:
                flag = check.boolean(item.value["first_group_only"], "first_group_only")
                if flag is None:
                    return []
                first_group_only = flag
        relative = check.string(path_node, "frequency_words")
        if relative is None:
            return []
        full = self.base / relative
        shown = str(self.base / path_node.raw) if path_node.env and path_node.raw else str(full)
        try:
            data = full.read_bytes()
        except OSError as exc:
            check.error(
                path_node.line,
                f"frequency_words: cannot read {shown!r}: {exc.strerror or 'error'}",
            )
            return []
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            check.problems.add("not UTF-8 text", shown, data[: exc.start].count(b"\n") + 1)
            return []
        rules, errors = parse_frequency_words(
            text,
            shown,
            field_weights=ctx.field_weights,
            first_group_only=first_group_only,
            **options,
        )
        check.problems.extend(errors)
        return rules
