"""Score quiz answers (rules: ``docs/quiz-format.md``, "Scoring").

Answers are keyed by stable question and option ids, so grading never depends
on the order in which questions or options were shown. Each kind scores its
own answers (``Question.score`` in :mod:`torchdojo.course.quiz.kinds`):

- single choice, true/false: all or nothing;
- multiple select: the options decided right beyond the best answer that
  needs no knowledge (every box, or one box);
- matching: the right pairs beyond the best constant answer;
- numeric: all or nothing, accepted when
  ``abs(given - answer) <= max(abs_tol, rel_tol * abs(answer))``.

Every fraction is multiplied by the question's ``points``. A missing answer
(absent, ``null``, an empty list or mapping) is ``not_attempted``; an answer of
the wrong type or naming an unknown option is ``error`` and scores zero.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from torchdojo.text.i18n import tr
from torchdojo.course.quiz.bank import load_bank
from torchdojo.course.quiz.feedback import Feedback, Scored, clip, error
from torchdojo.course.quiz.model import Bank, Question
from torchdojo.course.quiz.reading import Unreadable, read_answer
from torchdojo.wire.report import NOT_ATTEMPTED, ItemResult, TopicResult

__all__ = ["MISSING", "QuizGrade", "Scored", "grade", "grade_answers", "item_result", "score_answer"]

#: Stands for a question with no entry at all in the answers.
MISSING: Any = object()

# Unknown ids named in a warning, and looked at as possible typos, at most.
_LISTED = 10
_TYPO_CANDIDATES = 50
_TYPO_MAX_CHARS = 64


@dataclass
class QuizGrade:
    """A graded quiz and the warnings about the answers themselves."""

    result: TopicResult
    #: e.g. answers for question ids the bank does not have (typos).
    warnings: list[str] = field(default_factory=list)


def score_answer(q: Question, given: Any, lang: str = "es",
                 labels: Mapping[str, str] | None = None) -> Scored:
    """Score one answer to one question.

    ``given`` is what an answer file holds for the question (:data:`MISSING` if
    nothing). ``labels`` renames option ids in the feedback (the letters the
    learner saw). Never raises for a bad answer: that is status ``error``.
    """
    f = Feedback(lang, labels)
    if given is not MISSING and not q.is_blank(given):
        try:  # text is read exactly as the terminal reads it
            given = read_answer(q, given, lang)
        except Unreadable as exc:
            return error(f, exc.text(lang))
    if given is MISSING or q.is_blank(given):
        return Scored(0.0, NOT_ATTEMPTED, f.msg("Not answered.") + "\n" + q.explanation.get(lang))
    return q.score(given, f)


def item_result(bank: Bank, q: Question, given: Any, lang: str = "es",
                labels: Mapping[str, str] | None = None) -> ItemResult:
    """The report record of one question (id ``<topic>/<question id>``)."""
    s = score_answer(q, given, lang, labels)
    return ItemResult(id=f"{bank.topic}/{q.id}", score=round(s.fraction * q.points, 4),
                      max_score=float(q.points), status=s.status, feedback=s.feedback)


def _attach_warnings(result: TopicResult, warnings: list[str]) -> TopicResult:
    # Warnings about the answer file travel in the report's topic-level notes.
    if warnings:
        return replace(result, notes=[*result.notes, *warnings])
    return result


def _typos(unknown: list[str], unanswered: list[str]) -> dict[str, str]:
    """Unanswered question id -> the unknown id that looks like a typo of it."""
    typo_of: dict[str, str] = {}
    # Bounded work: the ids come from a student's file.
    for k in [k for k in unknown if len(k) <= _TYPO_MAX_CHARS][:_TYPO_CANDIDATES]:
        close = difflib.get_close_matches(k, unanswered, n=1, cutoff=0.75)
        if close and close[0] not in typo_of:
            typo_of[close[0]] = k
    return typo_of


def grade(bank: Bank, answers: Mapping[str, Any], lang: str = "es", *, source: str = "") -> QuizGrade:
    """Grade ``answers`` (question id -> answer) against a bank, with warnings.

    Items come in bank order. Answers for ids the bank lacks are not scored;
    they are listed in :attr:`QuizGrade.warnings` (cut short: they come from
    students), and when one looks like a typo of an unanswered id, that
    question's feedback says so.
    """
    if not isinstance(answers, Mapping):
        raise TypeError("answers must be a mapping of question id to answer")
    answers = {str(k): v for k, v in answers.items()}
    unknown = [k for k in answers if k not in bank.ids]
    unanswered = [qid for qid in bank.ids if qid not in answers]
    typo_of = _typos(unknown, unanswered)
    items = []
    for q in bank.questions:
        item = item_result(bank, q, answers.get(q.id, MISSING), lang)
        if q.id in typo_of:
            typo = clip(typo_of[q.id])
            item.feedback += "\n" + tr(lang, "(The answer file says '{typo}': is it this question, misspelled?)",
                                       typo=typo)
        items.append(item)
    warnings = []
    if unknown:
        ids = ", ".join(clip(k) for k in unknown[:_LISTED])
        if len(unknown) > _LISTED:
            ids += " " + tr(lang, "and {n} more", n=len(unknown) - _LISTED)
        warnings.append(tr(lang, "the answer file has questions that '{topic}' does not have (not scored): {ids}",
                           topic=bank.topic, ids=ids))
    result = TopicResult.from_items(bank.topic, items, kind="quiz", source=source)
    return QuizGrade(result=_attach_warnings(result, warnings), warnings=warnings)


def grade_answers(topic: str | Bank, answers: Mapping[str, Any], lang: str = "es") -> TopicResult:
    """Grade a topic's answers into a ``TopicResult(kind="quiz")``.

    ``topic`` is a topic id (its bank is loaded) or a :class:`Bank`. ``answers``
    maps question ids to answers as in an answer file: an option id for single
    choice, a list of option ids for multiple select, ``true``/``false``, a
    mapping ``{left id: right id}`` for matching, a number (or its spelling,
    read in ``lang``: ``"2,5"`` is 2.5; ``"3.500"``, ambiguous in Spanish, is
    refused) for numeric. Each item's feedback is the explanation in ``lang``
    plus what was expected and what was given. Use :func:`grade` to also get warnings about unknown ids.
    """
    bank = topic if isinstance(topic, Bank) else load_bank(topic)
    return grade(bank, answers, lang).result
