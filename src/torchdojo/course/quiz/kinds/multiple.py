"""``kind: multiple``: several options are right; partial credit that guessing cannot earn.

Each option is one decision: ticked if right, left blank if wrong. Answers
that need no knowledge get some decisions right too: ticking every box gets
every right option, ticking one box gets every wrong one (and, with luck, one
right). The score counts only the decisions beyond the best of those::

    max(0, (right decisions - baseline) / (options - baseline))
    baseline = max(right options, wrong options + 1)

Ticking every box, no box, or any single box scores 0; so does any answer that
ticks every wrong option. A question needs at least two right options and one
wrong one (a bank is refused otherwise: with one right option it is ``single``).
"""

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
from torchdojo.course.quiz.reading import Unreadable, choose, read_answer, tokens
from torchdojo.course.quiz.shuffle import Mix, Shown
from torchdojo.course.quiz.terminal import Session
from torchdojo.text.i18n import N_, tr

_LISTED = 5  # unknown ids named in an error, at most


@register
@dataclass(frozen=True, kw_only=True)
class MultipleSelect(Question):
    """One or more options are right, at least one is wrong; the answer is a list of ids."""

    kind: ClassVar[str] = "multiple"
    kind_title: ClassVar[str] = N_("multiple select")
    fields: ClassVar[frozenset[str]] = frozenset({"options", "answer"})

    options: tuple[Option, ...]
    answer: frozenset[str]

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)

    @classmethod
    def parse(cls, r: NodeReader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> MultipleSelect:
        options = read_options(r, raw["options"], "options", min_len=3)
        picks = r.sequence(raw["answer"], "answer (a list of option ids)", min_len=1)
        answer = [read_choice(r, n, "answer", options) for n in picks]
        if len(set(answer)) != len(answer):
            raise r.fail(raw["answer"], "answer: an option is listed twice")
        if len(answer) == len(options):  # ticking every box would be the key
            raise r.fail(raw["answer"], "answer: every option is right; leave at least one wrong option")
        if len(answer) < 2:  # ticking one box would be the key
            raise r.fail(raw["answer"], "answer: only one option is right; use kind: single")
        return cls(options=options, answer=frozenset(answer), **common)

    @property
    def baseline(self) -> int:
        """The right decisions of the best answer that needs no knowledge (every box, or one)."""
        return max(len(self.answer), len(self.options) - len(self.answer) + 1)

    def decisions(self, picked: set[str]) -> int:
        """How many options ``picked`` decides right: right ones ticked, wrong ones left blank."""
        return sum((o.id in picked) == (o.id in self.answer) for o in self.options)

    def fraction(self, picked: set[str]) -> float:
        """The share of the points earned by ticking ``picked`` (option ids)."""
        return max(0.0, (self.decisions(picked) - self.baseline) / (len(self.options) - self.baseline))

    def read(self, given: Any, lang: str, letters: Mapping[str, str] | None = None) -> Any:
        if isinstance(given, str):
            items = tokens(given)
        elif isinstance(given, (list, tuple)) and all(isinstance(g, str) for g in given):
            items = [t for g in given for t in (tokens(g) or [g])]
        else:
            return given
        picked = [(t, choose(t, self.options, lang, letters)) for t in items]
        unknown = [clip(t) for t, c in dict(picked).items() if c is None]
        if unknown:
            named = ", ".join(unknown[:_LISTED]) + (", …" if len(unknown) > _LISTED else "")
            if letters:  # the terminal: letters are what the learner sees
                span = f"{min(letters)}-{max(letters)}"
                raise Unreadable("Cannot read '{said}'. Type one or more letters ({span}), e.g. 'a c'.",
                                 said=named, span=span)
            ids = ", ".join(o.id for o in self.options)
            raise Unreadable("Not options of this question: {named} (options: {ids}).", named=named, ids=ids)
        return list(dict.fromkeys(c for _, c in picked))

    def score(self, given: Any, f: Feedback) -> Scored:
        ids = [o.id for o in self.options]
        if not isinstance(given, (list, tuple)) or not all(isinstance(g, str) for g in given):
            return error(f, f.msg("Expected a list of option ids (from {ids}), got {given}.", ids=", ".join(ids),
                                 given=echo(given)))
        unknown = [clip(g) for g in dict.fromkeys(given) if g not in ids]
        if unknown:
            named = ", ".join(unknown[:_LISTED]) + (", …" if len(unknown) > _LISTED else "")
            return error(f, f.msg("Not options of this question: {named} (options: {ids}).", named=named,
                                 ids=", ".join(ids)))
        picked = set(given)
        fraction = self.fraction(picked)
        in_order = f.shown(self.options)
        lines = [f.msg("Right options:"), *f.bullets([o for o in in_order if o.id in self.answer])]
        if fraction < 1:
            lines += [f.msg("You picked:"), *f.bullets([o for o in in_order if o.id in picked])]
            right, n, base = self.decisions(picked), len(self.options), self.baseline
            lines.append(f.msg(
                "You decided {right} of {n} options right (tick the right ones, leave the wrong ones). "
                "Ticking all, or just one, decides up to {base} right: only those beyond {base} count.",
                right=right, n=n, base=base))
            # Explain every mistake: wrong picks (misconceptions) and missed right options.
            lines += [f.why(o, right=o.id in self.answer) for o in in_order
                      if (o.id in picked) != (o.id in self.answer)]
        return done(fraction, f, self, lines)

    def expected(self) -> list[str]:
        return sorted(self.answer)

    def how(self, lang: str) -> str:
        return tr(lang, "a list of ids, e.g. [a, c] or a, c (partial credit; ticking all or just one earns nothing)")

    def template_lines(self, lang: str) -> list[str]:
        return [f"  {o.id}) {o.text.get(lang)}" for o in self.options]

    def shown(self, mix: Mix) -> Shown:
        return Shown(self, options=mix(self.options, "options"))

    def ask(self, s: Session, shown: Shown) -> list[str]:
        s.show_options(shown.options)
        span = f"a-{max(shown.letters)}"

        def parse(reply: str) -> list[str]:
            picks = read_answer(self, reply, s.lang, shown.letters)
            if not picks:  # "," alone: nothing ticked
                raise Unreadable("Type one or more letters, e.g. 'a c'.")
            return picks

        return s.ask(s.msg("Letters, separated by spaces or commas ({span})> ", span=span), parse, "")

    def notebook_lines(self) -> list[str]:
        return option_lines(self.options)

    def notebook_how(self) -> str:
        return both('a list of ids, e.g. ["a", "c"]')
