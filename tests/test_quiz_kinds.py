"""One question kind, one place: the registry, a new kind added in one class, and ``section:``."""

from __future__ import annotations

import ast
import inspect
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from rich.console import Console

from torchdojo.text.i18n import tr
from torchdojo.course.manifest import Text
from torchdojo.editions.notebooks.quizcells import answer_comment, answer_line, answer_value, question_markdown
from torchdojo.course.quiz import (
    BankError, answer_template, grade, load_all_banks, load_answer_file, parse_bank, present, run_interactive,
)
from torchdojo.course.quiz.bank import section_ids
from torchdojo.course.quiz.feedback import Feedback, Scored, done, echo, error
from torchdojo.course.quiz.kinds import KINDS, Question, register
from torchdojo.course.quiz.kinds.base import Option, option_lines, read_options
from torchdojo.course.quiz.nodes import NodeReader
from torchdojo.course.quiz.shuffle import Mix, Shown
from torchdojo.course.quiz.terminal import Invalid, Session, words

QUIZ = Path(__file__).resolve().parents[1] / "src" / "torchdojo" / "course" / "quiz"


def test_the_registry_has_every_kind_in_its_own_module():
    assert list(KINDS) == ["single", "multiple", "true_false", "matching", "numeric"]
    for name, cls in KINDS.items():
        # An engine kind's title is a catalog message, translated into Spanish.
        assert cls.kind == name and cls.kind_title and tr("es", cls.kind_title) != cls.kind_title
        assert cls.__module__ == f"torchdojo.course.quiz.kinds.{name}"
        assert not inspect.isabstract(cls), name
    used = {q.kind for b in load_all_banks().values() for q in b.questions}
    assert used == set(KINDS)


def test_the_engine_does_not_dispatch_on_kinds():
    """Outside quiz/kinds/, no module names a kind class: they go through the registry."""
    kind_classes = {cls.__name__ for cls in KINDS.values()}
    engine = [p for p in QUIZ.glob("*.py") if p.name not in ("__init__.py", "model.py")]
    engine.append(QUIZ.parents[1] / "editions" / "notebooks" / "quizcells.py")
    for path in engine:
        names = {n.id for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Name)}
        names |= {a.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                  if isinstance(n, ast.ImportFrom) for a in n.names}
        assert not names & kind_classes, (path.name, names & kind_classes)


# --- a new kind is one class ---------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Ordering(Question):
    """Put the items in order; the share of items in their right place counts."""

    kind: ClassVar[str] = "ordering"
    kind_title: ClassVar[Text] = Text("ordenar", "ordering")
    fields: ClassVar[frozenset[str]] = frozenset({"items", "answer"})

    items: tuple[Option, ...]
    answer: tuple[str, ...]

    @classmethod
    def parse(cls, r: NodeReader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Ordering:
        items = read_options(r, raw["items"], "items", min_len=2)
        answer = tuple(r.ident(n, "answer") for n in r.sequence(raw["answer"], "answer"))
        if sorted(answer) != sorted(o.id for o in items):
            raise r.fail(raw["answer"], "answer: must list every item once")
        return cls(items=items, answer=answer, **common)

    def score(self, given: Any, f: Feedback) -> Scored:
        if not isinstance(given, list) or sorted(given) != sorted(self.answer):
            return error(f, f"Se esperaba una lista con cada id una vez, no {echo(given)}.",
                         f"Expected a list with every id once, got {echo(given)}.")
        right = sum(g == a for g, a in zip(given, self.answer))
        return done(right / len(self.answer), f, self, [])

    def expected(self) -> list[str]:
        return list(self.answer)

    def how(self, lang: str) -> str:
        return Text("una lista de ids en orden", "a list of ids in order").get(lang)

    def template_lines(self, lang: str) -> list[str]:
        return [f"  {o.id}) {o.text.get(lang)}" for o in self.items]

    def shown(self, mix: Mix) -> Shown:
        return Shown(self, options=mix(self.items, "items"))

    def ask(self, s: Session, shown: Shown) -> list[str]:
        s.show_options(shown.options)

        def parse(reply: str) -> list[str]:
            picks = words(reply)
            if sorted(picks) != sorted(shown.letters):
                raise Invalid(s.t("Escribe todas las letras, en orden.", "Type every letter, in order."))
            return [shown.letters[p] for p in picks]

        return s.ask(s.t("Orden> ", "Order> "), parse, "")

    def notebook_lines(self) -> list[str]:
        return option_lines(self.items)

    def notebook_how(self) -> str:
        return "una lista de ids / a list of ids"


ORDERING_BANK = """\
format_version: 1
topic: demo
questions:
- id: steps
  kind: ordering
  difficulty: 1
  tags: [training]
  section: neural_network
  text: {es: Ordena un paso de entrenamiento., en: Order one training step.}
  items:
  - {id: forward, es: Pasada hacia adelante, en: Forward pass}
  - {id: loss, es: Pérdida, en: Loss}
  - {id: backward, es: Gradientes, en: Gradients}
  - {id: step, es: Actualizar los pesos, en: Update the weights}
  answer: [forward, loss, backward, step]
  explanation:
    es: Primero se predice y se mide el error; luego se corrige.
    en: First predict and measure; then correct.
"""


@pytest.fixture
def ordering():
    register(Ordering)
    try:
        yield Ordering
    finally:
        del KINDS["ordering"]


def test_a_new_kind_needs_only_its_class(ordering, tmp_path):
    bank = parse_bank(ORDERING_BANK, Path("demo.yaml"))
    q = bank.question("steps")
    assert isinstance(q, Ordering) and q.section == "neural_network"
    # Answer files: template, reading, grading.
    template = answer_template(bank, "en")
    assert "# 1. [ordering] Order one training step." in template and "a list of ids in order" in template
    path = tmp_path / "a.yaml"
    path.write_text(template.replace("steps: null", "steps: [forward, loss, step, backward]"), encoding="utf-8")
    item = grade(bank, load_answer_file(path)["answers"], "en").result.exercises[0]
    assert (item.score, item.status) == (0.5, "failed")
    # The terminal, shuffled: the letters typed map back to ids.
    shown = present(bank, 3)[0]
    letter = {oid: ch for ch, oid in shown.letters.items()}
    typed = " ".join(letter[i] for i in q.answer)
    out = Console(file=io.StringIO(), width=100)
    replies = iter(["zz", typed])
    result = run_interactive(bank, "es", 3, input_fn=lambda prompt: next(replies), console=out)
    assert result.score == 1.0 and "Escribe todas las letras, en orden." in out.file.getvalue()
    # Notebook cells.
    assert "- `loss`: Pérdida / *Loss*" in question_markdown(1, q)
    assert answer_line(q, answer_value(q)) == "quiz_answers[\"steps\"] = ['forward', 'loss', 'backward', 'step']"
    assert answer_comment(q).endswith("una lista de ids / a list of ids")
    # Its own validation, with file and line.
    with pytest.raises(BankError, match=r"demo.yaml:15: question 'steps': answer: must list every item once"):
        parse_bank(ORDERING_BANK.replace("backward, step]", "backward]"), Path("demo.yaml"))


def test_unknown_kinds_are_still_refused():
    with pytest.raises(BankError, match="unknown kind 'ordering' \\(one of single, multiple, true_false"):
        parse_bank(ORDERING_BANK, Path("demo.yaml"))


def test_a_kind_cannot_be_registered_twice(ordering):
    with pytest.raises(ValueError, match="registered twice"):
        register(Ordering)


# --- section: ------------------------------------------------------------------

TF = """\
format_version: 1
topic: demo
questions:
- id: one
  kind: true_false
  difficulty: 1
  tags: [demo]
  {section}
  text: {{es: Afirmación, en: Statement}}
  answer: true
  explanation: {{es: Porque sí, en: Because so}}
"""


def test_section_is_optional_and_checked_against_the_notes():
    assert section_ids() == {"why_ml", "ml_vs_dl", "neural_network", "paradigms", "dl_uses", "why_pytorch", "tensor"}
    assert parse_bank(TF.format(section=""), Path("d.yaml")).question("one").section is None
    assert parse_bank(TF.format(section="section: tensor"), Path("d.yaml")).question("one").section == "tensor"
    with pytest.raises(BankError, match=r"d.yaml:8: question 'one': section: 'tensors' is not a section of the notes"):
        parse_bank(TF.format(section="section: tensors"), Path("d.yaml"))
    with pytest.raises(BankError, match=r"d.yaml:8: question 'one': section: must be an id"):
        parse_bank(TF.format(section="section: 3"), Path("d.yaml"))


def test_every_kind_accepts_section():
    from torchdojo.course import paths

    for path in sorted(paths.quizzes_dir().glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("  section:")]  # if already there
        with_section = "\n".join(line + ("\n  section: tensor" if line.startswith("- id: ") else "")
                                 for line in lines)
        bank = parse_bank(with_section, path)
        assert {q.section for q in bank.questions} == {"tensor"}
        assert {q.kind for q in bank.questions} <= set(KINDS)


def test_float_rounding_slack_is_relative_to_the_key():
    from torchdojo.course.quiz.kinds.numeric import Numeric

    def key(answer: float) -> Numeric:
        return Numeric(id="q", text=Text("", ""), explanation=Text("", ""), difficulty=1, tags=(), answer=answer)

    assert key(0.3).within(0.1 + 0.2)  # binary floating point at the edge is not a wrong answer
    assert not key(5e-10).within(0.0)  # a tiny key is not answered by 0
    assert key(0.0).within(0.0)
