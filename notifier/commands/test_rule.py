"""``notifier test-rule``: which items of a digest the rules match, with scores and why."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.commands._digests import DigestReader, cli_layout
from notifier.errors import ConfigError
from notifier.plaintext import plural

if TYPE_CHECKING:
    from notifier.engine import Hit, Result
    from notifier.items import Item
    from notifier.parse import ParseResult
    from notifier.rules import Rule

EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR = 0, 1, 2

HIGHLIGHT = ("\x1b[1;33m", "\x1b[0m")
PLAIN_MARK = ("[", "]")


def highlight(text: str, hits: Sequence[Hit], marks: tuple[str, str]) -> str:
    """Wrap the spans of ``hits`` in ``text`` with ``marks``, merging overlaps."""
    from notifier.views.results import merge_spans

    out, pos = [], 0
    for start, end in merge_spans((h.start, h.end) for h in hits):
        out += [text[pos:start], marks[0], text[start:end], marks[1]]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _fmt_score(value: float) -> str:
    return f"{value:6.2f}"


class Report:
    """Accumulates and prints the results of one run."""

    def __init__(self, args: argparse.Namespace, rules: Sequence[Rule]) -> None:
        self.args = args
        self.rules = rules
        color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
        self.marks = HIGHLIGHT if color else PLAIN_MARK
        self.items = 0
        self.matches: dict[str, int] = {r.name: 0 for r in rules}
        self.capped: set[int] = set()

    def digest(
        self, result: ParseResult, rows: list[tuple[Item, list[Result]]], capped: set[int]
    ) -> None:
        """Print (or emit as JSON) the results for one digest; ``capped`` are over a cap."""
        self.capped = capped
        self.items += len(result.items)
        for _, results in rows:
            for r in results:
                if self.matched(r):
                    self.matches[r.rule.name] += 1
        if self.args.json:
            self._json(result, rows)
        else:
            self._table(result, rows)

    def matched(self, r: Result) -> bool:
        """True when ``r`` matched and is within its rule's cap."""
        return r.matched and id(r) not in self.capped

    def reason(self, r: Result) -> str:
        """Why ``r`` matched or not, counting the cap."""
        if r.matched and id(r) in self.capped:
            return f"matched, but over the rule's limit of {r.rule.max_items} items"
        return r.reason

    def _json(self, result: ParseResult, rows: list[tuple[Item, list[Result]]]) -> None:
        from notifier.views.results import result_json

        for item, results in rows:
            for r in results:
                if not (self.matched(r) or self.args.all):
                    continue
                record = {
                    "digest": result.origin,
                    **result_json(r, matched=self.matched(r), reason=self.reason(r)),
                    "item": item.to_json(),
                }
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")

    def _table(self, result: ParseResult, rows: list[tuple[Item, list[Result]]]) -> None:
        date = result.date.isoformat() if result.date else "no date"
        print(f"{result.origin}  ({result.format}, {date}, {len(result.items)} items)")
        width = max([len(r.name) for r in self.rules] + [4])
        shown = False
        for item, results in rows:
            matched = [r for r in results if self.matched(r)]
            if matched:
                for r in sorted(matched, key=lambda r: -r.score):
                    self._row(_fmt_score(r.score), r.rule.name, width, item, r.hits)
                    if self.args.explain:
                        self._explain(r)
                shown = True
            elif self.args.all:
                near = [r for r in results if r.hits]
                best = max(near, key=lambda r: r.score) if near else None
                hits = best.hits if best else ()
                name = best.rule.name if best else "-"
                self._row("     -", name, width, item, hits)
                print(f"{'':{width + 15}}{self.reason(best) if best else 'no keyword'}")
                if self.args.explain and best:
                    self._explain(best)
                shown = True
        if not shown:
            print("  (no match)")
        print()

    def _row(self, score: str, name: str, width: int, item: Item, hits: Sequence[Hit]) -> None:
        title_hits = [h for h in hits if h.field == "title" and h.role != "none"]
        title = highlight(item.title, title_hits, self.marks)
        print(f"{score}  {name:<{width}}  {item.rank:3d}  {title}")

    def _explain(self, r: Result) -> None:
        from notifier.views.results import explain_lines

        for line in explain_lines(r):
            print(" " * 10 + line)

    def summary(self, digests: int) -> None:
        """Print the closing line (human mode only)."""
        if self.args.json:
            return
        total = sum(self.matches.values())
        per_rule = ", ".join(f"{name} {n}" for name, n in self.matches.items() if n)
        tail = f" ({per_rule})" if per_rule else ""
        print(
            f"{plural(digests, 'digest')}, {plural(self.items, 'item')}, "
            f"{plural(total, 'match', 'matches')}{tail}"
        )


def _select_rules(args: argparse.Namespace) -> tuple[list[Rule], list[str], bool]:
    """Split the arguments into rules and digests; return (rules, digests, traditional)."""
    from notifier.config import default_config_path
    from notifier.rules.expr import parse_expr

    path = Path(args.config or default_config_path())
    expr_rules = [
        parse_expr(text, name=f"expr{i}" if len(args.expr) > 1 else "expr")
        for i, text in enumerate(args.expr, 1)
    ]
    if expr_rules and not path.exists():
        return expr_rules, list(args.args), False
    from notifier.config import load_config

    config = load_config(path)
    by_name = {rule.name: rule for rule in config.rules}
    names = [a for a in args.args if a in by_name and not Path(a).exists()]
    digests = [a for a in args.args if a not in names]
    traditional = bool(config.settings.fold_traditional)
    if expr_rules:
        return expr_rules + [by_name[n] for n in names], digests, traditional
    return [by_name[n] for n in names] or list(config.rules), digests, traditional


def capped_results(rows: list[tuple[Item, list[Result]]]) -> set[int]:
    """Return the ids of matches beyond their rule's ``max_items`` (TrendRadar's ``@N``).

    Each rule keeps its N best-scoring matches of the digest; the rest are reported as
    capped rather than matched.
    """
    by_rule: dict[str, list[Result]] = {}
    for _, results in rows:
        for r in results:
            if r.matched and r.rule.max_items is not None:
                by_rule.setdefault(r.rule.name, []).append(r)
    capped: set[int] = set()
    for matches in by_rule.values():
        cap = matches[0].rule.max_items or 0
        capped.update(id(r) for r in sorted(matches, key=lambda r: -r.score)[cap:])
    return capped


def run(args: argparse.Namespace) -> int:
    """Evaluate the selected rules on every item of the digests and report."""
    try:
        rules, digests, traditional = _select_rules(args)
    except (ConfigError, OSError) as exc:
        print(f"notifier: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if not digests:
        print("notifier: no digest given (a file, directory, URL or -)", file=sys.stderr)
        return EXIT_ERROR
    if not rules:
        print("notifier: no rule to test (add rules to the config or use --expr)", file=sys.stderr)
        return EXIT_ERROR

    from notifier.engine import Engine

    engine = Engine(rules, traditional=traditional)
    report = Report(args, rules)
    reader = DigestReader(digests, layout=cli_layout(args.layout))
    count = items = 0
    for result in reader:
        count += 1
        items += len(result.items)
        rows = [(item, engine.evaluate(item)) for item in result.items]
        report.digest(result, rows, capped_results(rows))
    report.summary(count)
    if reader.errors:
        return EXIT_ERROR
    if not items:
        return EXIT_MATCH  # editions without stories (a warning says so): nothing to test
    return EXIT_MATCH if any(report.matches.values()) else EXIT_NO_MATCH
