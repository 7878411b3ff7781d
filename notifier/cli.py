"""The ``notifier`` command line.

Only argparse is imported here: each command's module is imported when that command runs,
so ``notifier check`` and ``notifier test-rule`` never pay for aiogram, lark-oapi, apprise
or httpx (``notifier send-test`` loads only the adapter of its target).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

EXIT_USAGE = 2
#: A store that cannot be used (down, refusing us, corrupt): one line, for every command.
EXIT_STORE = 1


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-c",
        "--config",
        metavar="RULES.yaml",
        help="config file (default: $NOTIFIER_CONFIG, else ./rules.yaml)",
    )


def _add_layout(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--layout",
        metavar="SPEC",
        help="what the stories are, e.g. item=h3,section=h2 or item=div.story,title=a "
        "(as a source's layout: in rules.yaml)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="notifier",
        description="Read news digests, score items with keyword rules, push what matters.",
    )
    parser.add_argument("--version", action="version", version="notifier 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "parse",
        help="print the items notifier reads from digests",
        description=(
            "Print the items of each digest. --explain shows how each page was read: the "
            "layout found and, for each block, whether it became an item, a section or was "
            "skipped, and why. --layout states the layout instead (markdown: "
            "item=h3,section=h2; HTML: item=div.story,title=a). Exit status: 0, or 2 when "
            "a digest could not be read."
        ),
    )
    p.add_argument("digests", nargs="+", metavar="PATH|URL|-", help="file, directory, URL or -")
    p.add_argument("--json", action="store_true", help="one JSON object per item per line")
    p.add_argument("--explain", action="store_true", help="how each page was read, block by block")
    _add_layout(p)
    p.set_defaults(handler="notifier.commands.parse:run")

    p = sub.add_parser("check", help="validate rules.yaml (reports file:line: message)")
    p.add_argument("config", nargs="?", metavar="RULES.yaml", help="default: ./rules.yaml")
    p.set_defaults(handler="notifier.commands.check:run")

    p = sub.add_parser(
        "test-rule",
        help="show which items of a digest a rule matches, with scores and why",
        description=(
            "Show which items of the digests the rules match. Arguments that name a rule "
            "of the config are rules; the others are digests (file, directory, URL or -). "
            "Exit status: 0 when something matched, 1 when nothing did, 2 on errors."
        ),
    )
    p.add_argument("args", nargs="+", metavar="[RULE ...] DIGEST")
    _add_config(p)
    p.add_argument(
        "-e",
        "--expr",
        action="append",
        default=[],
        metavar="EXPR",
        help="an ad-hoc rule, e.g. 'OpenAI +GPT !广告' (repeatable; config rules are skipped)",
    )
    p.add_argument("-a", "--all", action="store_true", help="show items that do not match")
    _add_layout(p)
    p.add_argument("-x", "--explain", action="store_true", help="show each hit and the score")
    p.add_argument("--json", action="store_true", help="one JSON object per result per line")
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="highlight matched terms (default: when stdout is a terminal)",
    )
    p.set_defaults(handler="notifier.commands.test_rule:run")

    p = sub.add_parser(
        "send-test",
        help="send a test message through a configured target and print the outcome",
        description=(
            "Send a test message through TARGET (a channel of the config): --text, or a "
            "sample item. Prints the outcome (sent, retry, failed, gone), the service's code "
            "and detail, the parts and attempts; never a secret. The send takes a slot in "
            "the store's shared rate limits, as a worker's does: when they are full it waits "
            "a few seconds, or says when they free up and sends nothing. Exit status: 0 "
            "sent, 1 not sent, 2 config error or unknown target."
        ),
    )
    p.add_argument("target", metavar="TARGET", help="a channel name under channels:")
    p.add_argument("--text", metavar="TEXT", help="send this text instead of a sample item")
    _add_config(p)
    p.add_argument("--store", metavar="URL", help="override store: (its shared rate limits)")
    p.add_argument(
        "--wait", action="store_true", help="wait for the rate limits however long it takes"
    )
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    p.set_defaults(handler="notifier.commands.send_test:run")

    _service_commands(sub)
    return parser


def _service_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The long-running service and the commands that operate it."""
    p = sub.add_parser(
        "run",
        help="run the service: sources, matching, durable delivery, HTTP endpoint",
        description=(
            "Read every source of the config, match new stories, queue each match in the "
            "store and deliver it through its targets; serve /healthz, /metrics and "
            "POST /v1/digests. SIGTERM or Ctrl-C stops it cleanly."
        ),
    )
    _add_config(p)
    p.add_argument(
        "--once",
        action="store_true",
        help="read every source once, deliver everything due, then exit",
    )
    p.add_argument(
        "--role",
        choices=("all", "ingest", "worker", "bot"),
        default="all",
        help="what this process does (default: all; several processes may share a store)",
    )
    p.add_argument(
        "--store", metavar="URL", help="override store: (sqlite:///… or postgresql://…)"
    )
    p.add_argument("--listen", metavar="HOST:PORT", help="override server: listen")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars (--once)")
    p.set_defaults(handler="notifier.commands.run:run")

    p = sub.add_parser(
        "ingest",
        help="read digests once, queue their matches and deliver them (for scripts and cron)",
    )
    p.add_argument("digests", nargs="+", metavar="PATH|URL|-", help="file, directory, URL or -")
    _add_config(p)
    p.add_argument("--store", metavar="URL", help="override store:")
    p.add_argument("--no-send", action="store_true", help="only queue; a running service delivers")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler="notifier.commands.ingest:run")

    p = sub.add_parser("status", help="sources, targets, queue depth and last errors")
    _add_config(p)
    p.add_argument("--store", metavar="URL", help="override store:")
    p.add_argument("--json", action="store_true", help="print the status as JSON")
    p.set_defaults(handler="notifier.commands.status:run")

    p = sub.add_parser(
        "report",
        help="write the day's stories by rule as one HTML file",
        description=(
            "Write the day page (the stories of a day grouped by rule, with scores, heat and "
            "where each was delivered) as one self-contained HTML file: inline CSS, no "
            "script, nothing loaded from the network. Exit status: 0, 2 on a bad date or "
            "config."
        ),
    )
    _add_config(p)
    p.add_argument("--store", metavar="URL", help="override store:")
    p.add_argument("--html", required=True, metavar="FILE", help="the file to write")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today)")
    p.add_argument("--lang", choices=("en", "zh"), help="default: the config's language")
    p.set_defaults(handler="notifier.commands.report:run")

    p = sub.add_parser("deliveries", help="list deliveries (newest first)")
    _add_config(p)
    p.add_argument("--store", metavar="URL", help="override store:")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--failed", action="store_true", help="queued again after a failure")
    group.add_argument("--dead", action="store_true", help="given up: see `notifier retry`")
    group.add_argument(
        "--state", choices=("queued", "sending", "sent", "dead", "summarised", "dropped")
    )
    p.add_argument("--target", metavar="NAME", help="only this target")
    p.add_argument("-n", "--limit", type=int, default=50, help="at most N (default 50)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(handler="notifier.commands.deliveries:run")

    p = sub.add_parser("retry", help="queue dead deliveries again (and re-enable a gone target)")
    _add_config(p)
    p.add_argument("--store", metavar="URL", help="override store:")
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help="delivery ids")
    p.add_argument("--all-dead", action="store_true", help="every dead delivery")
    p.add_argument("--target", metavar="NAME", help="re-enable NAME and queue its dead ones")
    p.set_defaults(handler="notifier.commands.retry:run")

    p = sub.add_parser(
        "mcp",
        help="serve stories, rules and deliveries to AI assistants (MCP, stdio or HTTP)",
        description=(
            "An MCP server for Claude, Cursor or any MCP client: search stories, the day's "
            "hot topics, try and explain rules, deliveries, status, config problems. Speaks "
            "stdio (what desktop clients start) or, with --http, streamable HTTP with the "
            "bearer token of $NOTIFIER_MCP_TOKEN. Read-only unless --allow-write."
        ),
    )
    _add_config(p)
    p.add_argument("--store", metavar="URL", help="override store:")
    p.add_argument("--http", metavar="HOST:PORT", help="serve streamable HTTP at /mcp")
    p.add_argument(
        "--allow-write",
        action="store_true",
        help="allow add_rule, remove_rule and retry",
    )
    p.add_argument(
        "--rules-file", metavar="PATH", help="the file add_rule/remove_rule edit (default: -c)"
    )
    p.set_defaults(handler="notifier.commands.mcp:run")

    p = sub.add_parser("bot", help="run the Telegram subscription bot (long polling)")
    _add_config(p)
    p.add_argument("--store", metavar="URL", help="override store:")
    p.set_defaults(handler="notifier.commands.bot:run")

    p = sub.add_parser("db", help="the store's schema and data")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    q = dbsub.add_parser("upgrade", help="apply schema migrations")
    _add_config(q)
    q.add_argument("--store", metavar="URL", help="override store:")
    q.set_defaults(handler="notifier.commands.db:upgrade")
    q = dbsub.add_parser("copy", help="copy everything from one store to another")
    q.add_argument("source", metavar="FROM", help="e.g. sqlite:///notifier.db")
    q.add_argument("dest", metavar="TO", help="e.g. postgresql://localhost/notifier")
    q.add_argument(
        "--force", action="store_true", help="empty a destination that holds data first"
    )
    q.set_defaults(handler="notifier.commands.db:copy")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    module_name, func_name = args.handler.split(":")
    handler = getattr(importlib.import_module(module_name), func_name)
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `notifier parse x | head`: the reader left; not an error.
        sys.stderr.close()
        return 0
    except Exception as exc:
        from notifier.errors import StoreError

        if not isinstance(exc, StoreError):
            raise
        print(exc, file=sys.stderr)  # the store (password masked), the cause, the fix
        return EXIT_STORE


if __name__ == "__main__":
    sys.exit(main())
