"""The quiz in the terminal: one question at a time, feedback after each.

Options are shown with letters (``a)``, ``b)``, ...) in the order a seed gives.
Each kind asks its own question (``Question.ask``) and hands back the answer
in answer-file form (stable ids; a number as typed), and the final result
comes from the same :func:`torchdojo.course.quiz.grading.grade` that grades answer
files, so both ways of taking a quiz always agree.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable

from rich.console import Console

from torchdojo.text.i18n import ntr
from torchdojo.text.console import make_console
from torchdojo.course.quiz.bank import load_bank
from torchdojo.course.quiz.grading import grade, score_answer
from torchdojo.course.quiz.model import Bank
from torchdojo.course.quiz.shuffle import present
from torchdojo.course.quiz.terminal import SKIP, Session, Skip
from torchdojo.wire.report import PASSED, TopicResult

__all__ = ["SKIP", "QuizInterrupted", "run_interactive"]


class QuizInterrupted(KeyboardInterrupt):
    """Ctrl-C ended the quiz; ``result`` grades what was answered (the CLI records it, then exits 130)."""

    def __init__(self, result: TopicResult):
        super().__init__()
        self.result = result


def run_interactive(topic: str | Bank, lang: str = "es", seed: int | None = None, *,
                    input_fn: Callable[[str], str] | None = None,
                    console: Console | None = None) -> TopicResult:
    """Take a topic's quiz in the terminal and return its graded result.

    ``seed`` (see :func:`torchdojo.course.quiz.shuffle.seed_for`) fixes the order of
    questions and options; ``None`` keeps file order. ``input_fn`` reads one
    reply given a prompt (``input`` by default); ``console`` prints. A reply of
    ``-`` skips a question. End of input (Ctrl-D) or Ctrl-C stops the quiz
    cleanly: what was answered is graded, the rest is ``not_attempted``; after
    Ctrl-C the graded result comes as :class:`QuizInterrupted` (still a
    ``KeyboardInterrupt``).
    """
    bank = topic if isinstance(topic, Bank) else load_bank(topic)
    console = console or make_console()
    s = Session(lang, console, input_fn or builtins.input)
    order = present(bank, seed)
    s.say(ntr(lang, "Quiz '{topic}': {n} question. Type '-' to skip a question, Ctrl-D to stop.",
              "Quiz '{topic}': {n} questions. Type '-' to skip a question, Ctrl-D to stop.", len(order),
              topic=bank.topic, n=len(order)), "bold")
    answers: dict[str, Any] = {}
    interrupted = False
    for n, shown in enumerate(order, 1):
        q = shown.question
        s.say("")
        s.say(s.msg("Question {n}/{total}", n=n, total=len(order)) + f" · {q.title(lang)}", "bold cyan")
        s.say(q.text.get(lang))
        try:
            given = q.ask(s, shown)
        except Skip:
            s.say(s.msg("Skipped."), "dim")
            continue
        except (EOFError, KeyboardInterrupt) as exc:
            interrupted = isinstance(exc, KeyboardInterrupt)
            s.say("")
            s.say(s.msg("Quiz stopped: what you answered is graded."), "yellow")
            break
        answers[q.id] = given
        scored = score_answer(q, given, lang, labels=shown.labels)
        head, _, rest = scored.feedback.partition("\n")
        mark = "✓" if scored.status == PASSED else ("~" if scored.fraction > 0 else "✗")
        style = "green" if scored.status == PASSED else ("yellow" if scored.fraction > 0 else "red")
        s.say(f"{mark} {head} ({round(scored.fraction * q.points, 4):g}/{q.points:g})", f"bold {style}")
        if rest:
            s.say(rest)
    result = grade(bank, answers, lang).result
    s.say("")
    s.say(s.msg("Score: {score} / {max_score}", score=f"{result.score:g}", max_score=f"{result.max_score:g}")
          + " " + ntr(lang, "({n} of {total} answered)", "({n} of {total} answered)", len(order),
                      n=len(answers), total=len(order)), "bold")
    if interrupted:
        raise QuizInterrupted(result)
    return result
