"""Digest reading: files/s and items/s over real pages, and a generated 50 MB digest.

    python bench/parse.py            # corpus + fixtures, then a 50 MB digest
    python bench/parse.py --quick    # fewer rounds, a 5 MB digest
    python bench/parse.py --html     # also selectolax (lexbor) vs lxml on HTML pages

Pages: the real digests of ../shared/corpus and ../shared/wild-digests, and the
fixtures of tests/corpus/fixtures (markdown and HTML). Baselines, measured in the same
run on the same pages: decoding the bytes and splitting lines (the floor of any reader),
and markdown-it's block parse alone (the syntax tree the structural reader starts from).

The generated digest is ``## Section`` headings over numbered ``N. [Title](url)`` entries
with an indented summary (Chinese and English), the shape of the corpus's largest pages.
It is read in a fresh process, so that peak RSS is its own; the baseline is the same
process reading the file's bytes and nothing else.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("NOTIFIER_SHARED") or ROOT.parent / "shared")
MB = 1024 * 1024


def pages() -> list[Path]:
    found: list[Path] = []
    for root in (SHARED / "corpus", SHARED / "wild-digests", ROOT / "tests/corpus/fixtures"):
        found += [
            p
            for p in sorted(root.rglob("*"))
            if p.suffix in (".md", ".html") and p.name != "README.md"
        ]
    return found


def _rate(run, rounds: int) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for _ in range(rounds):
        run()
    return (time.process_time() - start) / rounds


def corpus(rounds: int) -> None:
    from markdown_it import MarkdownIt

    from notifier.parse import parse_bytes
    from notifier.parse.decode import decode

    files = pages()
    blobs = [(p, p.read_bytes()) for p in files]
    texts = [decode(data, str(p))[0] for p, data in blobs]
    items = sum(len(parse_bytes(data, str(p)).items) for p, data in blobs)
    size = sum(len(data) for _, data in blobs)
    md = MarkdownIt("commonmark").enable("table").disable("inline")

    def read() -> None:
        for p, data in blobs:
            parse_bytes(data, str(p), filename=p.name)

    def floor() -> None:
        for p, data in blobs:
            decode(data, str(p))[0].splitlines()

    def blocks() -> None:
        for text in texts:
            md.parse(text)

    t_read, t_floor, t_blocks = _rate(read, rounds), _rate(floor, rounds), _rate(blocks, rounds)
    n = len(files)
    print(f"{n} pages ({size / 1024:.0f} KB, {items} items), CPU time, mean of {rounds} rounds\n")
    print("| reading | files/s | items/s | µs/file | × decode+split | × markdown-it blocks |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, t in (
        ("decode + split lines (floor)", t_floor),
        ("markdown-it blocks alone", t_blocks),
        ("notifier.parse (whole reader)", t_read),
    ):
        print(
            f"| {name} | {n / t:,.0f} | {items / t:,.0f} | {t / n * 1e6:,.0f} "
            f"| {t / t_floor:.1f}× | {t / t_blocks:.2f}× |"
        )
    print()


_CHILD = """
import resource, sys, time
path, mode = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "bytes":
    data = open(path, "rb").read()
    items = 0
else:
    from notifier.parse import parse_path
    items = len(parse_path(path).items)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(items, took, peak)
"""


def generate(path: Path, size: int) -> None:
    lines = ["# Big digest 2025-12-01", ""]
    total, n, section = 0, 0, 0
    with path.open("w", encoding="utf-8") as out:
        while total < size:
            section += 1
            lines += [f"## Section {section}", ""]
            for _ in range(50):
                n += 1
                lines += [
                    f"{n}. [Story {n} about OpenAI and 英伟达 chips](https://example.com/news/{n}?ref=d)",
                    f"   Summary of story {n}: models, chips and more. 这是第 {n} 条新闻的摘要。",
                    "",
                ]
            chunk = "\n".join(lines) + "\n"
            out.write(chunk)
            total += len(chunk.encode("utf-8"))
            lines = []


def large(size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.md"
        generate(path, size)
        actual = path.stat().st_size
        runs = {}
        for mode in ("bytes", "parse"):
            out = subprocess.run(
                [sys.executable, "-c", _CHILD, str(path), mode],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            ).stdout.split()
            runs[mode] = (int(out[0]), float(out[1]), int(out[2]))
    items, took, peak = runs["parse"]
    base = runs["bytes"][2]
    print(f"generated digest: {actual / MB:.1f} MB, {items:,} items, fresh process\n")
    print("| reading | wall s | items/s | MB/s | peak RSS MB | × file size | × bytes-only RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| file bytes only (baseline) | {runs['bytes'][1]:.2f} | | | {base / MB:.0f} "
        f"| {base / actual:.1f}× | 1.0× |"
    )
    print(
        f"| notifier.parse | {took:.1f} | {items / took:,.0f} | {actual / MB / took:.1f} "
        f"| {peak / MB:.0f} | {peak / actual:.1f}× | {peak / base:.1f}× |"
    )
    print()


def html(rounds: int) -> None:
    """selectolax (lexbor) against lxml: parse and walk every element of the HTML pages."""
    try:
        import lxml.html
    except ImportError:
        print("--html: lxml is not installed (pip install lxml); skipped\n")
        return
    from selectolax.lexbor import LexborHTMLParser

    docs = [p.read_text(encoding="utf-8") for p in pages() if p.suffix == ".html"]
    docs += [p.read_text(encoding="utf-8") for p in pages() if "hn-daily" in str(p)]
    big = "<html><body>" + "".join(docs) * 40 + "</body></html>"

    def lexbor(text: str) -> int:
        return sum(1 for _ in LexborHTMLParser(text).root.traverse())

    def lxml_(text: str) -> int:
        return sum(1 for _ in lxml.html.fromstring(text).iter())

    print(
        f"HTML pages: {len(docs)} ({sum(map(len, docs)) / 1024:.0f} KB); one page of "
        f"{len(big) / MB:.1f} MB\n"
    )
    print("| parser | pages ms | large page ms | × lexbor |")
    print("|---|---:|---:|---:|")
    t_lex = _rate(lambda: [lexbor(d) for d in docs], rounds)
    b_lex = _rate(lambda: lexbor(big), max(1, rounds // 5))
    t_lxml = _rate(lambda: [lxml_(d) for d in docs], rounds)
    b_lxml = _rate(lambda: lxml_(big), max(1, rounds // 5))
    print(f"| selectolax (lexbor) | {t_lex * 1e3:.2f} | {b_lex * 1e3:.0f} | 1.0× |")
    print(f"| lxml | {t_lxml * 1e3:.2f} | {b_lxml * 1e3:.0f} | {t_lxml / t_lex:.1f}× |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="fewer rounds, a 5 MB digest")
    ap.add_argument("--html", action="store_true", help="also selectolax vs lxml")
    ap.add_argument("--size", type=float, help="generated digest size in MB (default 50)")
    args = ap.parse_args()
    rounds = 2 if args.quick else 5
    corpus(rounds)
    large(int((args.size or (5 if args.quick else 50)) * MB))
    if args.html:
        html(rounds)


if __name__ == "__main__":
    main()
