"""The student release: what learners get, and nothing they must not see.

``write_release(outdir, fmt)`` writes:

* ``wheel/torchdojo_student-<version>-py3-none-any.whl``: the student edition
  of the course (:mod:`torchdojo.editions.student_wheel`), which students install
  with pip: the engine, stubs, public tests, lessons and quizzes as answer
  files; no solutions, hidden graders or answer keys;
* the exercises: stubs (``<module>.py``), notebooks (``<module>.ipynb``) or both
  (``py/`` and ``notebooks/``, each a workspace of its own, since ``torchdojo
  check`` prefers ``.py`` when both sit in one folder); each exercise folder is
  marked as a workspace, so ``torchdojo check`` works from inside it;
  notebooks start with a cell that installs the wheel (on Colab);
* ``public_tests/test_<topic>_public.py``: public tests that check only that the
  names and signatures the graders call exist (the grade comes from the hidden
  graders, through the instructor's ``torchdojo check`` or ``grade``);
* ``quizzes/<topic>.es.yaml`` and ``.en.yaml``: answer files to fill in, with the
  questions as comments and no answers or explanations;
* ``lessons/<topic>.es.md`` and ``.en.md``: each topic's lesson, one file per
  language, with its figures in ``lessons/figures/``;
* ``README.md`` in Spanish and English.

Solutions, hidden graders and answer keys stay out; ``tests/test_release.py``
scans the release, wheel included, for them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo.text import atomic
from torchdojo.course import edition, paths
from torchdojo.text.errors import UserError
from torchdojo.course.lessons import lesson_path, load_lesson
from torchdojo.course.lessons.render import lesson_markdown
from torchdojo.course.manifest import Course
from torchdojo.course.manifest import course as packaged_course
from torchdojo.editions.notebooks import build
from torchdojo.text import nbjson
from torchdojo.learner.public_tests import public_test, signatures, test_file_name  # noqa: F401 - signatures: API
from torchdojo.course.quiz import answer_template, load_bank
from torchdojo.editions.student_wheel import build_student_wheel, wheel_name
from torchdojo.learner.workspace import mark

FORMATS = ("py", "ipynb", "both")
WHEEL_DIR = "wheel"

README = """\
# {course_title}

**ES** · Este es el material del curso: los ejercicios{formats_es}, los
cuestionarios y unas pruebas públicas.

* Instala el curso (la edición para estudiantes, sin soluciones) desde esta
  carpeta, con Python 3.10 o más reciente: primero PyTorch para CPU (sin esto,
  pip trae en Linux la versión con CUDA, varios GB), luego el curso:

  ```
  pip install torch --index-url https://download.pytorch.org/whl/cpu
  pip install {wheel}
  ```
* Escribe cada función en lugar de `raise NotImplementedError("TODO")`.
* Comprueba tu trabajo con `torchdojo check -w {workspace}` (o un tema:
  `torchdojo check -w {workspace} tensors`; dentro de `{workspace}` basta con
  `torchdojo check`). En un notebook, ejecuta las celdas de comprobación.
  Esta edición ejecuta las pruebas públicas: solo comprueban que los nombres y
  las firmas existen; la nota la ponen los correctores de tu docente.
* Las mismas pruebas públicas: `python -m pytest public_tests`.
* Cuestionarios: rellena `quizzes/<tema>.es.yaml` y entrégalo a tu docente
  (`torchdojo quiz <tema> --template` lo vuelve a escribir).
* Lecciones: `lessons/<tema>.es.md` (con sus figuras), o en la terminal
  `torchdojo learn <tema>`. Léelas antes de cada tema: enseñan lo que piden los
  ejercicios y los cuestionarios.
* Pistas: `torchdojo hint TEMA/EJERCICIO`.
* En Colab: sube `{wheel}` y ejecuta la primera celda de código del notebook.

**EN** · This is the course material: the exercises{formats_en}, the quizzes and a
few public tests.

* Install the course (the student edition, without solutions) from this
  folder, with Python 3.10 or newer: first the CPU build of PyTorch (without
  it, pip on Linux brings the CUDA build, several GB), then the course:

  ```
  pip install torch --index-url https://download.pytorch.org/whl/cpu
  pip install {wheel}
  ```
* Write each function in place of `raise NotImplementedError("TODO")`.
* Check your work with `torchdojo check -w {workspace}` (or one topic:
  `torchdojo check -w {workspace} tensors`; inside `{workspace}`, plain
  `torchdojo check` does). In a notebook, run the check cells. This edition
  runs the public tests: they only check that the names and signatures exist;
  your grade comes from your instructor's graders.
* The same public tests: `python -m pytest public_tests`.
* Quizzes: fill in `quizzes/<topic>.en.yaml` and hand it to your instructor
  (`torchdojo quiz <topic> --template` writes it again).
* Lessons: `lessons/<topic>.en.md` (with their figures), or in the terminal
  `torchdojo learn <topic>`. Read them before each topic: they teach what the
  exercises and the quizzes ask for.
* Hints: `torchdojo hint TOPIC/EXERCISE`.
* On Colab: upload `{wheel}` and run the notebook's first code cell.

| {topics_header} |
|---|
{topics_rows}
"""

#: How the release's notebooks install the course: their lesson says so, and their first code cell does it.
INSTALL_TEXT = ("En Colab (o en un Jupyter sin torchdojo), sube `{wheel}` (de la carpeta `wheel/` del "
                "material) y ejecuta la celda de instalación de abajo.",
                "On Colab (or a Jupyter without torchdojo), upload `{wheel}` (from the material's `wheel/` "
                "folder) and run the install cell below.")
INSTALL_CELL = """\
# ES: instala el curso (edición para estudiantes). En Colab, sube antes el archivo
#     {wheel} (carpeta wheel/ del material). Si torchdojo ya está instalado, sáltala.
# EN: installs the course (student edition). On Colab, upload the file
#     {wheel} (the material's wheel/ folder) first. Skip it if torchdojo is installed.
%pip install -q {wheel}"""


@dataclass
class ReleaseResult:
    outdir: Path
    written: list[Path] = field(default_factory=list)


def _check_outdir(outdir: Path, force: bool) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise UserError("'{path}' exists and is not a folder", path=str(outdir))
    if outdir.is_dir() and any(outdir.iterdir()) and not force:
        raise UserError("'{path}' is not empty: choose an empty folder, or pass --force to write into it",
                        path=str(outdir))


def write_release(outdir: str | Path, fmt: str = "both", *, force: bool = False,
                  the_course: Course | None = None) -> ReleaseResult:
    """Write the student release into ``outdir`` (empty, unless ``force``), student wheel included."""
    if fmt not in FORMATS:
        raise UserError("unknown format '{format}' (choose from {choices})", format=fmt, choices=", ".join(FORMATS))
    edition.require_full("torchdojo release")
    the_course = the_course or packaged_course()
    out = Path(outdir)
    _check_outdir(out, force)
    result = ReleaseResult(out)

    def put(rel: str, text: str) -> None:
        atomic.write_text(out / rel, text)
        result.written.append(out / rel)

    wheel = build_student_wheel(out / WHEEL_DIR, the_course)
    result.written.append(wheel)
    install = (INSTALL_TEXT[0].format(wheel=wheel.name), INSTALL_TEXT[1].format(wheel=wheel.name))
    topics = build.solution_topics(the_course)
    py_dir, nb_dir = ("py/", "notebooks/") if fmt == "both" else ("", "")
    for topic in topics:
        if fmt in ("py", "both"):
            stub = paths.exercises_dir() / topic.module
            (out / py_dir).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stub, out / py_dir / topic.module)
            result.written.append(out / py_dir / topic.module)
        if fmt in ("ipynb", "both"):
            nb = build.learner_notebook(build.split_topic(topic), install=install,
                                        install_cell=INSTALL_CELL.format(wheel=wheel.name))
            put(f"{nb_dir}{topic.module_name}.ipynb", nbjson.dumps(nb))
        put(f"public_tests/{test_file_name(topic)}", public_test(topic))
    # Each exercise folder is a workspace: torchdojo check works from inside it.
    for folder in {"py": [""], "ipynb": [""], "both": ["py", "notebooks"]}[fmt]:
        mark(out / folder)
        result.written.append(out / folder / ".torchdojo" / "workspace.json")
    for topic in the_course.topics:
        if topic.quiz and (paths.quizzes_dir() / f"{topic.id}.yaml").is_file():
            bank = load_bank(topic.id)
            for lang in ("es", "en"):
                put(f"quizzes/{topic.id}.{lang}.yaml", answer_template(bank, lang, "yaml", topic.title.get(lang)))
    for topic in the_course.topics:
        if lesson_path(topic.id).is_file():
            lesson = load_lesson(topic.id, the_course=the_course)
            for lang in ("es", "en"):
                put(f"lessons/{topic.id}.{lang}.md", lesson_markdown(lesson, topic.title, lang))
            for figure in sorted({f for part in lesson.parts for f in part.figures}):
                for lang in ("es", "en"):
                    rel = f"lessons/figures/{figure}.{lang}.svg"
                    put(rel, (paths.lessons_dir() / "figures" / f"{figure}.{lang}.svg").read_text(encoding="utf-8"))
    workspace = {"py": ".", "ipynb": ".", "both": "py"}[fmt]
    formats = {"py": (" (módulos `.py`)", " (`.py` modules)"),
               "ipynb": (" (notebooks)", " (notebooks)"),
               "both": (" (módulos `.py` en `py/` y notebooks en `notebooks/`: trabaja en uno de los dos)",
                        " (`.py` modules in `py/` and notebooks in `notebooks/`: work in one of them)")}[fmt]
    rows = "\n".join(f"| `{t.id}`: {t.title.es} / {t.title.en} |" for t in the_course.topics)
    put("README.md", README.format(course_title="torchdojo", formats_es=formats[0], formats_en=formats[1],
                                   workspace=workspace, wheel=f"{WHEEL_DIR}/{wheel_name()}",
                                   topics_header="temas / topics", topics_rows=rows))
    return result
