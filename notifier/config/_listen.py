"""A listening address setting (``server: listen``, ``bot: webhook: listen``)."""

from __future__ import annotations

import re

from notifier.config._check import Checker
from notifier.config._nodes import Node

_HOST_PORT = re.compile(r"(?:\[([0-9A-Fa-f:.]+)\]|([^\s:\[\]/]+)):(\d+)")


def read_listen(
    check: Checker, node: Node, where: str, example: int, *, port_zero: bool = False
) -> tuple[str, int] | None:
    """``127.0.0.1:PORT``, ``[::1]:PORT``, ``0.0.0.0:PORT`` or a port (on 127.0.0.1);
    ``where`` names the setting in errors (``server: listen``), ``example`` a port for them."""
    value = node.value
    host, port = "127.0.0.1", None
    if isinstance(value, int) and not isinstance(value, bool):
        port = value
    elif isinstance(value, str) and value.strip().isdigit():
        port = int(value)
    elif isinstance(value, str) and (match := _HOST_PORT.fullmatch(value.strip())):
        host, port = match.group(1) or match.group(2), int(match.group(3))
    elif isinstance(value, str) and value.strip().startswith(":"):
        check.fail(
            node,
            f"{where}: give the address too: 127.0.0.1:PORT (this machine only) "
            "or 0.0.0.0:PORT (every network interface)",
        )
        return None
    if port is None or not (0 if port_zero else 1) <= port <= 65535:
        check.fail(node, f"{where}: write HOST:PORT, e.g. 127.0.0.1:{example}, got {node.show()}")
        return None
    return host, port
