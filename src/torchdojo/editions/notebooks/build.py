"""The learner's notebook of a topic, generated from ``solutions/<topic>.py``.

One bilingual notebook per topic, ``exercises/notebooks/<topic>.ipynb`` (Spanish
first, like every course text; the docstrings in the code are bilingual already,
so two notebooks would repeat the same code). Cells, in order:

1. the introduction (Markdown: the topic's title and the module docstring) and how to work;
2. the lesson's parts that come before every exercise (``lessons/<topic>.md``,
   placed by :mod:`torchdojo.editions.notebooks.lesson_cells`);
3. the setup code (imports);
4. per exercise: the lesson's parts that prepare it, a heading with its points,
   the stub cell (its code with solution regions replaced exactly as
   ``exercises/<topic>.py``), and a check cell;
5. a last check cell for the whole topic.

Regenerate with ``python scripts/sync_content.py``; CI fails when out of date.
"""

from __future__ import annotations

from pathlib import Path

from torchdojo.course import paths
from torchdojo.course.lessons import lesson_path, load_lesson
from torchdojo.editions.notebooks.lesson_cells import TOP, lesson_cells
from torchdojo.course.manifest import Course, Topic
from torchdojo.course.manifest import course as packaged_course
from torchdojo.text import nbjson
from torchdojo.editions.notebooks.split import SplitModule, split_solution
from torchdojo.course.stubs import stale_files

NOTEBOOKS_DIR = "notebooks"

HOW_TO = """\
**ES** · *Cómo trabajar.* Ejecuta primero la celda de preparación. Cada ejercicio
tiene una celda de código con su especificación (el docstring) y un
`raise NotImplementedError("TODO")` en lugar de la solución: sustitúyelo por tu
código, ejecuta la celda y después la celda de comprobación que la sigue; verás el
mismo resultado que con `torchdojo check`.
{install_es}
Para entregar, guarda el notebook como `{module}.ipynb`:
`torchdojo check` lo califica igual que `{module}.py`.

**EN** · *How to work.* Run the setup cell first. Each exercise has a code cell with
its specification (the docstring) and a `raise NotImplementedError("TODO")` where
the solution goes: replace it with your code, run the cell, then the check cell
after it; you see the same result as with `torchdojo check`.
{install_en}
To hand in, save the notebook as `{module}.ipynb`: `torchdojo check` grades it just
like `{module}.py`."""

#: How to install the course where it is missing (Colab): the full edition's way.
#: The student release says how to install its own wheel instead (torchdojo.editions.release).
INSTALL_FULL = ("En Colab, instala antes el curso con `%pip install torchdojo`.",
                "On Colab, install the course first with `%pip install torchdojo`.")


def points_text(points: float) -> str:
    """``1 punto / point``, ``2 puntos / points``."""
    n = f"{points:g}"
    return f"{n} punto / point" if points == 1 else f"{n} puntos / points"


def exercise_heading(index: int, topic: Topic, name: str) -> str:
    ex = topic.exercise(name)
    device = " · también en GPU, si la hay / also on the GPU, if there is one" if ex.device else ""
    return f"## {index}. `{name}`\n\n`{ex.id}` · {points_text(ex.points)}{device}"


def lesson_markdown(module: SplitModule, how_to: str = HOW_TO, install: tuple[str, str] = INSTALL_FULL) -> str:
    """The topic's title, its lesson (the module docstring) and how to work.

    ``how_to``'s fields ``{module}``, ``{topic}``, ``{install_es}`` and
    ``{install_en}`` are filled in (``install``: how to install the course, es/en).
    """
    t = module.topic
    parts = [f"# {t.title.es} / {t.title.en}"]
    if module.lesson:
        parts.append(module.lesson)
    parts.append(how_to.format(module=t.module_name, topic=t.id, install_es=install[0], install_en=install[1]))
    return "\n\n".join(parts)


def check_code(target: str) -> str:
    """A check cell: grades ``target`` from the notebook's own namespace."""
    return f'from torchdojo.learner.notebook import check\ncheck("{target}", globals())'


def learner_notebook(module: SplitModule, install: tuple[str, str] = INSTALL_FULL,
                     install_cell: str | None = None) -> dict:
    """The learner's notebook for a split solution module.

    ``install`` says how to install the course (es, en); ``install_cell``, when
    given, is a code cell that does it, placed right after the lesson.
    """
    t = module.topic
    order = [piece.exercise.name for piece in module.pieces]
    lesson = lesson_cells(load_lesson(t.id), order) if lesson_path(t.id).is_file() else {}
    cells = [nbjson.markdown("lesson", lesson_markdown(module, install=install))]
    if install_cell:  # before the lesson's examples, which need torchdojo installed
        cells.append(nbjson.code("install", install_cell))
    cells += lesson.get(TOP, [])
    if module.setup:
        cells.append(nbjson.code("setup", module.setup))
    for i, piece in enumerate(module.pieces, start=1):
        name = piece.exercise.name
        cells += lesson.get(name, [])
        cells += [
            nbjson.markdown(f"{name}-md", exercise_heading(i, t, name)),
            nbjson.code(name, piece.stub),
            nbjson.code(f"{name}-check", check_code(piece.exercise.id)),
        ]
    cells += [
        nbjson.markdown("summary-md", "## Todo el tema / The whole topic"),
        nbjson.code("summary-check", check_code(t.id)),
    ]
    return nbjson.notebook(cells, torchdojo={"topic": t.id, "source": f"solutions/{t.module}"})


def split_topic(topic: Topic) -> SplitModule:
    """The split solution module of ``topic``."""
    text = (paths.solutions_dir() / topic.module).read_text(encoding="utf-8")
    return split_solution(text, topic)


def solution_topics(the_course: Course | None = None) -> list[Topic]:
    """Topics with a module whose solution exists (topics in progress may lack one)."""
    the_course = the_course or packaged_course()
    return [t for t in the_course.exercise_topics if (paths.solutions_dir() / t.module).is_file()]


def notebook_path(topic: Topic) -> Path:
    return paths.exercises_dir() / NOTEBOOKS_DIR / f"{topic.module_name}.ipynb"


def expected_notebooks(the_course: Course | None = None) -> dict[Path, str]:
    """Every learner notebook the course should have, by path."""
    return {notebook_path(t): nbjson.dumps(learner_notebook(split_topic(t))) for t in solution_topics(the_course)}


def out_of_sync(the_course: Course | None = None) -> list[Path]:
    """Notebooks that differ from what their solutions generate (or are missing)."""
    return stale_files(expected_notebooks(the_course))
