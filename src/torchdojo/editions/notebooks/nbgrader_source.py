"""nbgrader source notebooks for the course's topics (see ``docs/nbgrader.md``).

Named *source*, not *export*: nbgrader's own ``nbgrader export`` writes grades,
while this writes the course's source notebooks (the CLI verb is
``torchdojo nbgrader source``).

``write_source(course_dir, topics)`` writes ``nbgrader_config.py`` and
``source/<assignment>/<topic>.ipynb``. The notebooks carry nbgrader's own cell
metadata (schema 3), so ``nbgrader generate_assignment`` and ``nbgrader
autograde`` work unchanged. Each kind of cell is made by one small function:

* ``locked_markdown`` / ``locked_code``: read-only text and setup code;
* ``solution_cell``: an exercise's code with its ``### BEGIN SOLUTION`` regions
  (nbgrader clears them to the same stub as ``exercises/<topic>.py``);
* ``exercise_test``: an autograder test cell worth the exercise's points, whose
  hidden part returns torchdojo's score for that exercise (nbgrader reads a
  number as partial credit);
* ``quiz_answer`` / ``quiz_test``: one answer cell and one test cell per question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torchdojo.text import atomic
from torchdojo.course import paths
from torchdojo.course.manifest import Course, Exercise, Topic
from torchdojo.course.manifest import course as packaged_course
from torchdojo.learner.notebook import QUIZ_VARIABLE
from torchdojo.text import nbjson
from torchdojo.editions.notebooks.build import (
    exercise_heading,
    lesson_markdown,
    points_text,
    split_topic,
)
from torchdojo.editions.notebooks.quizcells import (
    answer_comment,
    answer_line,
    answer_value,
    question_markdown,
)
from torchdojo.course.quiz.bank import load_bank
from torchdojo.course.quiz.model import Question
from torchdojo.course.stubs import BEGIN, END, STUB_BODY

SCHEMA_VERSION = 3
CONFIG = '''\
# Written by `torchdojo nbgrader source` (docs/nbgrader.md).
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "torchdojo"
# The stub of torchdojo's own exercises: released notebooks match exercises/*.py,
# and graders read it as "not attempted".
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
# The first test cell grades the whole topic in torchdojo's sandbox; training
# exercises need more than nbgrader's default 30 s per cell.
c.Execute.timeout = {timeout}
'''

NBGRADER_HOW_TO = """\
**ES** · Escribe tu código en lugar de cada `raise NotImplementedError("TODO")`. Las
celdas de prueba del final están vacías: la corrección oculta se añade al
calificar. Para comprobar tu trabajo antes de entregar, añade una celda con
`from torchdojo.learner.notebook import check; check("{topic}", globals())` (bórrala
antes de entregar: la calificación no la necesita).

**EN** · Write your code in place of each `raise NotImplementedError("TODO")`. The
test cells at the end are empty: the hidden grading is added when grading. To
check your work before handing in, add a cell with
`from torchdojo.learner.notebook import check; check("{topic}", globals())` (delete it
before handing in: grading does not need it)."""


def _meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
          points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                            "schema_version": SCHEMA_VERSION, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def locked_markdown(grade_id: str, text: str) -> nbjson.Cell:
    return nbjson.markdown(grade_id, text, _meta(grade_id, locked=True))


def locked_code(grade_id: str, text: str) -> nbjson.Cell:
    return nbjson.code(grade_id, text, _meta(grade_id, locked=True))


def solution_cell(grade_id: str, text: str) -> nbjson.Cell:
    return nbjson.code(grade_id, text, _meta(grade_id, solution=True))


def hidden_test(grade_id: str, points: float, comment: str, call: str) -> nbjson.Cell:
    """An autograder test cell whose body is hidden from students until grading."""
    text = f"# {comment}\n### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS"
    return nbjson.code(grade_id, text, _meta(grade_id, grade=True, locked=True, points=points))


def exercise_test(ex: Exercise) -> nbjson.Cell:
    call = f'from torchdojo.learner.notebook import nbgrader_points\nnbgrader_points("{ex.id}", globals())'
    comment = f"Prueba oculta / Hidden test: {ex.id} ({points_text(ex.points)})"
    return hidden_test(f"test_{ex.name}", ex.points, comment, call)


def quiz_answer(q: Question) -> nbjson.Cell:
    text = f"{answer_comment(q)}\n{BEGIN}\n{answer_line(q, answer_value(q))}\n{END}"
    return solution_cell(f"quiz_{q.id}_answer", text)


def quiz_test(topic: str, q: Question) -> nbjson.Cell:
    call = f'from torchdojo.learner.notebook import quiz_points\nquiz_points("{topic}", "{q.id}", globals())'
    comment = f"Prueba oculta / Hidden test: {topic} quiz {q.id} ({points_text(q.points)})"
    return hidden_test(f"quiz_{q.id}", q.points, comment, call)


def exercise_cells(topic: Topic) -> list[nbjson.Cell]:
    """Lesson, setup, one heading and solution cell per exercise, then the test cells."""
    module = split_topic(topic)
    cells = [locked_markdown("lesson", lesson_markdown(module, NBGRADER_HOW_TO))]
    if module.setup:
        cells.append(locked_code("setup", module.setup))
    for i, piece in enumerate(module.pieces, start=1):
        name = piece.exercise.name
        cells += [locked_markdown(f"{name}_md", exercise_heading(i, topic, name)),
                  solution_cell(f"{name}_code", piece.solution)]
    cells.append(locked_markdown("tests_md", "## Pruebas / Tests"))
    cells += [exercise_test(piece.exercise) for piece in module.pieces]
    return cells


def quiz_cells(topic: Topic) -> list[nbjson.Cell]:
    """The quiz: a heading that creates ``quiz_answers``, then per question its text, answer and test."""
    bank = load_bank(topic.id)
    head = (f"## Cuestionario / Quiz\n\nResponde cada pregunta sustituyendo el `raise` por "
            f"`{QUIZ_VARIABLE}[\"id\"] = ...` / Answer each question by replacing the `raise` with "
            f"`{QUIZ_VARIABLE}[\"id\"] = ...`.")
    cells = [locked_markdown("quiz_md", head), locked_code("quiz_setup", f"{QUIZ_VARIABLE} = {{}}")]
    for i, q in enumerate(bank.questions, start=1):
        cells += [locked_markdown(f"quiz_{q.id}_md", question_markdown(i, q)), quiz_answer(q), quiz_test(topic.id, q)]
    return cells


def topic_notebook(topic: Topic) -> dict[str, Any]:
    """The nbgrader source notebook of one topic (exercises and/or quiz)."""
    cells: list[nbjson.Cell] = []
    if topic.module:
        cells += exercise_cells(topic)
    else:
        cells.append(locked_markdown("lesson", f"# {topic.title.es} / {topic.title.en}"))
    if topic.quiz and (paths.quizzes_dir() / f"{topic.id}.yaml").is_file():
        cells += quiz_cells(topic)
    return nbjson.notebook(cells, torchdojo={"topic": topic.id, "nbgrader": True})


@dataclass
class SourceResult:
    course_dir: Path
    written: list[Path] = field(default_factory=list)


def source_topics(the_course: Course) -> list[Topic]:
    """Topics that can be written now: a solution for module topics, a bank for quiz topics."""
    out = []
    for t in the_course.topics:
        has_module = bool(t.module) and (paths.solutions_dir() / t.module).is_file()
        has_quiz = t.quiz and (paths.quizzes_dir() / f"{t.id}.yaml").is_file()
        if has_module or (not t.module and has_quiz):
            out.append(t)
    return out


def write_source(course_dir: str | Path, topics: list[str] | None = None, *, assignment: str | None = None,
                  timeout_s: int = 600, the_course: Course | None = None) -> SourceResult:
    """Write ``nbgrader_config.py`` and ``source/<assignment>/<topic>.ipynb`` into ``course_dir``.

    ``assignment``: one assignment holding every topic; by default each topic is
    its own assignment, named after it.
    """
    the_course = the_course or packaged_course()
    chosen = [the_course.topic(t) for t in topics] if topics else source_topics(the_course)
    root = Path(course_dir)
    result = SourceResult(root)
    config = root / "nbgrader_config.py"
    atomic.write_text(config, CONFIG.format(stub=STUB_BODY, timeout=int(timeout_s)))
    result.written.append(config)
    for topic in chosen:
        path = root / "source" / (assignment or topic.id) / f"{topic.module_name or topic.id}.ipynb"
        atomic.write_text(path, nbjson.dumps(topic_notebook(topic)))
        result.written.append(path)
    return result
