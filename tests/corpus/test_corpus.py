"""Acceptance tests: the parser against hand-written expectations for the real digest corpus.

Each ``expected/<family>/<stem>.json`` was written by reading the digest and applying
docs/items.md by hand (not by running any parser). It holds the exact item count and the
``(title, url)`` of every item, in digest order.

The corpus lives next to the repository (``<repo>/../shared/corpus``); set ``NOTIFIER_CORPUS``
to use another copy.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

EXPECTED_DIR = Path(__file__).resolve().parent / "expected"
CORPUS = Path(
    os.environ.get("NOTIFIER_CORPUS") or Path(__file__).resolve().parents[3] / "shared" / "corpus"
)

if not CORPUS.is_dir():
    pytest.skip(
        f"real digest corpus not found at {CORPUS} (set NOTIFIER_CORPUS to its folder)",
        allow_module_level=True,
    )


def _load_expected() -> list[dict]:
    cases = []
    families = ("72live", "deepgeek", "insight-daily", "seeds")
    for path in sorted(p for f in families for p in (EXPECTED_DIR / f).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["count"] == len(data["items"]), f"{path}: count does not match items"
        cases.append(data)
    return cases


EXPECTED = _load_expected()


def test_every_corpus_digest_has_expectations():
    digests = {p.relative_to(CORPUS).as_posix() for p in CORPUS.glob("*/*.md")}
    covered = {case["file"] for case in EXPECTED}
    assert digests == covered


@pytest.mark.parametrize("case", EXPECTED, ids=[case["file"] for case in EXPECTED])
def test_digest_items(case):
    from notifier.parse import parse_path

    digest = parse_path(CORPUS / case["file"])
    got = [(item.title, item.url) for item in digest.items]
    want = [(item["title"], item["url"]) for item in case["items"]]

    assert len(got) == case["count"], f"{case['file']}: item count"
    for rank, (g, w) in enumerate(zip(got, want, strict=True), 1):
        assert g == w, f"{case['file']}: item {rank}"


# Pages of other publishers (issue 11): our own fixtures, and the real digests of
# ../shared/wild-digests; both read by the structural reader, never seen by the families.
OTHER_ROOTS = {
    "fixtures": Path(__file__).resolve().parent / "fixtures",
    "wild-digests": CORPUS.parent / "wild-digests",
}


def _other_cases() -> list[tuple[Path, dict]]:
    cases = []
    for name, root in OTHER_ROOTS.items():
        for path in sorted((EXPECTED_DIR / name).glob("**/*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            assert data["count"] == len(data["items"]), f"{path}: count does not match items"
            rel = data["file"].split("/", 1)[1] if name == "fixtures" else data["file"]
            cases.append((root / rel, data))
    return cases


OTHER = _other_cases()


def test_every_fixture_has_expectations():
    fixtures = OTHER_ROOTS["fixtures"]
    pages = {p.name for p in fixtures.iterdir() if p.suffix in (".md", ".html")} - {"README.md"}
    covered = {path.name for path, _ in OTHER if path.parent == fixtures}
    assert pages == covered


@pytest.mark.parametrize(("path", "case"), OTHER, ids=[case["file"] for _, case in OTHER])
def test_other_publishers_items(path: Path, case: dict) -> None:
    from notifier.parse import parse_path

    digest = parse_path(path)
    got = [(item.title, item.url, item.section) for item in digest.items]
    want = [(item["title"], item["url"], item["section"]) for item in case["items"]]
    assert len(got) == case["count"], f"{case['file']}: item count"
    for rank, (g, w) in enumerate(zip(got, want, strict=True), 1):
        assert g == w, f"{case['file']}: item {rank}"
    assert len({item.id for item in digest.items}) == len(digest.items), "ids repeat"
