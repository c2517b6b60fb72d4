"""``kind: true_false``: a statement that is true or false; the answer is a boolean."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from torchdojo.manifest import Text
from torchdojo.quiz.feedback import Feedback, Scored, done, echo, error
from torchdojo.quiz.kinds.base import Question, register
from torchdojo.quiz.nodes import NodeReader
from torchdojo.quiz.shuffle import Shown
from torchdojo.quiz.terminal import Invalid, Session

# Answer files may say true/false in either language (YAML reads bare true/false itself).
_FILE_TRUE = {"true", "verdadero"}
_FILE_FALSE = {"false", "falso"}
# At the terminal, a letter or a word in either language.
_TYPED_TRUE = {"t", "true", "v", "verdadero", "s", "si", "sí", "y", "yes"}
_TYPED_FALSE = {"f", "false", "falso", "n", "no"}


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

    def score(self, given: Any, f: Feedback) -> Scored:
        if isinstance(given, str) and given.strip().lower() in _FILE_TRUE | _FILE_FALSE:
            given = given.strip().lower() in _FILE_TRUE
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
        return Text("true o false", "true or false").get(lang)

    def ask(self, s: Session, shown: Shown) -> bool:
        def parse(reply: str) -> bool:
            word = reply.lower()
            if word in _TYPED_TRUE:
                return True
            if word in _TYPED_FALSE:
                return False
            raise Invalid()

        return s.ask(s.t("¿Verdadero o falso? (v/f)> ", "True or false? (t/f)> "), parse,
                     s.t("Escribe v (verdadero) o f (falso).", "Type t (true) or f (false)."))

    def notebook_how(self) -> str:
        return "True o / or False"
