"""How a page was read: the layout found, and what became of each block (``--explain``)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class Note:
    """One block's fate: ``item 3``, ``items 4-9``, ``section``, ``skipped``; and why."""

    line: int
    what: str  # `## 一、模型与应用`, `list (12 entries)`, `paragraph`
    verdict: str
    why: str = ""


@dataclasses.dataclass(slots=True)
class Explanation:
    """The reader used, the layout it settled on, and the notes in page order."""

    reader: str  # "structure", "insight-daily", "feed", "html", "layout (rules.yaml)"
    layout: str  # one line: what the stories are
    notes: list[Note] = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"reader: {self.reader}", f"layout: {self.layout}"]
        width = max((len(str(n.line)) for n in self.notes), default=1)
        for note in sorted(self.notes, key=lambda n: n.line):
            why = f"  ({note.why})" if note.why else ""
            out.append(f"  {note.line:>{width}}  {note.what:<34}  {note.verdict}{why}")
        return out
