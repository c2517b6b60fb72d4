"""Score quiz answers (rules: ``docs/quiz-format.md``, "Scoring").

Answers are keyed by stable question and option ids, so grading never depends
on the order in which questions or options were shown.

- single choice, true/false: all or nothing;
- multiple select: ``max(0, (right picks - wrong picks) / number of right options)``;
- matching: the share of left items paired with their right item;
- numeric: all or nothing, accepted when
  ``abs(given - answer) <= max(abs_tol, rel_tol * abs(answer))``.

Every fraction is multiplied by the question's ``points``. A missing answer
(absent, ``null``, an empty list or mapping) is ``not_attempted``; an answer of
the wrong type or naming an unknown option is ``error`` and scores zero.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from torchdojo.i18n import pick
from torchdojo.quiz.bank import load_bank
from torchdojo.quiz.model import (
    Bank, Matching, MultipleSelect, Numeric, Option, Question, SingleChoice, TrueFalse,
)
from torchdojo.report import ERROR, FAILED, NOT_ATTEMPTED, PASSED, ItemResult, TopicResult

#: Stands for a question with no entry at all in the answers.
MISSING: Any = object()

# Room for binary floating point at the edge of a tolerance (0.1 + 0.2 != 0.3).
_EPS = 1e-9

_TRUE_WORDS = {"true", "verdadero"}
_FALSE_WORDS = {"false", "falso"}


@dataclass(frozen=True)
class Scored:
    """One question's outcome: a fraction of its points, a status, feedback."""

    fraction: float
    status: str
    feedback: str


@dataclass
class QuizGrade:
    """A graded quiz and the warnings about the answers themselves."""

    result: TopicResult
    #: e.g. answers for question ids the bank does not have (typos).
    warnings: list[str] = field(default_factory=list)


class _Form:
    """How option ids read in feedback: ``label) text`` in the chosen language.

    ``labels`` maps option ids to what the learner saw (the letters of a
    shuffled interactive quiz); by default the id itself.
    """

    def __init__(self, lang: str, labels: Mapping[str, str] | None):
        self.lang = lang
        self.labels = labels or {}

    def t(self, es: str, en: str) -> str:
        return pick(self.lang, es, en)

    def opt(self, o: Option) -> str:
        return f"{self.labels.get(o.id, o.id)}) {o.text.get(self.lang)}"

    def why(self, o: Option, right: bool = False) -> str:
        """Why an option is right (or, for a wrong one, which misconception it is)."""
        if not o.why:
            return ""
        lead = self.t("Por qué sí", "Why yes") if right else self.t("Por qué no", "Why not")
        return f"{lead} {self.labels.get(o.id, o.id)}): {o.why.get(self.lang)}"

    def shown(self, options: tuple[Option, ...]) -> list[Option]:
        """Options in the order the learner saw them (by label), else file order."""
        if not self.labels:
            return list(options)
        return sorted(options, key=lambda o: self.labels.get(o.id, o.id))

    def bullets(self, options: list[Option]) -> list[str]:
        return [f"  {self.opt(o)}" for o in options] or [f"  {self.t('(ninguna)', '(none)')}"]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _done(fraction: float, f: _Form, q: Question, lines: list[str]) -> Scored:
    fraction = round(max(0.0, min(1.0, fraction)), 4)
    status = PASSED if fraction >= 1.0 else FAILED
    head = f.t("Correcto.", "Correct.") if status == PASSED else (
        f.t("Parcialmente correcto.", "Partly right.") if fraction > 0 else f.t("Incorrecto.", "Wrong."))
    body = [line for line in lines if line]
    return Scored(fraction, status, "\n".join([head, *body, q.explanation.get(f.lang)]))


def _error(f: _Form, es: str, en: str) -> Scored:
    return Scored(0.0, ERROR, f.t(es, en))


def _single(q: SingleChoice, given: Any, f: _Form) -> Scored:
    ids = [o.id for o in q.options]
    if not isinstance(given, str):
        return _error(f, f"Se esperaba el id de una opción ({', '.join(ids)}), no {given!r}.",
                      f"Expected one option id ({', '.join(ids)}), got {given!r}.")
    if given not in ids:
        return _error(f, f"'{given}' no es una opción de esta pregunta (opciones: {', '.join(ids)}).",
                      f"'{given}' is not an option of this question (options: {', '.join(ids)}).")
    right = q.option(q.answer)
    if given == q.answer:
        return _done(1.0, f, q, [f.t("Respuesta: ", "Answer: ") + f.opt(right)])
    chosen = q.option(given)
    return _done(0.0, f, q, [
        f.t("Se esperaba: ", "Expected: ") + f.opt(right),
        f.t("Tu respuesta: ", "Your answer: ") + f.opt(chosen),
        f.why(chosen),
    ])


def _multiple(q: MultipleSelect, given: Any, f: _Form) -> Scored:
    ids = [o.id for o in q.options]
    if not isinstance(given, (list, tuple)) or not all(isinstance(g, str) for g in given):
        return _error(f, f"Se esperaba una lista de ids de opciones (de {', '.join(ids)}), no {given!r}.",
                      f"Expected a list of option ids (from {', '.join(ids)}), got {given!r}.")
    unknown = [g for g in given if g not in ids]
    if unknown:
        return _error(f, f"No son opciones de esta pregunta: {', '.join(unknown)} (opciones: {', '.join(ids)}).",
                      f"Not options of this question: {', '.join(unknown)} (options: {', '.join(ids)}).")
    picked = set(given)
    right = len(picked & q.answer)
    wrong = len(picked - q.answer)
    fraction = max(0.0, (right - wrong) / len(q.answer))
    in_order = f.shown(q.options)
    lines = [f.t("Correctas:", "Right options:"), *f.bullets([o for o in in_order if o.id in q.answer])]
    if fraction < 1:
        lines += [f.t("Elegiste:", "You picked:"), *f.bullets([o for o in in_order if o.id in picked])]
        n = len(q.answer)
        lines.append(f.t(f"Aciertos {right}, fallos {wrong}, de {n} correctas: cada fallo anula un acierto.",
                         f"{right} right, {wrong} wrong, of {n} right options: each wrong pick cancels a right one."))
        # Explain every mistake: wrong picks (misconceptions) and missed right options.
        lines += [f.why(o, right=o.id in q.answer) for o in in_order
                  if (o.id in picked) != (o.id in q.answer)]
    return _done(fraction, f, q, lines)


def _true_false(q: TrueFalse, given: Any, f: _Form) -> Scored:
    if isinstance(given, str) and given.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        given = given.strip().lower() in _TRUE_WORDS
    if not isinstance(given, bool):
        return _error(f, f"Se esperaba true o false, no {given!r}.", f"Expected true or false, got {given!r}.")
    word = {True: f.t("verdadero", "true"), False: f.t("falso", "false")}
    lines = [f.t("La afirmación es ", "The statement is ") + word[q.answer] + "."]
    if given != q.answer:
        lines.append(f.t("Respondiste ", "You answered ") + word[given] + ".")
    return _done(1.0 if given == q.answer else 0.0, f, q, lines)


def _matching(q: Matching, given: Any, f: _Form) -> Scored:
    left_ids = [o.id for o in q.left]
    right_ids = [o.id for o in q.right]
    if not isinstance(given, Mapping):
        return _error(f, f"Se esperaba un mapa {{izquierda: derecha}} con claves {', '.join(left_ids)}, no {given!r}.",
                      f"Expected a mapping {{left: right}} with keys {', '.join(left_ids)}, got {given!r}.")
    bad_left = [str(k) for k in given if k not in left_ids]
    bad_right = [repr(v) for v in given.values() if v is not None and v not in right_ids]
    if bad_left or bad_right:
        es, en = [], []
        if bad_left:
            es.append(f"claves desconocidas {', '.join(bad_left)} (válidas: {', '.join(left_ids)})")
            en.append(f"unknown keys {', '.join(bad_left)} (valid: {', '.join(left_ids)})")
        if bad_right:
            es.append(f"valores desconocidos {', '.join(bad_right)} (válidos: {', '.join(right_ids)})")
            en.append(f"unknown values {', '.join(bad_right)} (valid: {', '.join(right_ids)})")
        return _error(f, "Respuesta no válida: " + "; ".join(es) + ".", "Invalid answer: " + "; ".join(en) + ".")
    hits = sum(1 for k in left_ids if given.get(k) == q.answer[k])
    lines = []
    for item in f.shown(q.left):
        expected = q.right_item(q.answer[item.id])
        got = given.get(item.id)
        if got == expected.id:
            continue
        said = f.opt(q.right_item(got)) if got is not None else f.t("(sin respuesta)", "(no answer)")
        lines.append(f"- {f.opt(item)} → " + f.t("correcto: ", "right: ") + f.opt(expected)
                     + f.t("; dijiste: ", "; you said: ") + said)
    if lines:
        lines.insert(0, f.t(f"Parejas correctas: {hits} de {len(left_ids)}.",
                            f"Right pairs: {hits} of {len(left_ids)}."))
    return _done(hits / len(left_ids), f, q, lines)


def within(q: Numeric, value: float) -> bool:
    """Whether ``value`` is accepted for a numeric question (its tolerance rule)."""
    return abs(value - q.answer) <= max(q.abs_tol, q.rel_tol * abs(q.answer)) + _EPS


def _numeric(q: Numeric, given: Any, f: _Form) -> Scored:
    if isinstance(given, bool) or not isinstance(given, (int, float)) or not math.isfinite(given):
        return _error(f, f"Se esperaba un número, no {given!r}.", f"Expected a number, got {given!r}.")
    tol = ""
    if q.abs_tol or q.rel_tol:
        parts = [f"±{_num(q.abs_tol)}"] if q.abs_tol else []
        if q.rel_tol:  # Spanish writes "5 %", English "5%"
            parts.append(f"±{_num(round(q.rel_tol * 100, 6))}{f.t(' %', '%')}")
        tol = f" ({f.t('tolerancia', 'tolerance')} {', '.join(parts)})"
    lines = [f.t("Respuesta: ", "Answer: ") + _num(q.answer) + tol]
    ok = within(q, float(given))
    if not ok:
        lines.append(f.t("Tu respuesta: ", "Your answer: ") + _num(given))
    return _done(1.0 if ok else 0.0, f, q, lines)


def _is_blank(given: Any) -> bool:
    # The answer template writes null (and {left: null, ...} for matching);
    # an empty list, mapping or string is also "not answered".
    if given is MISSING or given is None:
        return True
    if isinstance(given, (list, tuple, str)):
        return not (given.strip() if isinstance(given, str) else given)
    if isinstance(given, Mapping):
        return all(v is None for v in given.values())
    return False


def score_answer(q: Question, given: Any, lang: str = "es",
                 labels: Mapping[str, str] | None = None) -> Scored:
    """Score one answer to one question.

    ``given`` is what an answer file holds for the question (:data:`MISSING` if
    nothing). ``labels`` renames option ids in the feedback (the letters the
    learner saw). Never raises for a bad answer: that is status ``error``.
    """
    f = _Form(lang, labels)
    if _is_blank(given):
        return Scored(0.0, NOT_ATTEMPTED, f.t("Sin responder.", "Not answered.") + "\n" + q.explanation.get(lang))
    if isinstance(q, SingleChoice):
        return _single(q, given, f)
    if isinstance(q, MultipleSelect):
        return _multiple(q, given, f)
    if isinstance(q, TrueFalse):
        return _true_false(q, given, f)
    if isinstance(q, Matching):
        return _matching(q, given, f)
    if isinstance(q, Numeric):
        return _numeric(q, given, f)
    raise TypeError(f"unknown question type {type(q).__name__}")  # a bug, not a user error


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


def grade(bank: Bank, answers: Mapping[str, Any], lang: str = "es", *, source: str = "") -> QuizGrade:
    """Grade ``answers`` (question id -> answer) against a bank, with warnings.

    Items come in bank order. Answers for ids the bank lacks are not scored;
    they are listed in :attr:`QuizGrade.warnings`, and when one looks like a
    typo of an unanswered id, that question's feedback says so.
    """
    if not isinstance(answers, Mapping):
        raise TypeError("answers must be a mapping of question id to answer")
    answers = {str(k): v for k, v in answers.items()}
    unknown = [k for k in answers if k not in bank.ids]
    unanswered = [qid for qid in bank.ids if qid not in answers]
    typo_of: dict[str, str] = {}
    for k in unknown:
        close = difflib.get_close_matches(k, unanswered, n=1, cutoff=0.75)
        if close and close[0] not in typo_of:
            typo_of[close[0]] = k
    items = []
    for q in bank.questions:
        item = item_result(bank, q, answers.get(q.id, MISSING), lang)
        if q.id in typo_of:
            typo = typo_of[q.id]
            item.feedback += "\n" + pick(
                lang, f"(El fichero de respuestas dice '{typo}': ¿es esta pregunta mal escrita?)",
                f"(The answer file says '{typo}': is it this question, misspelled?)")
        items.append(item)
    warnings = []
    if unknown:
        ids = ", ".join(unknown)
        warnings.append(pick(
            lang, f"el fichero de respuestas tiene preguntas que '{bank.topic}' no tiene (sin puntuar): {ids}",
            f"the answer file has questions that '{bank.topic}' does not have (not scored): {ids}"))
    result = TopicResult.from_items(bank.topic, items, kind="quiz", source=source)
    return QuizGrade(result=_attach_warnings(result, warnings), warnings=warnings)


def grade_answers(topic: str | Bank, answers: Mapping[str, Any], lang: str = "es") -> TopicResult:
    """Grade a topic's answers into a ``TopicResult(kind="quiz")``.

    ``topic`` is a topic id (its bank is loaded) or a :class:`Bank`. ``answers``
    maps question ids to answers as in an answer file: an option id for single
    choice, a list of option ids for multiple select, ``true``/``false``, a
    mapping ``{left id: right id}`` for matching, a number for numeric. Each
    item's feedback is the explanation in ``lang`` plus what was expected and
    what was given. Use :func:`grade` to also get warnings about unknown ids.
    """
    bank = topic if isinstance(topic, Bank) else load_bank(topic)
    return grade(bank, answers, lang).result
