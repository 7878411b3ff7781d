"""``notifier parse``: print the items read from digests."""

from __future__ import annotations

import argparse
import json
import sys

from notifier.commands._digests import DigestReader, cli_layout
from notifier.parse import ParseResult


def _print_human(result: ParseResult) -> None:
    date = result.date.isoformat() if result.date else "no date"
    print(f"{result.origin}  ({result.format}, {date}, {len(result.items)} items)")
    for item in result.items:
        print(f"{item.rank:4d}  {item.title}")
        if item.url:
            print(f"      {item.url}")
        details = [f"section: {item.section}"] if item.section else []
        if item.hotness is not None:
            details.append(f"hotness: {item.hotness}")
        if details:
            print("      " + "  ".join(details))
    print()


def _print_explanation(result: ParseResult) -> None:
    date = result.date.isoformat() if result.date else "no date"
    print(f"{result.origin}  ({result.format}, {date}, {len(result.items)} items)")
    if result.explanation is not None:
        for line in result.explanation.lines():
            print(line)
    print()


def run(args: argparse.Namespace) -> int:
    """Print every item of every digest; exit 2 if a digest could not be read."""
    reader = DigestReader(args.digests, layout=cli_layout(args.layout))
    for result in reader:
        if args.explain:
            _print_explanation(result)
        elif args.json:
            for item in result.items:
                data = item.to_json()
                data["format"] = result.format
                sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        else:
            _print_human(result)
    return 2 if reader.errors else 0
