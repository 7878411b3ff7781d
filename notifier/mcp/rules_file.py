"""A rules file edited as text: a rule appended to ``rules:`` or one rule's lines removed,
every other byte (comments, blank lines, quoting) kept.

PyYAML drops comments, so the file is never written back from parsed data: the spans come
from PyYAML's node marks and the edit is done on the lines. The result is then checked
exactly as ``notifier check`` checks a file (a temporary copy beside it, so relative paths
read the same); a change that does not check, or that cannot be made safely as text (a
flow-style ``rules: [...]``, a file changed meanwhile), is refused and the file left as it
was. The file is replaced atomically (``os.replace``), keeping its permissions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from notifier.files import write_atomically
from notifier.mcp.state import ToolFailure

#: The longest rule accepted, in characters of YAML.
MAX_RULE = 4000


def add_rule(path: str, rule_yaml: str) -> str:
    """Append the rule ``rule_yaml`` (one mapping, as under ``rules:``) to the file's
    ``rules:``; return its name.

    Raises:
        ToolFailure: not one rule, a name the file already has, an edit that cannot be
            made as text, or a file that would not check (the first problem).
    """
    data = _read_rule(rule_yaml)
    name = data["name"]
    original, text = _read(path)
    root = _compose(text, path)
    rules = _rules_node(root)
    if isinstance(rules, yaml.SequenceNode) and name in _names(rules):
        raise ToolFailure(f"{path} already has a rule named {name!r}: remove it first")
    save(path, original, _with_rule(text, rules, data))
    return name


def remove_rule(path: str, name: str) -> None:
    """Delete the lines of the rule called ``name`` from the file's ``rules:`` (comments
    above it stay).

    Raises:
        ToolFailure: no such rule in the file, an edit that cannot be made as text, or a
            file that would not check without it.
    """
    original, text = _read(path)
    root = _compose(text, path)
    rules = _rules_node(root)
    if not isinstance(rules, yaml.SequenceNode):
        raise ToolFailure(f"{path} has no rules: list")
    if rules.flow_style:
        raise ToolFailure(f"{path}: rules: is written in flow style ([...]); edit it by hand")
    lines = text.splitlines(keepends=True)
    for item in rules.value:
        if _name_of(item) != name:
            continue
        start = item.start_mark.line
        if not lines[start].lstrip().startswith("-"):
            if start > 0 and lines[start - 1].strip() == "-":
                start -= 1
            else:
                raise ToolFailure(f"{path}: cannot tell where rule {name!r} starts; edit by hand")
        end = _end_line(item, lines)
        save(path, original, "".join(lines[:start] + lines[end:]))
        return
    raise ToolFailure(f"{path} has no rule named {name!r} under rules:")


def save(path: str, original: bytes, text: str) -> None:
    """Check ``text`` as ``notifier check`` would, then put it in place of ``path``
    atomically, unless the file changed since it was read as ``original``.

    Raises:
        ToolFailure: the text does not check (its first problem), or the file changed.
    """
    from notifier.config import inspect_config

    target = Path(path)
    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""

    def checks(tmp: str) -> None:
        report = inspect_config(tmp)
        if report.errors or report.config is None:
            first = str(report.errors[0]) if report.errors else "the file does not check"
            count = len(report.errors)
            raise ToolFailure(
                f"refused, the file would not check ({count} problem"
                f"{'s' if count != 1 else ''}): {first.replace(tmp, path)}"
            )
        if target.read_bytes() != original:
            raise ToolFailure(f"{path} changed while it was being edited; try again")

    write_atomically(target, bom + text.encode("utf-8"), target.stat().st_mode & 0o7777, checks)


def _read(path: str) -> tuple[bytes, str]:
    try:
        original = Path(path).read_bytes()
    except OSError as exc:
        raise ToolFailure(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return original, original.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ToolFailure(f"{path}: not UTF-8 text") from None


def _compose(text: str, path: str) -> yaml.Node:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ToolFailure(f"{path}{where}: not valid YAML; run check_config") from None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise ToolFailure(f"{path}: not a config (a block mapping with rules:)")
    return root


def _rules_node(root: yaml.MappingNode) -> yaml.Node | None:
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "rules":
            return value
    return None


def _name_of(item: yaml.Node) -> str | None:
    if isinstance(item, yaml.MappingNode):
        for key, value in item.value:
            if key.value == "name" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return None


def _names(rules: yaml.SequenceNode) -> set[str]:
    return {n for n in map(_name_of, rules.value) if n is not None}


def _end_line(node: yaml.Node, lines: list[str]) -> int:
    """The line after the last one holding ``node``'s content (0-based, exclusive):
    comments and blank lines after it belong to what follows."""
    leaf = node
    while isinstance(leaf, yaml.MappingNode | yaml.SequenceNode) and not leaf.flow_style:
        if not leaf.value:
            break
        last = leaf.value[-1]
        leaf = last[1] if isinstance(leaf, yaml.MappingNode) else last
    mark = leaf.end_mark
    end = mark.line if mark.column == 0 else mark.line + 1
    start = node.start_mark.line
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return min(end, len(lines))


def _with_rule(text: str, rules: yaml.Node | None, data: dict[str, Any]) -> str:
    """``text`` with the rule ``data`` appended to its ``rules:`` list."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    if rules is None:  # no rules: yet (a file of frequency_words:): add the section
        return "".join([*lines, f"rules:{newline}", *_block(data, 2, newline)])
    if isinstance(rules, yaml.ScalarNode) and rules.value == "" and rules.tag.endswith("null"):
        key_line = rules.start_mark.line
        rest = lines[key_line].split(":", 1)[-1].split("#", 1)[0]
        if rest.strip():
            raise ToolFailure("rules: holds a value that is not a list; edit the file by hand")
        column = len(lines[key_line]) - len(lines[key_line].lstrip()) + 2
        head, tail = lines[: key_line + 1], lines[key_line + 1 :]
        return "".join(head + _block(data, column, newline) + tail)
    if not isinstance(rules, yaml.SequenceNode):
        raise ToolFailure("rules: is not a list; edit the file by hand")
    if rules.flow_style:
        raise ToolFailure("rules: is written in flow style ([...]); add the rule by hand")
    end = _end_line(rules.value[-1], lines)
    return "".join(lines[:end] + _block(data, rules.start_mark.column, newline) + lines[end:])


def _block(data: dict[str, Any], column: int, newline: str) -> list[str]:
    """The rule as a block sequence item indented by ``column`` spaces."""
    dumped = yaml.safe_dump(
        [data], allow_unicode=True, sort_keys=False, default_flow_style=None, width=10**6
    )
    return [" " * column + line + newline for line in dumped.splitlines()]


def _read_rule(rule_yaml: str) -> dict[str, Any]:
    """The rule ``rule_yaml`` states, as data.

    Raises:
        ToolFailure: too long, ``${VAR}`` (a rule added remotely may not read the
            environment), aliases, not one mapping with a name.
    """
    if len(rule_yaml) > MAX_RULE:
        raise ToolFailure(f"the rule is too long: at most {MAX_RULE} characters of YAML")
    if "${" in rule_yaml:
        raise ToolFailure("a rule added here may not use ${VAR} (it would read the environment)")
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(rule_yaml, yaml.SafeLoader)):
            raise ToolFailure("a rule added here may not use YAML aliases (*name)")
        data = yaml.safe_load(rule_yaml)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ToolFailure(f"the rule is not valid YAML{where}") from None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or not data:
        raise ToolFailure("give one rule as a YAML mapping, e.g. name: chips / any: [芯片, GPU]")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ToolFailure("the rule needs a name: (a string)")
    return data
