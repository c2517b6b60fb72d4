"""What the quiz's helpers (feedback, reading, order, the terminal) know of a question.

:class:`Option` is a choice; :class:`QuestionLike` is the little of a question
those helpers use. The kinds (:mod:`torchdojo.course.quiz.kinds`) build on both and
call the helpers, which therefore never import a kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from torchdojo.course.manifest import Text


@dataclass(frozen=True)
class Option:
    """A choice (or one side of a matching pair), with an optional ``why``.

    ``why`` says why picking this option is right or, more usefully, which
    misconception leads to picking it when it is wrong.
    """

    id: str
    text: Text
    why: Text | None = None


class QuestionLike(Protocol):
    """A question as the helpers see it (every kind of :mod:`torchdojo.course.quiz.kinds` is one)."""

    id: str
    explanation: Text

    def read(self, *args: Any, **kwargs: Any) -> Any: ...
    def shown(self, *args: Any, **kwargs: Any) -> Any: ...


class BankLike(Protocol):
    """A topic's bank as the helpers see it (:class:`torchdojo.course.quiz.model.Bank` is one)."""

    topic: str
    questions: tuple[QuestionLike, ...]
