"""Corpus items and a deterministic rule generator for the benchmarks.

Items come from ``notifier.parse.iter_digests`` when the parser exists and accepts a
path, else from a crude line splitter that is good enough for benchmarking (titles and
summaries of numbered / 【N】 / ``###`` / bulleted-link entries, markdown links and
emphasis stripped).
"""

from __future__ import annotations

import collections
import random
import re
from collections.abc import Iterator
from pathlib import Path

from notifier.items import Item, item_id
from notifier.rules.model import Rule, Term

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_IMAGE_TAG = re.compile(r"\[图片:[^\]]*\]")
_EMPH = re.compile(r"\*\*|__|`")
_NUMBERED = re.compile(r"^\s{0,3}(?:\d+\.\s*|【\d+】)(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET_LINK = re.compile(r"^-\s+\[([^\]]+)\]\([^)]*\)[：:]?\s*(.*)$")


def _plain(text: str) -> str:
    text = _IMAGE_TAG.sub("", text)
    text = _LINK.sub(r"\1", text)
    return " ".join(_EMPH.sub("", text).split())


def _crude_items(path: Path) -> Iterator[tuple[str, str, str | None]]:
    """Yield (title, summary, section) from one markdown digest, crudely."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
    text = _FRONT_MATTER.sub("", text)
    title: str | None = None
    body: list[str] = []
    section: str | None = None
    in_code = False

    def flush() -> Iterator[tuple[str, str, str | None]]:
        if title:
            yield _plain(title), _plain(" ".join(body)), section

    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        heading = _HEADING.match(line)
        numbered = _NUMBERED.match(line)
        bullet = _BULLET_LINK.match(line)
        if heading and len(heading.group(1)) == 3 and "摘要" not in line:
            yield from flush()
            title, body = heading.group(2), []
        elif heading:
            yield from flush()
            title, body, section = None, [], _plain(heading.group(2))
        elif numbered or bullet:
            yield from flush()
            if bullet:
                title, body = bullet.group(1), [bullet.group(2)]
            else:
                assert numbered is not None
                title, body = numbered.group(1), []
        elif line.strip() and title is not None:
            body.append(line.strip())
    yield from flush()


def _parsed_digests(root: Path) -> list[list[Item]] | None:
    """Items per digest from ``notifier.parse``, or None when the parser is unavailable."""
    try:
        from notifier.parse import iter_digests
    except ImportError:
        return None
    digests: list[list[Item]] = []
    for result in iter_digests(root):
        items = getattr(result, "items", None)
        if items:
            digests.append(list(items))
    return digests or None


def _crude_digests(root: Path) -> list[list[Item]]:
    digests: list[list[Item]] = []
    for path in sorted(root.rglob("*.md")):
        if path.name == "README.md":
            continue
        source = path.parent.name
        items: list[Item] = []
        for rank, (title, summary, section) in enumerate(_crude_items(path), 1):
            if not title:
                continue
            hot = re.search(r"(\d+)\+?）", title)
            items.append(
                Item(
                    id=item_id(None, title, source),
                    title=title,
                    summary=summary,
                    source=source,
                    section=section,
                    rank=rank,
                    hotness=int(hot.group(1)) if hot else None,
                    origin=str(path),
                )
            )
        digests.append(items)
    return digests


def load_digests(root: Path = CORPUS) -> tuple[list[list[Item]], str]:
    """Items grouped by digest, in a stable order, and which reader produced them."""
    parsed = _parsed_digests(root)
    if parsed is not None:
        return parsed, "notifier.parse"
    return _crude_digests(root), "crude splitter"


def load_items(root: Path = CORPUS) -> list[Item]:
    """Every item of every digest under ``root``, in a stable order."""
    return [item for digest in load_digests(root)[0] for item in digest]


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.+-]*[A-Za-z0-9+]|[A-Za-z]{2,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
# Particles and conjunctions: an n-gram starting or ending with one is rarely a keyword.
_STOP = frozenset("的了是在和与及或等为把被这那也都就将对从向于其之而但着过个们并已让给")
_STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in"}
    | {"is", "it", "of", "on", "or", "re", "that", "the", "this", "to", "was", "were"}
    | {"will", "with", "you", "your", "we", "our", "can", "not", "but", "all"}
)


def vocabulary(items: list[Item]) -> list[str]:
    """Distinct Latin words and CJK 2-4-grams of the items, most frequent first; CJK
    n-grams that start or end with a particle, or are fragments of a longer n-gram, are
    left out."""
    counts: collections.Counter[str] = collections.Counter()
    for item in items:
        text = f"{item.title} {item.summary}"
        counts.update(
            w
            for w in (m.rstrip(".") for m in _LATIN_WORD.findall(text))
            if len(w) >= 2 and w.lower() not in _STOP_WORDS
        )
        for run in _CJK_RUN.findall(text):
            for n in (2, 3, 4):
                counts.update(
                    g
                    for g in (run[i : i + n] for i in range(len(run) - n + 1))
                    if g[0] not in _STOP and g[-1] not in _STOP
                )
    # Substring reduction: drop an n-gram that nearly always occurs inside one longer
    # n-gram (伟达 inside 英伟达, 器人 inside 机器人): a fragment, not a word.
    ext: collections.Counter[str] = collections.Counter()
    for g, c in counts.items():
        if len(g) >= 3 and _CJK_RUN.fullmatch(g):
            for sub in (g[:-1], g[1:]):
                ext[sub] = max(ext[sub], c)
    words = [(w, c) for w, c in counts.items() if w and ext[w] < 0.9 * c]
    return [w for w, _ in sorted(words, key=lambda kv: (-kv[1], kv[0]))]


def make_rules(n: int, vocab: list[str], seed: int = 42) -> list[Rule]:
    """``n`` rules of 1-5 any-terms drawn uniformly from ``vocab``; about one in five
    also has a required term and one in five an excluded term."""
    rng = random.Random(seed)
    rules: list[Rule] = []
    for i in range(n):
        words = rng.sample(vocab, rng.randint(1, 5))
        all_terms = (Term(rng.choice(vocab)),) if rng.random() < 0.2 else ()
        none_terms = (Term(rng.choice(vocab)),) if rng.random() < 0.2 else ()
        rules.append(
            Rule(
                name=f"r{i}",
                any=tuple(Term(w) for w in words),
                all=all_terms,
                none=none_terms,
            )
        )
    return rules
