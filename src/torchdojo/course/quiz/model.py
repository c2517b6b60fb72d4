"""The question bank as typed, frozen dataclasses (format: ``docs/quiz-format.md``).

A bank is one topic's questions. Every question has a stable ``id`` (answers,
reports and progress use it), text and explanation in Spanish and English,
``tags``, a ``difficulty`` from 1 to 3, ``points`` (1 by default) and an
optional ``section`` of the notes. Each kind of question is its own class, in
its own module of :mod:`torchdojo.course.quiz.kinds`, re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from torchdojo.course.manifest import Text
from torchdojo.course.quiz.kinds import (
    KINDS, Matching, MultipleSelect, Numeric, Option, Question, SingleChoice, TrueFalse,
)

__all__ = [
    "Text", "Option", "Question", "SingleChoice", "MultipleSelect", "TrueFalse",
    "Matching", "Numeric", "Bank", "KINDS",
]


@dataclass(frozen=True)
class Bank:
    """One topic's questions, in file order."""

    topic: str
    questions: tuple[Question, ...]
    format_version: int = 1
    source: Path = field(default=Path("?"), compare=False)

    def question(self, question_id: str) -> Question:
        """The question with that id (``KeyError`` if there is none)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))
