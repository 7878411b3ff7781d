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


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-c",
        "--config",
        metavar="RULES.yaml",
        help="config file (default: $NOTIFIER_CONFIG, else ./rules.yaml)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="notifier",
        description="Read news digests, score items with keyword rules, push what matters.",
    )
    parser.add_argument("--version", action="version", version="notifier 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("parse", help="print the items notifier reads from digests")
    p.add_argument("digests", nargs="+", metavar="PATH|URL|-", help="file, directory, URL or -")
    p.add_argument("--json", action="store_true", help="one JSON object per item per line")
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
            "and detail, the parts and attempts; never a secret. Exit status: 0 sent, "
            "1 not sent, 2 config error or unknown target."
        ),
    )
    p.add_argument("target", metavar="TARGET", help="a channel name under channels:")
    p.add_argument("--text", metavar="TEXT", help="send this text instead of a sample item")
    _add_config(p)
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    p.set_defaults(handler="notifier.commands.send_test:run")
    return parser


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


if __name__ == "__main__":
    sys.exit(main())
