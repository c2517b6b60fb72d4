"""The quiz in the terminal: one question at a time, feedback after each.

Options are shown with letters (``a)``, ``b)``, ...) in the order a seed gives;
every reply is turned back into stable option ids at once, and the final result
comes from the same :func:`torchdojo.quiz.grading.grade` that grades answer
files, so both ways of taking a quiz always agree.
"""

from __future__ import annotations

import builtins
import re
from typing import Any, Callable

from rich.console import Console
from rich.text import Text as RichText

from torchdojo.console import make_console
from torchdojo.i18n import pick
from torchdojo.quiz.bank import load_bank
from torchdojo.quiz.grading import grade, score_answer
from torchdojo.quiz.model import Bank, Matching, MultipleSelect, Numeric, SingleChoice, TrueFalse
from torchdojo.quiz.shuffle import LETTERS, Shown, present
from torchdojo.report import PASSED, TopicResult

SKIP = "-"
_TRUE = {"t", "true", "v", "verdadero", "s", "si", "sí", "y", "yes"}
_FALSE = {"f", "false", "falso", "n", "no"}


class _Invalid(Exception):
    """A reply that cannot be read; the message says what is expected."""


class _Skip(Exception):
    """The learner skipped the question."""


def _number(text: str) -> float:
    # A Spanish keyboard writes 2,5 for 2.5.
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise _Invalid() from None


def _letters(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,;]+", text.strip().lower()) if t]


class _Session:
    def __init__(self, lang: str, console: Console, read: Callable[[str], str]):
        self.lang = lang
        self.console = console
        self.read = read

    def t(self, es: str, en: str) -> str:
        return pick(self.lang, es, en)

    def say(self, text: str, style: str = "") -> None:
        # RichText, not markup: course text may hold brackets such as x[0].
        self.console.print(RichText(text, style=style))

    def ask(self, prompt: str, parse: Callable[[str], Any], expected: str) -> Any:
        """Read until a reply parses; '-' skips; EOF propagates."""
        while True:
            reply = self.read(prompt).strip()
            if reply == SKIP:
                raise _Skip()
            if reply:
                try:
                    return parse(reply)
                except _Invalid:
                    pass
            self.say(self.t(f"No entiendo «{reply}». ", f"Cannot read '{reply}'. ") + expected, "yellow")

    def show_options(self, shown: Shown) -> None:
        for letter, o in zip(LETTERS, shown.options):
            self.say(f"  {letter}) {o.text.get(self.lang)}")

    def single(self, shown: Shown) -> str:
        self.show_options(shown)
        valid = shown.letters
        span = f"a-{LETTERS[len(valid) - 1]}"

        def parse(reply: str) -> str:
            if reply.lower() not in valid:
                raise _Invalid()
            return valid[reply.lower()]

        return self.ask(self.t(f"Respuesta ({span})> ", f"Answer ({span})> "), parse,
                        self.t(f"Escribe una letra ({span}).", f"Type one letter ({span})."))

    def multiple(self, shown: Shown) -> list[str]:
        self.show_options(shown)
        valid = shown.letters
        span = f"a-{LETTERS[len(valid) - 1]}"

        def parse(reply: str) -> list[str]:
            picks = _letters(reply)
            if not picks or any(p not in valid for p in picks):
                raise _Invalid()
            return [valid[p] for p in dict.fromkeys(picks)]

        return self.ask(self.t(f"Letras, separadas por espacios o comas ({span})> ",
                               f"Letters, separated by spaces or commas ({span})> "), parse,
                        self.t("Escribe una o más letras, p. ej. «a c».", "Type one or more letters, e.g. 'a c'."))

    def true_false(self, shown: Shown) -> bool:
        def parse(reply: str) -> bool:
            word = reply.lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            raise _Invalid()

        return self.ask(self.t("¿Verdadero o falso? (v/f)> ", "True or false? (t/f)> "), parse,
                        self.t("Escribe v (verdadero) o f (falso).", "Type t (true) or f (false)."))

    def matching(self, shown: Shown) -> dict[str, str]:
        assert isinstance(shown.question, Matching)
        for n, item in enumerate(shown.left, 1):
            self.say(f"  {n}. {item.text.get(self.lang)}")
        self.say(self.t("Opciones:", "Choices:"))
        self.show_options(shown)
        valid = shown.letters
        span = f"a-{LETTERS[len(valid) - 1]}"

        def parse(reply: str) -> str:
            if reply.lower() not in valid:
                raise _Invalid()
            return valid[reply.lower()]

        pairs = {}
        for n, item in enumerate(shown.left, 1):
            pairs[item.id] = self.ask(self.t(f"{n} → letra ({span})> ", f"{n} → letter ({span})> "), parse,
                                      self.t(f"Escribe una letra ({span}).", f"Type one letter ({span})."))
        return pairs

    def numeric(self, shown: Shown) -> float:
        return self.ask(self.t("Número> ", "Number> "), _number,
                        self.t("Escribe un número, p. ej. 7 o 2.5.", "Type a number, e.g. 7 or 2.5."))


def _labels(shown: Shown) -> dict[str, str]:
    labels = shown.labels
    labels.update({o.id: str(n) for n, o in enumerate(shown.left, 1)})
    return labels


def run_interactive(topic: str | Bank, lang: str = "es", seed: int | None = None, *,
                    input_fn: Callable[[str], str] | None = None,
                    console: Console | None = None) -> TopicResult:
    """Take a topic's quiz in the terminal and return its graded result.

    ``seed`` (see :func:`torchdojo.quiz.shuffle.seed_for`) fixes the order of
    questions and options; ``None`` keeps file order. ``input_fn`` reads one
    reply given a prompt (``input`` by default); ``console`` prints. A reply of
    ``-`` skips a question. End of input (Ctrl-D) or Ctrl-C stops the quiz
    cleanly: what was answered is graded, the rest is ``not_attempted``.
    """
    bank = topic if isinstance(topic, Bank) else load_bank(topic)
    console = console or make_console()
    s = _Session(lang, console, input_fn or builtins.input)
    order = present(bank, seed)
    s.say(s.t(f"Cuestionario '{bank.topic}': {len(order)} preguntas. "
              "Escribe '-' para saltar una pregunta y Ctrl-D para terminar.",
              f"Quiz '{bank.topic}': {len(order)} questions. "
              "Type '-' to skip a question, Ctrl-D to stop."), "bold")
    askers = {SingleChoice: s.single, MultipleSelect: s.multiple, TrueFalse: s.true_false,
              Matching: s.matching, Numeric: s.numeric}
    answers: dict[str, Any] = {}
    for n, shown in enumerate(order, 1):
        q = shown.question
        s.say("")
        s.say(s.t(f"Pregunta {n}/{len(order)}", f"Question {n}/{len(order)}")
              + f" · {q.kind_title.get(lang)}", "bold cyan")
        s.say(q.text.get(lang))
        try:
            given = askers[type(q)](shown)
        except _Skip:
            s.say(s.t("Saltada.", "Skipped."), "dim")
            continue
        except (EOFError, KeyboardInterrupt):
            s.say("")
            s.say(s.t("Cuestionario interrumpido: se puntúa lo respondido.",
                      "Quiz stopped: what you answered is graded."), "yellow")
            break
        answers[q.id] = given
        scored = score_answer(q, given, lang, labels=_labels(shown))
        head, _, rest = scored.feedback.partition("\n")
        mark = "✓" if scored.status == PASSED else ("~" if scored.fraction > 0 else "✗")
        style = "green" if scored.status == PASSED else ("yellow" if scored.fraction > 0 else "red")
        s.say(f"{mark} {head} ({round(scored.fraction * q.points, 4):g}/{q.points:g})", f"bold {style}")
        if rest:
            s.say(rest)
    result = grade(bank, answers, lang).result
    s.say("")
    s.say(s.t(f"Puntuación: {result.score:g} / {result.max_score:g}",
              f"Score: {result.score:g} / {result.max_score:g}")
          + s.t(f" ({len(answers)} de {len(order)} respondidas)", f" ({len(answers)} of {len(order)} answered)"),
          "bold")
    return result
