"""Quiz questions as notebook cells: the question in Markdown, the answer as code.

The answer is one line, ``quiz_answers["<question id>"] = <answer>``, in the
format of an answer file (``docs/quiz-format.md``): an option id, a list of
option ids, ``True``/``False``, a ``{left id: right id}`` dict, or a number.
"""

from __future__ import annotations

from typing import Any

from torchdojo.notebook import QUIZ_VARIABLE
from torchdojo.quiz.model import (
    Matching,
    MultipleSelect,
    Numeric,
    Question,
    SingleChoice,
    TrueFalse,
)


def how_to_answer(q: Question) -> str:
    """The expected shape of the answer, in both languages."""
    if isinstance(q, SingleChoice):
        ids = ", ".join(f'"{o.id}"' for o in q.options)
        return f"un id de opción / one option id: {ids}"
    if isinstance(q, MultipleSelect):
        return 'una lista de ids / a list of ids, p. ej. / e.g. ["a", "c"]'
    if isinstance(q, TrueFalse):
        return "True o / or False"
    if isinstance(q, Matching):
        ids = ", ".join(f'"{o.id}"' for o in q.right)
        return f"un dict {{izquierda: derecha}} / a dict {{left: right}}; derecha / right: {ids}"
    assert isinstance(q, Numeric)
    return "un número / a number"


def question_markdown(index: int, q: Question) -> str:
    """The question, its options and how to answer, Spanish first."""
    lines = [f"### {index}. {q.text.es}", "", f"*{q.text.en}*", ""]
    if isinstance(q, (SingleChoice, MultipleSelect)):
        lines += [f"- `{o.id}`: {o.text.es} / *{o.text.en}*" for o in q.options]
    if isinstance(q, Matching):
        lines += [f"- `{o.id}`: {o.text.es} / *{o.text.en}*" for o in q.left]
        lines += ["", "Opciones / choices:", ""]
        lines += [f"- `{o.id}`: {o.text.es} / *{o.text.en}*" for o in q.right]
    points = f"{q.points:g}"
    lines += ["", f"`{q.id}` · {points} punto(s) / point(s) · {how_to_answer(q)}"]
    return "\n".join(lines)


def answer_value(q: Question) -> Any:
    """The right answer in answer-file form (plain data, for ``repr``)."""
    if isinstance(q, MultipleSelect):
        return sorted(q.answer)
    if isinstance(q, Matching):
        return dict(sorted(q.answer.items()))
    if isinstance(q, Numeric):
        return q.answer
    return q.answer  # an option id, or a bool


def answer_line(q: Question, value: Any) -> str:
    """``quiz_answers["id"] = value``."""
    return f'{QUIZ_VARIABLE}["{q.id}"] = {value!r}'


def answer_comment(q: Question) -> str:
    """A commented template of the answer line, which the release keeps."""
    return f'# {QUIZ_VARIABLE}["{q.id}"] = ...  # {how_to_answer(q)}'
