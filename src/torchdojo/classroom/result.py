"""What grading a class produced: :class:`ClassResult`, read by every output and the item analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torchdojo.wire.report import TopicResult


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
