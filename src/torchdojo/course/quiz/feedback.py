"""What a graded answer says: a fraction of the points, a status, feedback text.

Each question kind builds its feedback with a :class:`Feedback` (how options
read in the chosen language) and ends with :func:`done` or :func:`error`.
Anything taken from an answer is shown through :func:`echo`, which cuts it:
answer files come from students and their text ends up in instructors' reports.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from torchdojo.text.i18n import pick, tr
from torchdojo.wire.report import ERROR, FAILED, PASSED

if TYPE_CHECKING:
    from torchdojo.course.quiz.parts import Option, QuestionLike as Question

#: Longest piece of an answer (or an unknown id) repeated in feedback and reports.
ECHO_CHARS = 60

_REPR = reprlib.Repr()
# Bounded work as well as bounded output: a notebook may hand over anything.
_REPR.maxstring = _REPR.maxother = ECHO_CHARS
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = 6
_REPR.maxlevel = 3


def clip(text: str, limit: int = ECHO_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters (``…`` marks a cut)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text)[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo(value: Any) -> str:
    """A short, one-line ``repr`` of an untrusted answer value."""
    return clip(_REPR.repr(value))


@dataclass(frozen=True)
class Scored:
    """One question's outcome: a fraction of its points, a status, feedback."""

    fraction: float
    status: str
    feedback: str


class Feedback:
    """How feedback reads: the language, and option ids as ``label) text``.

    ``labels`` maps option ids to what the learner saw (the letters of a
    shuffled interactive quiz); by default the id itself.
    """

    def __init__(self, lang: str, labels: Mapping[str, str] | None = None):
        self.lang = lang
        self.labels = labels or {}

    def t(self, es: str, en: str) -> str:
        """Text a course writes in both languages (a question kind the course adds): the pair's ``lang`` side.
        The engine's own kinds say everything through :meth:`msg` and the catalog."""
        return pick(self.lang, es, en)

    def msg(self, msgid: str, /, **params: Any) -> str:
        """A program message of the quiz engine in the feedback's language (gettext catalog)."""
        return tr(self.lang, msgid, **params)

    def opt(self, o: Option) -> str:
        return f"{self.labels.get(o.id, o.id)}) {o.text.get(self.lang)}"

    def why(self, o: Option, right: bool = False) -> str:
        """Why an option is right (or, for a wrong one, which misconception it is)."""
        if not o.why:
            return ""
        label = self.labels.get(o.id, o.id)
        if right:
            return self.msg("Why yes {label}): {why}", label=label, why=o.why.get(self.lang))
        return self.msg("Why not {label}): {why}", label=label, why=o.why.get(self.lang))

    def shown(self, options: tuple[Option, ...]) -> list[Option]:
        """Options in the order the learner saw them (by label), else file order."""
        if not self.labels:
            return list(options)
        return sorted(options, key=lambda o: self.labels.get(o.id, o.id))

    def bullets(self, options: list[Option]) -> list[str]:
        return [f"  {self.opt(o)}" for o in options] or [f"  {self.msg('(none)')}"]


def fmt_num(x: float) -> str:
    """A number as a person writes it: ``12``, not ``12.0``."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def done(fraction: float, f: Feedback, q: Question, lines: list[str]) -> Scored:
    """A graded answer: ``fraction`` (clamped to 0..1), a verdict line, ``lines``, the explanation."""
    fraction = round(max(0.0, min(1.0, fraction)), 4)
    status = PASSED if fraction >= 1.0 else FAILED
    head = f.msg("Correct.") if status == PASSED else (f.msg("Partly right.") if fraction > 0 else f.msg("Wrong."))
    body = [line for line in lines if line]
    return Scored(fraction, status, "\n".join([head, *body, q.explanation.get(f.lang)]))


def error(f: Feedback, text: str, en: str | None = None) -> Scored:
    """An answer that cannot be graded (wrong type, unknown option): zero, status ``error``; ``text`` says why
    (already in ``f.lang``; a kind a course adds may pass its own pair as ``text, en``)."""
    return Scored(0.0, ERROR, text if en is None else pick(f.lang, text, en))


def both(msgid: str, /, **params: Any) -> str:
    """A message in Spanish and English, ``"es / en"``: the bilingual notebooks show both side by side."""
    return f"{tr('es', msgid, **params)} / {tr('en', msgid, **params)}"
