"""Regenerate the data files of ``notifier.folding`` (``notifier/data/*.json``).

    python scripts/text_data.py           # write them
    python scripts/text_data.py --check   # exit 1 if they differ from what would be written

Run it after upgrading Python (Unicode version), OpenCC or zhconv; commit the result.

* ``fold.json``: the per-character folding tables (``notifier.folding.fold_data``), for the
  Unicode version of this Python (a Python with another version computes them at run
  time, ~0.2 s).
* ``traditional.json``:
  ``changed``, a string of every character OpenCC ``t2s`` may change: converted alone (each code
  point, tried one per line), or at a position a phrase of its dictionaries changes
  (read with OpenCC's ``opencc_dict`` tool). Text without any of them is left as it is by
  ``t2s``, so ``fold(traditional=True)`` skips OpenCC (and its start-up) for it.
  ``keep``, the characters ``notifier.hanzi`` never converts: those OpenCC's character
  table converts by default but also lists as their own Simplified form (``昇 → 升 昇``).
  ``phrases``, MediaWiki's ``zh2CN`` regional table from zhconv's data file: the entries
  whose key has a Traditional-only character, keys and values folded and converted with
  ``t2s``, kept characters kept (so that they apply to converted text).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.resources
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier import folding, hanzi  # noqa: E402

DATA = ROOT / "notifier" / "data"


def _opencc() -> Any:
    import opencc

    try:
        return opencc.OpenCC("t2s")
    except Exception:  # older OpenCC wants the file name
        return opencc.OpenCC("t2s.json")


def _share() -> Path:
    import opencc

    return Path(opencc.__file__).parent / "clib" / "share" / "opencc"


def _dict_entries(share: Path, only: str | None = None) -> list[tuple[str, list[str]]]:
    """(key, candidates) of every dictionary ``t2s.json`` uses (or of the one named)."""
    config = json.loads((share / "t2s.json").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "ocd2":
                files.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(config)
    if only is not None:
        files = [f for f in files if f == only]
    tool = share.parent.parent / "bin" / "opencc_dict"
    entries: list[tuple[str, list[str]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            out = Path(tmp) / (name + ".txt")
            subprocess.run(
                [str(tool), "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                check=True,
                capture_output=True,
            )
            for line in out.read_text(encoding="utf-8").splitlines():
                key, _, values = line.partition("\t")
                if key and values:
                    entries.append((key, values.split(" ")))
    return entries


def changed_characters(cc: Any) -> list[int]:
    """Code points ``t2s`` may change, alone or inside one of its phrases."""
    cps = [cp for cp in range(0x110000) if cp != 0x0A and not 0xD800 <= cp < 0xE000]
    chars = [chr(cp) for cp in cps]
    out = cc.convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):
        raise SystemExit("t2s changed the number of lines: cannot align characters")
    changed = {cp for cp, c, o in zip(cps, chars, out, strict=True) if c != o}
    for key, values in _dict_entries(_share()):
        value = values[0]
        if len(key) != len(value):
            changed.update(map(ord, key))
        else:
            changed.update(ord(k) for k, v in zip(key, value, strict=True) if k != v)
    return sorted(changed)


def kept_characters() -> list[int]:
    """Characters OpenCC's table converts by default but also keeps in some contexts."""
    return sorted(
        ord(key)
        for key, values in _dict_entries(_share(), "TSCharacters.ocd2")
        if len(key) == 1 and values[0] != key and key in values[1:]
    )


def regional_phrases(conv: hanzi.Converter) -> dict[str, str]:
    """MediaWiki ``zh2CN`` entries with a Traditional-only character, folded and converted."""
    blob = importlib.resources.files("zhconv").joinpath("zhcdict.json").read_bytes()
    data: dict[str, Any] = json.loads(blob)
    trad_only = frozenset(data["TRADONLY"])
    table: dict[str, str] = {}
    for k, v in data["zh2CN"].items():
        if trad_only.isdisjoint(k):
            continue  # a key mainland text could contain: never rewrite it
        key = conv.t2s(folding.fold_text(k))
        if key:
            table[key] = conv.t2s(folding.fold_text(v))
    return table


def build() -> dict[str, dict[str, Any]]:
    """The contents of every data file, by file name."""
    cc = _opencc()
    kept = kept_characters()
    conv = hanzi.Converter(cc, phrases={}, kept=frozenset(map(chr, kept)))
    return {
        "fold.json": folding.fold_data(),
        "traditional.json": {
            "opencc": importlib.metadata.version("opencc"),
            "zhconv": importlib.metadata.version("zhconv"),
            "changed": "".join(map(chr, changed_characters(cc))),
            "keep": "".join(map(chr, kept)),
            "phrases": regional_phrases(conv),
        },
    }


def dumps(data: dict[str, Any]) -> str:
    """One JSON file: compact, readable characters, one line per top-level key."""
    parts = [
        f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
        for k, v in data.items()
    ]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> int:
    """Write (or ``--check``) the data files."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args()
    stale = []
    for name, data in build().items():
        path = DATA / name
        new = dumps(data)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if args.check:
            if old != new:
                stale.append(name)
        elif old != new:
            DATA.mkdir(exist_ok=True)
            path.write_text(new, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(new.encode()):,} bytes)")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python scripts/text_data.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
