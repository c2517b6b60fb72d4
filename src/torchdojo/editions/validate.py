"""Validate a course before it is released: ``torchdojo course validate`` (see docs/authoring.md).

What :func:`validate_course` checks, each problem one line ``file:line: message``:

* the course's own files (:func:`torchdojo.course.selfcheck.located_problems`):
  every exercise has a grader test marked for it, three levels of hints and a
  lesson part that prepares it; the solutions define what the manifest lists;
  the stubs are what the solutions generate;
* the notebooks and the lessons' figures are what their sources generate;
* through the real judge and student processes (unless ``grade`` is false): the
  reference solution of every topic gets full marks, its stub is not attempted
  in every exercise, and every correct variant found in a checkout
  (``tests/variants/<topic>/correct_*``: a ``.py`` file or a folder) gets full marks.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from torchdojo.course import paths
from torchdojo.course.manifest import Course, Topic
from torchdojo.course.selfcheck import Problem, located_problems


def generated_problems() -> list[Problem]:
    """Notebooks and lesson figures that differ from what their sources generate."""
    from torchdojo.course.lessons import figures
    from torchdojo.editions.notebooks import build as notebooks

    return [Problem(path, 1, "out of date (run python scripts/sync_content.py)")
            for path in figures.out_of_sync() + notebooks.out_of_sync()]


def submissions(topic: Topic) -> dict[str, tuple[Path, dict[str, bytes]]]:
    """What is graded for ``topic``: name -> (the file a problem points at, {file name: bytes}).

    The reference solution, the stub and every ``tests/variants/<topic>/correct_*``
    beside the content (a checkout has them; an installed course does not).
    """
    solution = paths.solutions_dir() / topic.module
    stub = paths.exercises_dir() / topic.module
    out = {"reference": (solution, {topic.module: solution.read_bytes()}),
           "stub": (stub, {topic.module: stub.read_bytes()})}
    for path in sorted((paths.content_root() / "tests" / "variants" / topic.id).glob("correct_*")):
        if path.is_dir():  # a problem points at the graded module (or notebook) inside the folder
            where = next((path / n for n in (topic.module, f"{topic.module_name}.ipynb") if (path / n).is_file()),
                         path)
            out[path.name] = (where, {f.name: f.read_bytes() for f in sorted(path.iterdir()) if f.is_file()})
        else:
            out[path.name] = (path, {topic.module: path.read_bytes()})  # bytes: encodings are part of a variant
    return out


def _definition_line(where: Path, names: tuple[str, ...]) -> int:
    """The line defining the first of ``names`` in the graded file (1 when not found, or a folder)."""
    try:
        lines = where.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    for name in names:
        for i, line in enumerate(lines, 1):
            if line.startswith((f"def {name}(", f"class {name}(", f"class {name}:")):
                return i
    return 1


def _grade_one(judge, topic: Topic, name: str, where: Path, files: dict[str, bytes]) -> list[Problem]:
    from torchdojo.learner.check import check_workspace

    with tempfile.TemporaryDirectory(prefix=f"validate-{topic.id}-") as tmp:
        for fname, data in files.items():
            (Path(tmp) / fname).write_bytes(data)
        report = check_workspace(tmp, [topic.id], device="cpu", lang="en", record=False, judge=judge)
    functions = {ex.id: ex.functions for ex in topic.exercises}
    out = []
    for item in report.topics[0].exercises:
        line = _definition_line(where, functions.get(item.id, ()))
        first = (item.feedback or "").strip().splitlines()[:1]
        detail = f": {first[0]}" if first else ""
        if name == "stub":
            if item.status != "not_attempted":
                out.append(Problem(where, line, f"{item.id}: the stub is {item.status}, not not_attempted{detail}"))
        elif item.status != "passed" or item.score != item.max_score:
            what = "the reference solution" if name == "reference" else f"the correct variant {name}"
            out.append(Problem(where, line, f"{item.id}: {what} gets {item.score:g}/{item.max_score:g} "
                                            f"({item.status}){detail}"))
    return out


def grading_problems(course: Course, topics: list[str] | None = None, *, variants: bool = True,
                     jobs: int = 2) -> list[Problem]:
    """Grade every topic's reference, stub and (``variants``) correct variants through the real judge."""
    from torchdojo.judge.service import Judge

    chosen = [t for t in course.exercise_topics if topics is None or t.id in topics]
    work = [(topic, name, where, files) for topic in chosen
            for name, (where, files) in submissions(topic).items()
            if variants or name in ("reference", "stub")]
    if not work:
        return []
    with Judge(topics=[t.id for t in chosen], concurrency=jobs) as judge, ThreadPoolExecutor(jobs) as pool:
        found = pool.map(lambda w: _grade_one(judge, *w), work)
        return [p for problems in found for p in problems]


def validate_course(course: Course, *, topics: list[str] | None = None, grade: bool = True,
                    variants: bool = True) -> list[Problem]:
    """Everything wrong with ``course`` (the course at :func:`torchdojo.course.paths.content_root`).

    Empty: the course is ready. Each stage runs only when the one before found
    nothing (a missing grader or a broken lesson would only be repeated, as a crash,
    by the notebooks' build and the grading).
    """
    out = located_problems(course)
    if not out:  # the notebooks are generated from the lessons and stubs: only sound ones are compared
        out += generated_problems()
    if grade and not out:
        out += grading_problems(course, topics, variants=variants)
    return out

