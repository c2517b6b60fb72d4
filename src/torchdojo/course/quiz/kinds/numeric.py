"""``kind: numeric``: a number, right within a tolerance.

Accepted when ``abs(given - answer) <= max(abs_tol, rel_tol * abs(answer))``.
A typed or written number is read from its spelling by
:func:`torchdojo.course.quiz.spelling.read_number`, the same way at the terminal and
in answer files; an ambiguous spelling is refused, never guessed. The terminal
shows the rule (:data:`torchdojo.course.quiz.spelling.RULE`) above the prompt.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from torchdojo.course.quiz.feedback import Feedback, Scored, both, done, echo, error, fmt_num
from torchdojo.course.quiz.kinds.base import Question, register
from torchdojo.course.quiz.nodes import NodeReader
from torchdojo.course.quiz.shuffle import Shown
from torchdojo.course.quiz.reading import read_answer
from torchdojo.course.quiz.spelling import RULE, NumberError, read_number
from torchdojo.course.quiz.terminal import Session
from torchdojo.text.i18n import N_, tr

# Room for binary floating point at the edge of a tolerance (0.1 + 0.2 != 0.3).
_EPS = 1e-9


@register
@dataclass(frozen=True, kw_only=True)
class Numeric(Question):
    """A number; accepted within ``abs_tol`` or ``rel_tol`` (whichever is wider). All or nothing."""

    kind: ClassVar[str] = "numeric"
    kind_title: ClassVar[str] = N_("number")
    fields: ClassVar[frozenset[str]] = frozenset({"answer", "tolerance"})
    optional_fields: ClassVar[frozenset[str]] = frozenset({"tolerance"})

    answer: float
    abs_tol: float = 0.0
    rel_tol: float = 0.0

    @classmethod
    def parse(cls, r: NodeReader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Numeric:
        answer = r.number(raw["answer"], "answer")
        abs_tol = rel_tol = 0.0
        if "tolerance" in raw:
            tol = r.mapping(raw["tolerance"], "tolerance", allowed={"abs", "rel"})
            abs_tol = r.number(tol["abs"], "tolerance.abs") if "abs" in tol else 0.0
            rel_tol = r.number(tol["rel"], "tolerance.rel") if "rel" in tol else 0.0
            if abs_tol < 0 or rel_tol < 0:
                raise r.fail(raw["tolerance"], "tolerance: abs and rel must not be negative")
        return cls(answer=answer, abs_tol=abs_tol, rel_tol=rel_tol, **common)

    def within(self, value: float) -> bool:
        """Whether ``value`` is accepted (the tolerance rule)."""
        # _EPS is float rounding, relative to the key's size (never a free margin around a tiny key).
        slack = _EPS * abs(self.answer)
        return abs(value - self.answer) <= max(self.abs_tol, self.rel_tol * abs(self.answer)) + slack

    def read(self, given: Any, lang: str, letters: Mapping[str, str] | None = None) -> Any:
        if isinstance(given, str):
            read_number(given, lang)  # refused here (NumberError), or read again by score()
            return given.strip()  # the spelling, shown back in the feedback
        return given

    def score(self, given: Any, f: Feedback) -> Scored:
        if isinstance(given, str):  # as typed or as spelled in an answer file
            try:
                value = read_number(given, f.lang)
            except NumberError as exc:
                return error(f, exc.text(f.lang))
            spelled = given.strip()
        elif isinstance(given, numbers.Real) and not isinstance(given, bool):  # from Python (a notebook)
            value = float(given)
            spelled = fmt_num(value) if math.isfinite(value) else ""
        else:
            value, spelled = math.nan, ""
        if not math.isfinite(value):
            return error(f, f.msg("Expected a number, got {given}.", given=echo(given)))
        tol = ""
        if self.abs_tol or self.rel_tol:
            parts = [f"±{fmt_num(self.abs_tol)}"] if self.abs_tol else []
            if self.rel_tol:  # Spanish writes "5 %", English "5%"
                parts.append("±" + f.msg("{percent}%", percent=fmt_num(round(self.rel_tol * 100, 6))))
            tol = " " + f.msg("(tolerance {tolerance})", tolerance=", ".join(parts))
        lines = [f.msg("Answer: {answer}", answer=fmt_num(self.answer) + tol)]
        ok = self.within(value)
        if not ok:
            read_as = "" if spelled == fmt_num(value) else f" (= {fmt_num(value)})"
            lines.append(f.msg("Your answer: {answer}", answer=spelled + read_as))
        return done(1.0 if ok else 0.0, f, self, lines)

    def expected(self) -> float:
        return self.answer

    def how(self, lang: str) -> str:
        return tr(lang, "a number.") + " " + tr(lang, RULE)

    def ask(self, s: Session, shown: Shown) -> str:
        s.say(s.msg(RULE), "dim")  # the rule the answer is read by
        return s.ask(s.msg("Number> "), lambda reply: read_answer(self, reply, s.lang), "")

    def notebook_how(self) -> str:
        return both("a number")
