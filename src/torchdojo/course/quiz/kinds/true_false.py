"""``kind: true_false``: a statement that is true or false; the answer is a boolean."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from torchdojo.course.quiz.feedback import Feedback, Scored, both, done, echo, error
from torchdojo.course.quiz.kinds.base import Question, register
from torchdojo.course.quiz.nodes import NodeReader
from torchdojo.course.quiz.shuffle import Shown
from torchdojo.course.quiz.reading import Unreadable, read_answer, read_bool
from torchdojo.course.quiz.terminal import Session
from torchdojo.text.i18n import N_, tr


@register
@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """A statement that is true or false; the answer is a boolean. All or nothing."""

    kind: ClassVar[str] = "true_false"
    kind_title: ClassVar[str] = N_("true or false")
    fields: ClassVar[frozenset[str]] = frozenset({"answer"})

    answer: bool

    @classmethod
    def parse(cls, r: NodeReader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> TrueFalse:
        return cls(answer=r.boolean(raw["answer"], "answer"), **common)

    def read(self, given: Any, lang: str, letters: Mapping[str, str] | None = None) -> Any:
        if not isinstance(given, str):
            return given
        value = read_bool(given)
        if value is None:
            raise Unreadable("Cannot read {given}: type t (true) or f (false); v and f (Spanish) work too.",
                             given=echo(given))
        return value

    def score(self, given: Any, f: Feedback) -> Scored:
        if not isinstance(given, bool):
            return error(f, f.msg("Expected true or false, got {given}.", given=echo(given)))
        # Whole sentences: Spanish agrees "la afirmación es verdadera" but answers the word "verdadero".
        lines = [f.msg("The statement is true.") if self.answer else f.msg("The statement is false.")]
        if given != self.answer:
            lines.append(f.msg("You answered true.") if given else f.msg("You answered false."))
        return done(1.0 if given == self.answer else 0.0, f, self, lines)

    def expected(self) -> bool:
        return self.answer

    def how(self, lang: str) -> str:
        return tr(lang, "true or false (also t or f)")

    def ask(self, s: Session, shown: Shown) -> bool:
        return s.ask(s.msg("True or false? (t/f)> "),
                     lambda reply: read_answer(self, reply, s.lang), "")

    def notebook_how(self) -> str:
        return both("True or False")
