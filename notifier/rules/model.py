"""The rule model shared by the config loader, the engine and the CLI."""

from __future__ import annotations

import dataclasses

#: The item fields a term can apply to.
FIELDS: tuple[str, ...] = ("title", "summary", "source", "section")

#: Default weight of a hit per field: a title hit says more than a summary hit.
DEFAULT_FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0,
    "summary": 1.0,
    "source": 1.0,
    "section": 1.0,
}


@dataclasses.dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: ``path:line`` (line is 1-based)."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclasses.dataclass(frozen=True, slots=True)
class Term:
    """One keyword, phrase or regular expression of a rule.

    Literal terms (``regex=False``) match case-insensitively after NFKC folding; a term
    whose first or last character is a Latin letter or digit matches at word boundaries
    on that side only, so ``AI`` does not match ``said`` but CJK terms match anywhere.
    """

    text: str
    regex: bool = False
    weight: float = 1.0
    #: Fields this term applies to; ``None`` means the rule's fields.
    fields: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Rule:
    """A named rule.

    An item matches when at least one ``any`` term hits (if there are any), every
    ``all`` term hits, no ``none`` term hits, and the score reaches ``min_score``.
    """

    name: str
    any: tuple[Term, ...] = ()
    all: tuple[Term, ...] = ()
    none: tuple[Term, ...] = ()
    fields: tuple[str, ...] = ("title", "summary")
    field_weights: dict[str, float] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_FIELD_WEIGHTS), hash=False, compare=False
    )
    min_score: float = 0.0
    tags: tuple[str, ...] = ()
    #: Target names matches go to (channels arrive with issue 3; ``console`` until then).
    notify: tuple[str, ...] = ("console",)
    #: TrendRadar's ``@N``: report at most N items per digest (best scores first).
    max_items: int | None = None
    #: ``instant`` or ``digest``: overrides the delivery mode of the targets for this
    #: rule's matches (``None``: each target's own).
    delivery: str | None = None
    #: Rules with the same ``exclusive`` label report an item under the first of them
    #: (in rule order) that matches it, as TrendRadar files a title under its first
    #: matching group (``frequency_words: [{path, first_group_only: true}]``).
    exclusive: str | None = None
    location: Location | None = dataclasses.field(default=None, compare=False)

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every term of the rule, in any / all / none order."""
        return self.any + self.all + self.none
