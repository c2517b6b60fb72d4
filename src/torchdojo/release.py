"""The student release: what learners get, and nothing they must not see.

``write_release(outdir, fmt)`` writes:

* the exercises: stubs (``<module>.py``), notebooks (``<module>.ipynb``) or both
  (``py/`` and ``notebooks/``, each a workspace of its own, since ``torchdojo
  check`` prefers ``.py`` when both sit in one folder);
* ``public_tests/test_<topic>_public.py``: public tests that check only that the
  names and signatures the graders call exist (the grade comes from the hidden
  graders, through ``torchdojo check``);
* ``quizzes/<topic>.es.yaml`` and ``.en.yaml``: answer files to fill in, with the
  questions as comments and no answers or explanations
  (``torchdojo quiz TOPIC --answers FILE`` grades them);
* ``README.md`` in Spanish and English.

Solutions, hidden graders and answer keys stay out; ``tests/test_release.py``
scans a release for them.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo import atomic, paths
from torchdojo.errors import UserError
from torchdojo.manifest import Course, Topic
from torchdojo.manifest import course as packaged_course
from torchdojo.notebooks import build, nbjson
from torchdojo.quiz import answer_template, load_bank

FORMATS = ("py", "ipynb", "both")

README = """\
# {course_title}

**ES** · Este es el material del curso: los ejercicios{formats_es}, los
cuestionarios y unas pruebas públicas. Instala el curso con `pip install torchdojo`.

* Escribe cada función en lugar de `raise NotImplementedError("TODO")`.
* Califica tu trabajo con `torchdojo check -w {workspace}` (o un tema:
  `torchdojo check -w {workspace} tensors`). En un notebook, ejecuta las celdas de
  comprobación: muestran lo mismo. `torchdojo watch -w {workspace}` vuelve a
  calificar cada vez que guardas.
* Las pruebas públicas (`python -m pytest public_tests`) solo comprueban que los
  nombres y las firmas existen; la nota la dan los correctores ocultos de
  `torchdojo check`.
* Cuestionarios: rellena `quizzes/<tema>.es.yaml` y corrígelo con
  `torchdojo quiz <tema> --answers quizzes/<tema>.es.yaml`, o hazlo en la terminal
  con `torchdojo quiz <tema>`.
* Pistas: `torchdojo hint TEMA/EJERCICIO`.

**EN** · This is the course material: the exercises{formats_en}, the quizzes and a
few public tests. Install the course with `pip install torchdojo`.

* Write each function in place of `raise NotImplementedError("TODO")`.
* Grade your work with `torchdojo check -w {workspace}` (or one topic:
  `torchdojo check -w {workspace} tensors`). In a notebook, run the check cells:
  they show the same. `torchdojo watch -w {workspace}` grades again on every save.
* The public tests (`python -m pytest public_tests`) only check that the names and
  signatures exist; the grade comes from `torchdojo check`'s hidden graders.
* Quizzes: fill in `quizzes/<topic>.en.yaml` and grade it with
  `torchdojo quiz <topic> --answers quizzes/<topic>.en.yaml`, or take it in the
  terminal with `torchdojo quiz <topic>`.
* Hints: `torchdojo hint TOPIC/EXERCISE`.

| {topics_header} |
|---|
{topics_rows}
"""

PUBLIC_TEST = '''\
"""Pruebas públicas de `{topic}`: solo nombres y firmas / Public tests of `{topic}`: names and signatures only.

La nota la da `torchdojo check` / The grade comes from `torchdojo check`.
"""

import inspect
from pathlib import Path

import pytest

from torchdojo.student.loader import load_module

#: What the graders call: name -> parameter names.
EXPECTED = {expected!r}
WORKSPACES = [Path(__file__).resolve().parent.parent / sub for sub in ("", "py", "notebooks")]


@pytest.fixture(scope="module")
def student():
    for folder in WORKSPACES:
        for suffix in (".py", ".ipynb"):
            path = folder / ("{module}" + suffix)
            if path.is_file():
                return load_module(path, "{module}").module
    pytest.skip("no hay {module}.py ni {module}.ipynb / no {module}.py or {module}.ipynb")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_defined_with_its_signature(student, name):
    obj = getattr(student, name, None)
    assert callable(obj), f"falta {{name}} / {{name}} is missing"
    params = list(inspect.signature(obj).parameters)
    assert params == EXPECTED[name], f"{{name}}{{tuple(params)}}: se esperaba / expected {{EXPECTED[name]}}"
'''


@dataclass
class ReleaseResult:
    outdir: Path
    written: list[Path] = field(default_factory=list)


def signatures(solution_text: str, names: set[str]) -> dict[str, list[str]]:
    """Parameter names of the top-level functions and classes (``__init__`` without ``self``) in ``names``."""
    out: dict[str, list[str]] = {}
    for node in ast.parse(solution_text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            fn, skip = node, 0
        elif isinstance(node, ast.ClassDef) and node.name in names:
            init = [n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
            if not init:
                continue
            fn, skip = init[0], 1
        else:
            continue
        a = fn.args
        params = [p.arg for p in a.posonlyargs + a.args][skip:]
        params += [a.vararg.arg] if a.vararg else []
        params += [p.arg for p in a.kwonlyargs] + ([a.kwarg.arg] if a.kwarg else [])
        out[node.name] = params
    return out


def public_test(topic: Topic) -> str:
    text = (paths.solutions_dir() / topic.module).read_text(encoding="utf-8")
    names = {f for ex in topic.exercises for f in ex.functions}
    return PUBLIC_TEST.format(topic=topic.id, module=topic.module_name, expected=signatures(text, names))


def _check_outdir(outdir: Path, force: bool) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"'{outdir}' exists and is not a folder")
    if outdir.is_dir() and any(outdir.iterdir()) and not force:
        raise UserError(f"'{outdir}' is not empty: choose an empty folder, or pass --force to write into it")


def write_release(outdir: str | Path, fmt: str = "both", *, force: bool = False,
                  the_course: Course | None = None) -> ReleaseResult:
    """Write the student release into ``outdir`` (empty, unless ``force``)."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    the_course = the_course or packaged_course()
    out = Path(outdir)
    _check_outdir(out, force)
    result = ReleaseResult(out)

    def put(rel: str, text: str) -> None:
        atomic.write_text(out / rel, text)
        result.written.append(out / rel)

    topics = build.solution_topics(the_course)
    py_dir, nb_dir = ("py/", "notebooks/") if fmt == "both" else ("", "")
    for topic in topics:
        if fmt in ("py", "both"):
            stub = paths.exercises_dir() / topic.module
            (out / py_dir).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stub, out / py_dir / topic.module)
            result.written.append(out / py_dir / topic.module)
        if fmt in ("ipynb", "both"):
            put(f"{nb_dir}{topic.module_name}.ipynb", nbjson.dumps(build.learner_notebook(build.split_topic(topic))))
        put(f"public_tests/test_{topic.id}_public.py", public_test(topic))
    for topic in the_course.topics:
        if topic.quiz and (paths.quizzes_dir() / f"{topic.id}.yaml").is_file():
            bank = load_bank(topic.id)
            for lang in ("es", "en"):
                put(f"quizzes/{topic.id}.{lang}.yaml", answer_template(bank, lang, "yaml", topic.title.get(lang)))
    workspace = {"py": ".", "ipynb": ".", "both": "py"}[fmt]
    formats = {"py": (" (módulos `.py`)", " (`.py` modules)"),
               "ipynb": (" (notebooks)", " (notebooks)"),
               "both": (" (módulos `.py` en `py/` y notebooks en `notebooks/`: trabaja en uno de los dos)",
                        " (`.py` modules in `py/` and notebooks in `notebooks/`: work in one of them)")}[fmt]
    rows = "\n".join(f"| `{t.id}`: {t.title.es} / {t.title.en} |" for t in the_course.topics)
    put("README.md", README.format(course_title="torchdojo", formats_es=formats[0], formats_en=formats[1],
                                   workspace=workspace, topics_header="temas / topics", topics_rows=rows))
    return result
