"""Quiz questions as notebook cells: the question in Markdown, the answer as code.

The answer is one line, ``quiz_answers["<question id>"] = <answer>``, in the
format of an answer file (``docs/quiz-format.md``): an option id, a list of
option ids, ``True``/``False``, a ``{left id: right id}`` dict, or a number.
What a kind shows and expects comes from the kind itself
(:mod:`torchdojo.course.quiz.kinds`).
"""

from __future__ import annotations

from typing import Any

from torchdojo.learner.notebook import QUIZ_VARIABLE
from torchdojo.course.quiz.model import Question


def how_to_answer(q: Question) -> str:
    """The expected shape of the answer, in both languages."""
    return q.notebook_how()


def question_markdown(index: int, q: Question) -> str:
    """The question, its options and how to answer, Spanish first."""
    lines = [f"### {index}. {q.text.es}", "", f"*{q.text.en}*", ""]
    lines += q.notebook_lines()
    points = f"{q.points:g}"
    lines += ["", f"`{q.id}` · {points} punto(s) / point(s) · {how_to_answer(q)}"]
    return "\n".join(lines)


def answer_value(q: Question) -> Any:
    """The right answer in answer-file form (plain data, for ``repr``)."""
    return q.expected()


def answer_line(q: Question, value: Any) -> str:
    """``quiz_answers["id"] = value``."""
    return f'{QUIZ_VARIABLE}["{q.id}"] = {value!r}'


def answer_comment(q: Question) -> str:
    """A commented template of the answer line, which the release keeps."""
    return f'# {QUIZ_VARIABLE}["{q.id}"] = ...  # {how_to_answer(q)}'
