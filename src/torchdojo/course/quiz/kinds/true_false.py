"""``kind: true_false``: a statement that is true or false; the answer is a boolean."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from torchdojo.course.manifest import Text
from torchdojo.course.quiz.feedback import Feedback, Scored, done, echo, error
from torchdojo.course.quiz.kinds.base import Question, register
from torchdojo.course.quiz.nodes import NodeReader
from torchdojo.course.quiz.shuffle import Shown
from torchdojo.course.quiz.reading import Unreadable, read_answer, read_bool
from torchdojo.course.quiz.terminal import Session


@register
@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """A statement that is true or false; the answer is a boolean. All or nothing."""

    kind: ClassVar[str] = "true_false"
    kind_title: ClassVar[Text] = Text("verdadero o falso", "true or false")
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
            raise Unreadable(
                f"No entiendo {echo(given)}: escribe v (verdadero) o f (falso); true y false también valen.",
                f"Cannot read {echo(given)}: type t (true) or f (false); v and f (Spanish) work too.")
        return value

    def score(self, given: Any, f: Feedback) -> Scored:
        if not isinstance(given, bool):
            return error(f, f"Se esperaba true o false, no {echo(given)}.",
                         f"Expected true or false, got {echo(given)}.")
        # "afirmación" is feminine; the answer itself is the word "verdadero"/"falso".
        adjective = {True: f.t("verdadera", "true"), False: f.t("falsa", "false")}
        word = {True: f.t("verdadero", "true"), False: f.t("falso", "false")}
        lines = [f.t("La afirmación es ", "The statement is ") + adjective[self.answer] + "."]
        if given != self.answer:
            lines.append(f.t("Respondiste ", "You answered ") + word[given] + ".")
        return done(1.0 if given == self.answer else 0.0, f, self, lines)

    def expected(self) -> bool:
        return self.answer

    def how(self, lang: str) -> str:
        return Text("true o false (también v o f)", "true or false (also t or f)").get(lang)

    def ask(self, s: Session, shown: Shown) -> bool:
        return s.ask(s.t("¿Verdadero o falso? (v/f)> ", "True or false? (t/f)> "),
                     lambda reply: read_answer(self, reply, s.lang), "")

    def notebook_how(self) -> str:
        return "True o / or False"
