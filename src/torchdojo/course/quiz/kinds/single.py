"""``kind: single``: exactly one option is right; the answer is its id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from torchdojo.course.quiz.feedback import Feedback, Scored, both, clip, done, echo, error
from torchdojo.course.quiz.kinds.base import (
    Option, Question, option_lines, read_choice, read_options, register,
)
from torchdojo.course.quiz.nodes import NodeReader
from torchdojo.course.quiz.reading import Unreadable, choose, read_answer
from torchdojo.course.quiz.shuffle import Mix, Shown
from torchdojo.course.quiz.terminal import Session
from torchdojo.text.i18n import N_, tr


@register
@dataclass(frozen=True, kw_only=True)
class SingleChoice(Question):
    """Exactly one option is right; the answer is its id. All or nothing."""

    kind: ClassVar[str] = "single"
    kind_title: ClassVar[str] = N_("single choice")
    fields: ClassVar[frozenset[str]] = frozenset({"options", "answer"})

    options: tuple[Option, ...]
    answer: str

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)

    @classmethod
    def parse(cls, r: NodeReader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> SingleChoice:
        options = read_options(r, raw["options"], "options", min_len=2)
        return cls(options=options, answer=read_choice(r, raw["answer"], "answer", options), **common)

    def read(self, given: Any, lang: str, letters: Mapping[str, str] | None = None) -> Any:
        if not isinstance(given, str):
            return given
        chosen = choose(given, self.options, lang, letters)
        if chosen is not None:
            return chosen
        if letters:  # the terminal: letters are what the learner sees
            span = f"{min(letters)}-{max(letters)}"
            raise Unreadable("Cannot read '{said}'. Type one letter ({span}).", said=clip(given), span=span)
        ids = ", ".join(o.id for o in self.options)
        raise Unreadable("'{given}' is not an option of this question (options: {ids}).", given=clip(given), ids=ids)

    def score(self, given: Any, f: Feedback) -> Scored:
        ids = [o.id for o in self.options]
        if not isinstance(given, str):
            return error(f, f.msg("Expected one option id ({ids}), got {given}.", ids=", ".join(ids),
                                  given=echo(given)))
        if given not in ids:
            return error(f, f.msg("'{given}' is not an option of this question (options: {ids}).", given=clip(given),
                                 ids=", ".join(ids)))
        right = self.option(self.answer)
        if given == self.answer:
            return done(1.0, f, self, [f.msg("Answer: {answer}", answer=f.opt(right))])
        chosen = self.option(given)
        return done(0.0, f, self, [
            f.msg("Expected: {answer}", answer=f.opt(right)),
            f.msg("Your answer: {answer}", answer=f.opt(chosen)),
            f.why(chosen),
        ])

    def expected(self) -> str:
        return self.answer

    def how(self, lang: str) -> str:
        ids = ", ".join(o.id for o in self.options)
        return tr(lang, "one option id ({ids})", ids=ids)

    def template_lines(self, lang: str) -> list[str]:
        return [f"  {o.id}) {o.text.get(lang)}" for o in self.options]

    def shown(self, mix: Mix) -> Shown:
        return Shown(self, options=mix(self.options, "options"))

    def ask(self, s: Session, shown: Shown) -> str:
        s.show_options(shown.options)
        span = f"a-{max(shown.letters)}"
        return s.ask(s.msg("Answer ({span})> ", span=span),
                     lambda reply: read_answer(self, reply, s.lang, shown.letters), "")

    def notebook_lines(self) -> list[str]:
        return option_lines(self.options)

    def notebook_how(self) -> str:
        ids = ", ".join(f'"{o.id}"' for o in self.options)
        return both("one option id: {ids}", ids=ids)
