"""One way to say things: every message of the engine goes through the gettext catalog.

The source is read, never imported: an AST scan of ``src/torchdojo`` fails on

* a ``pick(lang, es, en)`` call outside the modules that show course content
  (text the authors write in both languages);
* a Spanish-looking string literal (accents, ñ, ¿¡, or common Spanish words)
  outside a docstring, in a module that is not course content: an engine
  message is an English msgid translated by the catalog, so Spanish text in
  engine code is a message said outside it (a pair, an ``es / en`` string);
* a ``t(...)``/``pick(...)`` pair or Spanish text in a Jinja template (they say
  ``_("English msgid")``).

Messages that cross a process before their language is known are rendered in
both languages from the catalog (``tr_pair``), never written as pairs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "torchdojo"

SPANISH = re.compile(
    r"[áéíóúñ¿¡]|\b(?:el|los|las|una|del|para|con|sin|que|por|archivos?|estudiantes?|preguntas?|respuestas?|tema"
    r"|escribe|ejercicios?|carpeta|puntos|calificad[oa]s?|entrega|cuestionario|número)\b", re.I)

#: Course content written by the authors in both languages, and bilingual student documents: pairs belong here.
CONTENT = {
    "course/lessons/figures.py": "the lessons' figures: captions and labels written in both languages",
    "course/lessons/model.py": "the lessons' own headings, part of the lesson text",
    "course/quiz/reading.py": "the words a learner may type for true and false (input, not a message)",
    "editions/notebooks/build.py": "the bilingual notebooks' preamble, written side by side",
    "editions/notebooks/nbgrader_source.py": "the bilingual nbgrader notebooks' preamble",
    "editions/release.py": "the student edition's bilingual README",
    "learner/public_test_file.py": "the student edition's public test file, run by plain pytest without a catalog",
    "text/i18n.py": "pick() itself",
}
#: Modules whose pick() shows text the course wrote in both languages (grader feedback, hints, a kind it adds).
PICK_CONTENT = {
    "judge/aggregate.py": "grader feedback and hints (fail(es, en) in graders/*.py) chosen in the result's language",
    "learner/public_tests.py": "the public tests' details, pairs that come from the student side",
    "course/quiz/feedback.py": "Feedback.t and error(f, es, en): the pairs of a question kind a course adds",
    "course/quiz/terminal.py": "Session.t: the pairs of a question kind a course adds",
    "text/i18n.py": "its definition",
}
def _modules() -> dict[str, ast.Module]:
    return {p.relative_to(PACKAGE).as_posix(): ast.parse(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _docstrings(tree: ast.Module) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def spanish_literals(tree: ast.Module) -> list[tuple[int, str]]:
    """``(line, text)`` of each Spanish-looking string literal that is not a docstring (f-string parts included)."""
    docs = _docstrings(tree)
    return sorted((n.lineno, n.value) for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
                  and SPANISH.search(n.value))


def test_the_detector_finds_what_it_looks_for():
    found = spanish_literals(ast.parse('x = ("no hay archivo", "no file")\ny = f"{n} estudiantes"\n'
                                       'def f():\n    """Una docstring en español."""\n    return "ok"\n'))
    assert [line for line, _ in found] == [1, 2]
    assert spanish_literals(ast.parse('tr(lang, "{n} files graded", n=n)\nN_("hidden entry")\n')) == []


def test_no_spanish_literal_outside_the_catalog():
    problems = []
    for rel, tree in _modules().items():
        if rel not in CONTENT:
            problems += [f"{rel}:{line}: {text[:70]!r}" for line, text in spanish_literals(tree)]
    assert not problems, ("engine text must be an English msgid of the gettext catalog (tr, ntr, tr_pair, N_, "
                          "Message; docs/i18n.md), not Spanish in the code:\n" + "\n".join(problems))


def test_pick_only_shows_course_content():
    problems = []
    for rel, tree in _modules().items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "pick"
                    and rel not in PICK_CONTENT):
                problems.append(f"{rel}:{node.lineno}")
    assert not problems, "pick(lang, es, en) outside course content: say it with tr() and the catalog\n" + \
        "\n".join(problems)


def test_templates_say_program_text_through_the_catalog():
    templates = sorted(PACKAGE.rglob("*.j2"))
    assert templates
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])(?:t|pick)\(", text), f"{path.name}: a t()/pick() pair; use _(msgid)"
        assert "_(" in text, path.name
        # Spanish only in comments, never in what a template writes.
        visible = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        hit = re.search(r"[áéíóúñ¿¡]", visible)
        assert hit is None, f"{path.name}: Spanish text {visible[max(0, hit.start() - 40):hit.end() + 20]!r}"


def test_a_helper_that_takes_a_msgid_is_extracted():
    """A function with a ``msgid`` parameter says a message: the catalog extracts its calls' literals."""
    from torchdojo.text.catalogs import message_calls

    tree = ast.parse("def helper(what, msgid, **p): ...\nclass E(Exception):\n    def __init__(self, msgid): ...\n"
                     "def outer():\n    def said(msgid): ...\n")
    calls = message_calls([tree])
    assert calls["helper"] == 1 and calls["E"] == 0 and calls["said"] == 0 and calls["tr"] == 1
