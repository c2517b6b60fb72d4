"""``kind: matching``: pair every left item with a right item; credit beyond a constant answer.

Several left items may share a right item, and some right items may be
distractors that match nothing. The answer maps every left id to a right id.

Pairing every left item with the same right item needs no knowledge, yet it
gets as many pairs right as the key uses that right item. The score therefore
counts only the right pairs beyond the best such constant answer::

    max(0, (right pairs - baseline) / (left items - baseline))

where ``baseline`` is the largest number of left items that share one right
item in the key. Every constant answer scores 0, the key scores 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from torchdojo.course.quiz.feedback import Feedback, Scored, both, clip, done, echo, error
from torchdojo.course.quiz.kinds.base import (
    Option, Question, option_lines, read_choice, read_options, register,
)
from torchdojo.course.quiz.nodes import NodeReader
from torchdojo.course.quiz.reading import Joined, Unreadable, choose, read_answer
from torchdojo.course.quiz.shuffle import Mix, Shown
from torchdojo.course.quiz.terminal import Session
from torchdojo.text.i18n import N_, Message, tr

_LISTED = 5  # unknown keys or values named in an error, at most


def _named(items: list[str]) -> str:
    return ", ".join(items[:_LISTED]) + (", …" if len(items) > _LISTED else "")


@register
@dataclass(frozen=True, kw_only=True)
class Matching(Question):
    """Pair every ``left`` item with one ``right`` item; credit for right pairs beyond a constant answer."""

    kind: ClassVar[str] = "matching"
    kind_title: ClassVar[str] = N_("matching")
    fields: ClassVar[frozenset[str]] = frozenset({"left", "right", "answer"})

    left: tuple[Option, ...]
    right: tuple[Option, ...]
    answer: Mapping[str, str]

    @property
    def baseline(self) -> int:
        """The right pairs of the best constant answer: the most left items sharing one right item."""
        return max(Counter(self.answer.values()).values())

    def fraction(self, hits: int) -> float:
        """The share of the points earned by ``hits`` right pairs (0 up to the baseline)."""
        return max(0.0, (hits - self.baseline) / (len(self.left) - self.baseline))

    def right_item(self, right_id: str) -> Option:
        return next(o for o in self.right if o.id == right_id)

    @classmethod
    def parse(cls, r: NodeReader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Matching:
        left = read_options(r, raw["left"], "left", min_len=2)
        right = read_options(r, raw["right"], "right", min_len=2)
        clash = sorted({o.id for o in left} & {o.id for o in right})
        if clash:  # feedback names items by id, so the two sides must not share one
            raise r.fail(raw["right"], f"right: id(s) {', '.join(clash)} also used on the left")
        pairs = r.mapping(raw["answer"], "answer (left id: right id)")
        left_ids = [o.id for o in left]
        answer: dict[str, str] = {}
        for key, value_node in pairs.items():
            if key not in left_ids:
                raise r.fail(value_node, f"answer: '{key}' is not a left item ({', '.join(left_ids)})")
            answer[key] = read_choice(r, value_node, f"answer.{key}", right)
        missing = [i for i in left_ids if i not in answer]
        if missing:
            raise r.fail(raw["answer"], f"answer: no match given for left item(s) {', '.join(missing)}")
        if len(set(answer.values())) < 2:  # a constant answer would be the key
            raise r.fail(raw["answer"], "answer: every left item matches the same right item; "
                                        "use at least two right items")
        return cls(left=left, right=right, answer=answer, **common)

    def _problem(self, given: Mapping[Any, Any]) -> Unreadable | None:
        """What is wrong with a mapping answer, or ``None``."""
        left_ids = [o.id for o in self.left]
        right_ids = [o.id for o in self.right]
        bad_left = [clip(str(k)) for k in given if k not in left_ids]
        bad_right = [echo(v) for v in given.values() if v is not None and v not in right_ids]
        if not (bad_left or bad_right):
            return None
        parts = []
        if bad_left:
            parts.append(Message("unknown keys {named} (valid: {ids})", named=_named(bad_left),
                                 ids=", ".join(left_ids)))
        if bad_right:
            parts.append(Message("unknown values {named} (valid: {ids})", named=_named(bad_right),
                                 ids=", ".join(right_ids)))
        return Unreadable("Invalid answer: {problems}.", problems=Joined(parts))

    def read(self, given: Any, lang: str, letters: Mapping[str, str] | None = None) -> Any:
        if not isinstance(given, Mapping):
            return given
        left_ids = {o.id for o in self.left}
        out: dict[Any, Any] = {}
        for key, value in given.items():
            if isinstance(key, str) and key.strip().casefold() in left_ids:
                key = key.strip().casefold()
            if isinstance(value, str) and value.strip():
                value = choose(value, self.right, lang, letters) or value
            out[key] = value
        problem = self._problem(out)
        if problem and letters:  # the terminal: letters are what the learner sees
            span = f"{min(letters)}-{max(letters)}"
            said = _named([clip(str(v)) for v in out.values()])
            raise Unreadable("Cannot read '{said}'. Type one letter ({span}).", said=said, span=span)
        if problem:
            raise problem
        return out

    def score(self, given: Any, f: Feedback) -> Scored:
        left_ids = [o.id for o in self.left]
        if not isinstance(given, Mapping):
            return error(f, f.msg("Expected a mapping {{left: right}} with keys {ids}, got {given}.",
                                 ids=", ".join(left_ids), given=echo(given)))
        problem = self._problem(given)
        if problem:
            return error(f, problem.text(f.lang))
        hits = sum(1 for k in left_ids if given.get(k) == self.answer[k])
        lines = []
        for item in f.shown(self.left):
            expected = self.right_item(self.answer[item.id])
            got = given.get(item.id)
            if got == expected.id:
                continue
            said = f.opt(self.right_item(got)) if got is not None else f.msg("(no answer)")
            lines.append(f"- {f.opt(item)} → " + f.msg("right: {expected}; you said: {said}", expected=f.opt(expected),
                                                      said=said))
        if lines:
            base = self.baseline
            lines.insert(0, f.msg(
                "Right pairs: {hits} of {n}. The same answer for every item gets {base} right: "
                "only the pairs beyond {base} count.", hits=hits, n=len(left_ids), base=base))
        return done(self.fraction(hits), f, self, lines)

    def expected(self) -> dict[str, str]:
        return dict(sorted(self.answer.items()))

    def skeleton(self) -> dict[str, None]:
        return {o.id: None for o in self.left}

    def how(self, lang: str) -> str:
        ids = ", ".join(o.id for o in self.right)
        return tr(lang, "for each item, a right-hand id ({ids})", ids=ids)

    def template_lines(self, lang: str) -> list[str]:
        return ([f"  {o.id}: {o.text.get(lang)}" for o in self.left]
                + ["  " + tr(lang, "choices:")]
                + [f"    {o.id}) {o.text.get(lang)}" for o in self.right])

    def shown(self, mix: Mix) -> Shown:
        return Shown(self, options=mix(self.right, "right"), left=mix(self.left, "left"))

    def ask(self, s: Session, shown: Shown) -> dict[str, str]:
        for n, item in enumerate(shown.left, 1):
            s.say(f"  {n}. {item.text.get(s.lang)}")
        s.say(s.msg("Choices:"))
        s.show_options(shown.options)
        span = f"a-{max(shown.letters)}"
        return {item.id: s.ask(s.msg("{n} → letter ({span})> ", n=n, span=span),
                               lambda reply, i=item.id: read_answer(self, {i: reply}, s.lang, shown.letters)[i], "")
                for n, item in enumerate(shown.left, 1)}

    def notebook_lines(self) -> list[str]:
        return [*option_lines(self.left), "", both("Choices:"), "", *option_lines(self.right)]

    def notebook_how(self) -> str:
        ids = ", ".join(f'"{o.id}"' for o in self.right)
        return both("a dict {{left: right}}; right: {ids}", ids=ids)
