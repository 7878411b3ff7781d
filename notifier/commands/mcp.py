"""``notifier mcp``: serve the store's stories, rules and deliveries to MCP clients (stdio, or
streamable HTTP with ``--http``). The SDK is imported only once the config has checked."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from pathlib import Path

from notifier.commands._config import EXIT_CONFIG, resolve
from notifier.config import Config, default_config_path

#: The shortest bearer token ``--http`` accepts.
MIN_TOKEN = 16
_HOST_PORT = re.compile(r"(?:\[([0-9A-Fa-f:.]+)\]|([^\s:\[\]/]+)):(\d+)")


def run(args: argparse.Namespace) -> int:
    """Serve until the client leaves (stdio) or SIGTERM/Ctrl-C (HTTP); 2 on a bad config or
    usage (one line on stderr), 1 when the store cannot be used."""
    from notifier.mcp.state import ENV_TOKEN

    listen = None
    token = ""
    if args.http:
        listen = parse_listen(args.http)
        if listen is None:
            print(f"notifier mcp: --http {args.http}: expected HOST:PORT", file=sys.stderr)
            return EXIT_CONFIG
        token = os.environ.get(ENV_TOKEN, "").strip()
        if len(token) < MIN_TOKEN:
            print(
                f"notifier mcp: --http needs a bearer token of at least {MIN_TOKEN} characters "
                f"in ${ENV_TOKEN} (e.g. from `openssl rand -hex 32`)",
                file=sys.stderr,
            )
            return EXIT_CONFIG
    if args.rules_file and not Path(args.rules_file).is_file():
        print(f"notifier mcp: --rules-file {args.rules_file}: no such file", file=sys.stderr)
        return EXIT_CONFIG
    if not args.config and Path(default_config_path()).is_file():
        args.config = default_config_path()  # the rules are what the tools are about
    found = resolve(args, config="if-no-store")
    if found is None:
        return EXIT_CONFIG
    url, config = found
    try:
        asyncio.run(_serve(args, url, config, listen, token))
    except OSError as exc:
        if listen is None:
            raise
        print(f"notifier mcp: --http {args.http}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def parse_listen(text: str) -> tuple[str, int] | None:
    """``HOST:PORT`` or ``[::1]:PORT`` (port 0: any free one), else ``None``."""
    match = _HOST_PORT.fullmatch(text.strip())
    if match is None or not 0 <= int(match.group(3)) <= 65535:
        return None
    return match.group(1) or match.group(2), int(match.group(3))


async def _serve(
    args: argparse.Namespace,
    url: str,
    config: Config | None,
    listen: tuple[str, int] | None,
    token: str,
) -> None:
    from notifier.mcp.server import build
    from notifier.mcp.state import ServerState
    from notifier.store import open_store

    async with open_store(url) as store:
        state = ServerState(
            store, config, allow_write=args.allow_write, rules_file=args.rules_file
        )
        if listen is None:
            await build(state).run_stdio_async()
            return
        from notifier.mcp.http import serve

        host, port = listen
        await serve(build(state, host=host, port=port), host, port, token)
