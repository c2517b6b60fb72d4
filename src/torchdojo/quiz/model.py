"""The question bank as typed, frozen dataclasses (format: ``docs/quiz-format.md``).

A bank is one topic's questions. Every question has a stable ``id`` (answers,
reports and progress use it), text and explanation in Spanish and English,
``tags``, a ``difficulty`` from 1 to 3, ``points`` (1 by default) and,
optionally, the ``section`` of the course notes it checks. Each kind
of question is its own class with the fields that kind needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Mapping

from torchdojo.manifest import Text

__all__ = [
    "Text", "Option", "Question", "SingleChoice", "MultipleSelect", "TrueFalse",
    "Matching", "Numeric", "Bank", "KINDS",
]


@dataclass(frozen=True)
class Option:
    """A choice (or one side of a matching pair), with an optional ``why``.

    ``why`` says why picking this option is right or, more usefully, which
    misconception leads to picking it when it is wrong.
    """

    id: str
    text: Text
    why: Text | None = None


@dataclass(frozen=True, kw_only=True)
class Question:
    """What every kind of question shares."""

    kind: ClassVar[str] = ""
    #: A short human name of the kind, for prompts and templates.
    kind_title: ClassVar[Text] = Text("", "")

    id: str
    text: Text
    explanation: Text
    difficulty: int
    tags: tuple[str, ...]
    points: float = 1.0
    #: The section of the course notes it checks (an id of ``lessons/sections.toml``), if any.
    section: str | None = None
    #: The line of the question in its bank file (for messages).
    line: int = 0


@dataclass(frozen=True, kw_only=True)
class SingleChoice(Question):
    """Exactly one option is right; the answer is its id."""

    kind: ClassVar[str] = "single"
    kind_title: ClassVar[Text] = Text("una respuesta", "single choice")

    options: tuple[Option, ...]
    answer: str

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)


@dataclass(frozen=True, kw_only=True)
class MultipleSelect(Question):
    """One or more options are right; partial credit (see ``grading``)."""

    kind: ClassVar[str] = "multiple"
    kind_title: ClassVar[Text] = Text("varias respuestas", "multiple select")

    options: tuple[Option, ...]
    answer: frozenset[str]

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)


@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """A statement that is true or false; the answer is a boolean."""

    kind: ClassVar[str] = "true_false"
    kind_title: ClassVar[Text] = Text("verdadero o falso", "true or false")

    answer: bool


@dataclass(frozen=True, kw_only=True)
class Matching(Question):
    """Pair every ``left`` item with one ``right`` item.

    Several left items may share a right item, and some right items may be
    distractors that match nothing. The answer maps every left id to a right id.
    """

    kind: ClassVar[str] = "matching"
    kind_title: ClassVar[Text] = Text("relacionar", "matching")

    left: tuple[Option, ...]
    right: tuple[Option, ...]
    answer: Mapping[str, str]

    def right_item(self, right_id: str) -> Option:
        return next(o for o in self.right if o.id == right_id)


@dataclass(frozen=True, kw_only=True)
class Numeric(Question):
    """A number; accepted within ``abs_tol`` or ``rel_tol`` (whichever is wider)."""

    kind: ClassVar[str] = "numeric"
    kind_title: ClassVar[Text] = Text("número", "number")

    answer: float
    abs_tol: float = 0.0
    rel_tol: float = 0.0


KINDS: dict[str, type[Question]] = {
    cls.kind: cls for cls in (SingleChoice, MultipleSelect, TrueFalse, Matching, Numeric)
}


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
