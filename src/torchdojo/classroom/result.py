"""What grading a class produced: :class:`ClassResult`, read by every output and the item analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from torchdojo.wire.report import TopicResult


@dataclass(frozen=True)
class Total:
    """A student's points over the graded topics: the one sum every output and the item analysis use."""

    score: float
    max_score: float

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    @classmethod
    def of(cls, topics: Iterable[TopicResult]) -> Total:
        topics = list(topics)
        return cls(round(sum(t.score for t in topics), 4), round(sum(t.max_score for t in topics), 4))


@dataclass
class ClassResult:
    """What a run graded and where the outputs are."""

    students: list[str]
    topics: list[str]
    results: dict[str, dict[str, TopicResult]]
    graded: int = 0
    skipped: int = 0
    seconds: float = 0.0
    out: Path | None = None
    outputs: list[Path] = field(default_factory=list)
    #: The grading device asked for (``cpu``, ``auto``, ``cuda``, ``mps``).
    device: str = "cpu"
    #: Whether an instructor's grading secret was used (never the secret itself).
    secret: bool = False
    #: Students whose files could not be read at all, with the one-line reason.
    errors: dict[str, str] = field(default_factory=dict)
    #: Copy detection (:mod:`torchdojo.classroom.similarity`), when outputs are written.
    similarity: Any = None
    #: Item analysis (:func:`torchdojo.classroom.analysis.analyse`), computed once when outputs are written.
    analysis: Any = None
    #: Class steps that failed or ran out of time (one line each), said in grades.json and report.html.
    notes: list[str] = field(default_factory=list)
    #: ``(entry, reason)`` for each entry of the class folder that is not a student (never silent).
    skipped_entries: list[tuple[str, str]] = field(default_factory=list)

    def total(self, student: str) -> Total:
        """``student``'s points over every graded topic (0 of 0 for a student with no result)."""
        return Total.of(self.results.get(student, {}).values())
