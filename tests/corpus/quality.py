"""Item precision/recall of the parser against every hand-written expectation.

python -m tests.corpus.quality [-v] [NAME-FILTER]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("NOTIFIER_SHARED") or HERE.parents[2] / "shared")
ROOTS = {
    "fixtures": HERE / "fixtures",
    "wild-digests": SHARED / "wild-digests",
}


def root_of(expected: Path) -> Path:
    top = expected.relative_to(HERE / "expected").parts[0]
    return ROOTS.get(top, SHARED / "corpus")


def cases() -> list[tuple[Path, dict]]:
    out = []
    for path in sorted((HERE / "expected").glob("**/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append((path, data))
    return out


def digest_path(path: Path, data: dict) -> Path:
    root = root_of(path)
    rel = data["file"]
    if root == HERE / "fixtures":
        rel = rel.split("/", 1)[1]
    return root / rel


def norm(title: str) -> str:
    return " ".join(title.casefold().split())


def score(got: list[tuple], want: list[dict]) -> tuple[int, int, int]:
    """(items matched by title, of them with the right url, with the right section); a
    title that repeats is paired with its twin of the same url and section first."""
    free = list(range(len(want)))
    matched = urls = sections = 0
    keys = (
        lambda t, u, s: (norm(t), u, s),
        lambda t, u, s: (norm(t), u),
        lambda t, u, s: norm(t),
    )
    left = list(got)
    for key in keys:
        rest = []
        for g in left:
            i = next((i for i in free if key(*_w(want[i], g)) == key(*g)), None)
            if i is None:
                rest.append(g)
                continue
            free.remove(i)
            matched += 1
            urls += want[i]["url"] == g[1]
            sections += want[i].get("section", g[2]) == g[2]
        left = rest
    return matched, urls, sections


def _w(w: dict, g: tuple) -> tuple:
    return w["title"], w["url"], w.get("section", g[2])


def main() -> None:
    from notifier.parse import parse_path

    verbose = "-v" in sys.argv
    if "--structure" in sys.argv:  # the families' pages too, by the structural reader
        from notifier.parse import markdown

        markdown._READERS.clear()
    args = [a for a in sys.argv[1:] if a not in ("-v", "--structure")]
    tp = fp = fn = urls = secs = 0
    for path, data in cases():
        name = str(path.relative_to(HERE / "expected"))
        if args and not any(a in name for a in args):
            continue
        try:
            result = parse_path(digest_path(path, data))
            got = [(i.title, i.url, i.section) for i in result.items]
        except Exception as exc:
            got = []
            print(f"{name}: ERROR {exc}")
        want = data["items"]
        m, u, s = score(got, want)
        tp += m
        fp += len(got) - m
        fn += len(want) - m
        urls += u
        secs += s
        p = m / len(got) if got else 1.0
        r = m / len(want) if want else 1.0
        flag = "" if (m == len(got) == len(want) and u == m and s == m) else "  <--"
        counts = f"got {len(got):3d} want {len(want):3d}  P {p:.2f} R {r:.2f}"
        print(f"{name:70s} {counts} url {u}/{m} sec {s}/{m}{flag}")
        if verbose and flag:
            wanted = {norm(w["title"]) for w in want}
            gotn = {norm(g[0]) for g in got}
            for g in got:
                if norm(g[0]) not in wanted:
                    print(f"    + {g[0]!r} {g[1]} [{g[2]}]")
            for w in want:
                if norm(w["title"]) not in gotn:
                    print(f"    - {w['title']!r} {w['url']} [{w.get('section')}]")
            wmap = {norm(w["title"]): w for w in want}
            for g in got:
                w = wmap.get(norm(g[0]))
                if w and (w["url"] != g[1] or w.get("section", g[2]) != g[2]):
                    sec = w.get("section")
                    print(f"    ~ {g[0]!r}: url {g[1]} want {w['url']}", end="")
                    print(f"; sec {g[2]!r} want {sec!r}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"\nitems: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}; ", end="")
    print(f"urls right {urls}/{tp}, sections right {secs}/{tp}")


if __name__ == "__main__":
    main()
