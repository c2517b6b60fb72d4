"""Deterministic order of questions and options, from a seed or a student id.

The same seed (or student id) gives the same order on every machine and every
Python: seeds go through SHA-256, never through ``hash()`` (which is salted per
process). Each question's options get their own generator, so editing one
question does not reshuffle the others. Only the display changes: answers are
recorded by stable ids, so grading never depends on the order shown. What a
kind shuffles is up to the kind (``Question.shown``).
"""

from __future__ import annotations

import hashlib
import random
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from torchdojo.course.quiz.parts import BankLike as Bank, Option, QuestionLike as Question

LETTERS = string.ascii_lowercase

#: ``mix(items, part)``: ``items`` in display order; ``part`` names the group
#: ("options", "left", "right") so that each group has its own generator.
Mix = Callable[["tuple[Option, ...]", str], "tuple[Option, ...]"]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def seed_for(seed: int | None = None, student: str | None = None) -> int | None:
    """The shuffle seed: ``seed`` itself, or one derived from a student id.

    ``None`` (neither given) means no shuffling: questions and options in file order.
    """
    if seed is not None and student is not None:
        raise ValueError("give a seed or a student id, not both")
    if student is not None:
        return _digest("student:" + student.strip())
    return seed


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(_digest("|".join([str(seed), *parts])))


@dataclass(frozen=True)
class Shown:
    """A question as displayed: its options (or matching sides) in display order."""

    question: Question
    #: Choices (single/multiple) or the right-hand items (matching), as shown.
    options: tuple[Option, ...] = ()
    #: Left-hand items of a matching question, as shown.
    left: tuple[Option, ...] = ()

    @property
    def letters(self) -> dict[str, str]:
        """Displayed letter -> stable option id."""
        return {LETTERS[i]: o.id for i, o in enumerate(self.options)}

    @property
    def labels(self) -> dict[str, str]:
        """Stable id -> what the learner saw: a letter for options, a number for left items."""
        labels = {o.id: LETTERS[i] for i, o in enumerate(self.options)}
        labels.update({o.id: str(n) for n, o in enumerate(self.left, 1)})
        return labels


def _mixer(seed: int | None, topic: str, qid: str) -> Mix:
    def mix(items: tuple[Option, ...], part: str) -> tuple[Option, ...]:
        if seed is None:
            return items
        out = list(items)
        _rng(seed, topic, qid, part).shuffle(out)
        return tuple(out)

    return mix


def present(bank: Bank, seed: int | None = None) -> list[Shown]:
    """The bank's questions in display order for ``seed`` (file order for ``None``)."""
    questions = list(bank.questions)
    if seed is not None:
        _rng(seed, bank.topic, "order").shuffle(questions)
    return [q.shown(_mixer(seed, bank.topic, q.id)) for q in questions]
