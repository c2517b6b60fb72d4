"""The maintainer self-check (after rustlings' ``dev check``).

* manifest and files agree: every topic with a module has a solution, a stub and
  a grader; every exercise's functions exist in the solution; every grader test
  names an exercise of the manifest and every exercise has a test;
* every exercise has three levels of hints in both languages (level 2 links the
  PyTorch documentation, level 3 is a skeleton with ``___`` blanks) and a lesson
  part that prepares it;
* stubs are what the solutions generate;
* (in ``torchdojo course validate`` and the test suite, through the real sandbox)
  every stub scores zero as not attempted and every solution gets full marks.

:func:`located_problems` gives each problem as ``file:line: message``;
:func:`torchdojo.editions.validate.validate_course` adds the notebooks and the grading.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from torchdojo.course import paths, stubs
from torchdojo.course.manifest import Course, Topic


def _defined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def grader_exercises(path: Path) -> dict[str, list[str]]:
    """``{exercise: [test names]}`` from ``@pytest.mark.exercise("...")`` decorators."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test"):
            continue
        for deco in node.decorator_list:
            if (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)
                    and deco.func.attr == "exercise" and deco.args
                    and isinstance(deco.args[0], ast.Constant)):
                out.setdefault(str(deco.args[0].value), []).append(node.name)
    return out


def problems(course: Course) -> list[str]:
    """Everything that disagrees between the manifest and the files, one ``file:line: message`` each
    (empty: all good); see :func:`located_problems`."""
    return [str(p) for p in located_problems(course)]


# --- located problems (``torchdojo course validate``) ---------------------------------------------

#: A link to the PyTorch documentation (hint level 2 gives one).
DOCS = re.compile(r"https://pytorch\.org/docs/stable/")
#: The blank of a level-3 skeleton.
BLANK = "___"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a course, where it is: ``file:line: message``."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def _line_of(path: Path, *needles: str) -> int | None:
    """The first line holding the needles in order (each searched after the previous one's line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    start, found = 0, None
    for needle in needles:
        for i in range(start, len(lines)):
            if needle in lines[i]:
                found, start = i + 1, i + 1
                break
        else:
            return found
    return found


def exercise_line(course: Course, topic: Topic, name: str) -> int | None:
    """The line of ``name = "<exercise>"`` in the topic's part of the manifest."""
    return _line_of(course.source, f'id = "{topic.id}"', f'name = "{name}"')


def hint_problems(course: Course, topic: Topic) -> list[Problem]:
    """Three levels of hints per exercise, 1 and 2 translated; level 1 has no link or blank, level 2 links
    the docs, level 3 has blanks (the rules of tests/test_hints.py that need no torch)."""
    out = []
    for ex in topic.exercises:
        where = exercise_line(course, topic, ex.name)
        if len(ex.hints) != 3:
            out.append(Problem(course.source, where, f"{ex.id}: {len(ex.hints)} levels of hints, not 3"))
            continue
        for level, hint in enumerate(ex.hints[:2], 1):  # a level-3 skeleton may be the same code in both
            if hint.es == hint.en:
                out.append(Problem(course.source, where, f"{ex.id}: hint {level} is not translated"))
        for lang in ("es", "en"):
            if DOCS.search(ex.hints[0].get(lang)) or BLANK in ex.hints[0].get(lang):
                out.append(Problem(course.source, where, f"{ex.id}: hint 1 ({lang}) names the misconception; "
                                                         "links and skeletons come later"))
            if not DOCS.search(ex.hints[1].get(lang)):
                out.append(Problem(course.source, where,
                                   f"{ex.id}: hint 2 ({lang}) links no page of https://pytorch.org/docs/stable/"))
            if BLANK not in ex.hints[2].get(lang):
                out.append(Problem(course.source, where, f"{ex.id}: hint 3 ({lang}) is not a skeleton with {BLANK}"))
    return out


def lesson_problems(course: Course, topic: Topic) -> list[Problem]:
    """The topic's lesson loads, and every exercise is prepared by one of its parts."""
    from torchdojo.course.lessons import LessonError, lesson_path, load_lesson

    path = lesson_path(topic.id)
    if not path.is_file():
        return [Problem(course.source, _line_of(course.source, f'id = "{topic.id}"'),
                        f"{topic.id}: no lesson ({path} is missing)")]
    try:
        lesson = load_lesson(topic.id, the_course=course)
    except LessonError as exc:  # already "file:line: message"
        return [_from_message(str(exc), path)]
    prepared = {name for part in lesson.parts for name in part.prepares}
    return [Problem(path, _line_of(path, "<!-- lesson"),
                    f"{ex.id}: no part of the lesson prepares it (add prepares={ex.name} to a part)")
            for ex in topic.exercises if ex.name not in prepared]


def _from_message(text: str, default: Path) -> Problem:
    """A problem from an error message that already starts with ``file:line:`` (or ``file:``)."""
    located = re.match(r"(.+?):(\d+): (.*)", text, re.S)
    if located:
        return Problem(Path(located[1]), int(located[2]), located[3])
    return Problem(default, None, text.removeprefix(f"{default}: "))


def located_problems(course: Course) -> list[Problem]:
    """Everything wrong with the course's own files, each with its file and line (empty: all good).

    Covers what :func:`problems` covers, plus hints and lessons; the notebooks and
    the grading are checked by :func:`torchdojo.editions.validate.validate_course`.
    """
    out: list[Problem] = []
    for topic in course.exercise_topics:
        line = _line_of(course.source, f'id = "{topic.id}"')
        solution = paths.solutions_dir() / topic.module
        stub = paths.exercises_dir() / topic.module
        grader = paths.graders_dir() / f"test_{topic.id}.py"
        missing = [p for p in (solution, stub, grader) if not p.is_file()]
        for path in missing:
            out.append(Problem(course.source, line, f"{topic.id}: missing {path}"))
        if not missing:
            defined = _defined_names(solution)
            for ex in topic.exercises:
                for name in ex.functions:
                    if name not in defined:
                        out.append(Problem(solution, 1, f"{ex.id}: the solution does not define {name}"))
            tests = grader_exercises(grader)
            names = {e.name for e in topic.exercises}
            for ex_name in sorted(set(tests) - names):
                out.append(Problem(grader, _line_of(grader, f'exercise("{ex_name}")'),
                                   f"{topic.id}: a grader test names an unknown exercise '{ex_name}'"))
            for ex in topic.exercises:
                if ex.name not in tests:
                    out.append(Problem(course.source, exercise_line(course, topic, ex.name),
                                       f"{ex.id}: no grader test (mark one with @pytest.mark.exercise(\"{ex.name}\") "
                                       f"in {grader})"))
        out.extend(hint_problems(course, topic))
        out.extend(lesson_problems(course, topic))
    for path in stubs.out_of_sync():
        out.append(Problem(path, 1, "out of date (run python scripts/sync_content.py)"))
    modules = {t.module for t in course.exercise_topics}
    for path in sorted(paths.solutions_dir().glob("*.py")):
        if path.name not in modules:
            out.append(Problem(path, 1, "not a module of any topic in course.toml"))
    return out
