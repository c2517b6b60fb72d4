"""Cut a solution module into notebook-sized parts, by exercise.

A solution module (``solutions/tensors.py``) is: a docstring (title line, then the
lesson text), setup code (imports, constants), then the code of each exercise.
An exercise starts at the first top-level ``def``/``class`` named in its
``functions`` (with its decorators and the comment lines right above it) and runs
until the next exercise starts. Stubs are made piece by piece with
:func:`torchdojo.course.stubs.make_stub`, so a notebook's stub cells hold exactly the
text of ``exercises/<topic>.py``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from torchdojo.course import stubs
from torchdojo.course.manifest import Exercise, Topic


class SplitError(ValueError):
    """The solution module does not match its topic in ``course.toml``."""


@dataclass(frozen=True)
class Piece:
    """One exercise's code, with its solution regions."""

    exercise: Exercise
    solution: str

    @property
    def stub(self) -> str:
        """The learner's version: each solution region becomes the stub's ``raise``."""
        return strip_blank(stubs.make_stub(self.solution)) if stubs.solution_regions(self.solution) else self.solution

    @property
    def answer(self) -> str:
        """The reference code as a learner reads it: markers removed."""
        return strip_blank(stubs.strip_markers(self.solution))


@dataclass(frozen=True)
class SplitModule:
    """A solution module, cut by exercise, in file order."""

    topic: Topic
    title: str
    lesson: str
    setup: str
    pieces: tuple[Piece, ...]


def strip_blank(text: str) -> str:
    """Text without blank lines at either end (and no final newline)."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _start_line(node: ast.stmt, lines: list[str]) -> int:
    """0-based first line of a top-level definition, decorators and comments above it included."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first


def split_solution(text: str, topic: Topic) -> SplitModule:
    """Split ``text`` (the solution of ``topic``) into lesson, setup and one piece per exercise."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise SplitError(f"{topic.id}: the solution does not parse: {exc}") from None
    lines = text.splitlines()
    doc = ast.get_docstring(tree, clean=True) or ""
    body = tree.body
    doc_end = body[0].end_lineno if doc and body else 0
    title, _, lesson = doc.partition("\n")
    owner = {name: ex for ex in topic.exercises for name in ex.functions}
    starts: dict[str, int] = {}
    for node in body:
        name = getattr(node, "name", None)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and name in owner:
            starts.setdefault(owner[name].name, _start_line(node, lines))
    missing = [ex.name for ex in topic.exercises if ex.name not in starts]
    if missing:
        raise SplitError(f"{topic.id}: no top-level definition for exercise(s) {', '.join(missing)}")
    order = sorted(topic.exercises, key=lambda ex: starts[ex.name])
    bounds = [starts[ex.name] for ex in order] + [len(lines)]
    setup = strip_blank("\n".join(lines[doc_end or 0:bounds[0]]))
    pieces = []
    for i, ex in enumerate(order):
        segment = strip_blank("\n".join(lines[bounds[i]:bounds[i + 1]]))
        try:
            stubs.solution_regions(segment)
        except stubs.StubError as exc:
            raise SplitError(f"{topic.id}/{ex.name}: {exc}") from None
        pieces.append(Piece(ex, segment))
    if stubs.solution_regions(setup):
        raise SplitError(f"{topic.id}: a solution region outside every exercise")
    return SplitModule(topic, title.strip(), lesson.strip(), setup, tuple(pieces))
