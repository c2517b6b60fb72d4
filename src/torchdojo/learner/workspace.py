"""A learner's workspace: the stubs to work on, and their progress.

A workspace is a folder that holds ``.torchdojo/learner/workspace.json`` (the marker
``torchdojo start DIR`` writes; the folder also keeps ``progress.json``).
Every verb finds it the same way, with :func:`find_workspace`, as git finds
its repository:

1. ``-w DIR`` (or ``TORCHDOJO_WORKSPACE``): that folder, which must exist;
2. else the nearest folder at or above the current one that holds the marker;
3. else a one-line error (exit 2) that says how to make one.

So nothing is ever written outside a workspace: progress and quiz results go
to the workspace that was found, and a folder that is not one stays untouched.

``torchdojo start DIR`` copies the generated stubs into DIR and never overwrites
a file that is already there.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo import __version__
from torchdojo.text import atomic
from torchdojo.course import paths
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import N_
from torchdojo.course.manifest import Course, course as load_course

STATE_DIR = ".torchdojo"
MARKER = "workspace.json"
MARKER_SCHEMA = "torchdojo.workspace/1"
ENV = "TORCHDOJO_WORKSPACE"


def marker_path(folder: str | Path) -> Path:
    return Path(folder) / STATE_DIR / MARKER


def is_workspace(folder: str | Path) -> bool:
    """Whether ``folder`` holds the workspace marker."""
    return marker_path(folder).is_file()


def mark(folder: str | Path) -> None:
    """Make ``folder`` a workspace (write the marker unless it is there)."""
    marker = marker_path(folder)
    if not marker.is_file():
        atomic.write_text(marker, json.dumps({"schema": MARKER_SCHEMA, "version": __version__}, indent=2) + "\n")


def find_workspace(explicit: str | Path | None = None, *, start: str | Path | None = None) -> Path:
    """The workspace a verb works on; the one rule every verb follows.

    ``explicit`` (``-w DIR``), else ``TORCHDOJO_WORKSPACE``: that folder, which
    must exist (it becomes a workspace when something is recorded in it). Else
    the nearest folder at or above ``start`` (default: the current folder) that
    holds ``.torchdojo/learner/workspace.json``. Raises :class:`UserError` when there is
    none, with the command that makes one.
    """
    if not explicit and os.environ.get(ENV):
        folder = Path(os.environ[ENV])
        if folder.exists() and not folder.is_dir():
            raise UserError("TORCHDOJO_WORKSPACE names '{path}', which is a file, not a folder (name the "
                            "workspace folder, or unset TORCHDOJO_WORKSPACE)", path=str(folder))
        if not folder.is_dir():  # say where the name came from: nothing on the command line named it
            raise UserError("TORCHDOJO_WORKSPACE names '{path}', which is not a folder (create it with "
                            "'torchdojo start {path}', or unset TORCHDOJO_WORKSPACE)", path=str(folder))
        return folder
    if explicit:
        folder = Path(explicit)
        if folder.exists() and not folder.is_dir():  # a log or a module named by mistake: not a place to start one
            raise UserError("'{path}' is a file, not a folder: -w names the workspace folder (the one "
                            "'torchdojo start DIR' made)", path=str(folder))
        if not folder.is_dir():
            raise UserError("workspace '{path}' is not a folder (create one with 'torchdojo start {path}')",
                            path=str(folder))
        return folder
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_workspace(folder):
            return folder
    raise UserError("no torchdojo workspace in {path} or any folder above it: create one with "
                    "'torchdojo start DIR' and work inside it, or name it with -w DIR", path=str(here))


def require_work(folder: Path, topics: list, *, the_course: Course | None = None) -> None:
    """Stop with one line when ``folder`` is neither a workspace nor holds any module of ``topics``.

    ``-w DIR`` may name a plain folder of hand-ins (no marker); a folder with
    neither the marker nor a single exercise file is a mistyped name, and
    grading it would only list every exercise as missing.
    """
    if is_workspace(folder):
        return
    modules = [t.module_name for t in topics] or [t.module_name for t in (the_course or load_course()).exercise_topics]
    if any((folder / f"{m}{suffix}").is_file() for m in modules for suffix in (".py", ".ipynb")):
        return
    raise UserError("'{path}' is not a torchdojo workspace: it has no {module}.py or {module}.ipynb and no "
                    ".torchdojo/learner/workspace.json (create one with 'torchdojo start {path}')",
                    path=str(folder), module=modules[0] if modules else "tensors")


@dataclass
class StartResult:
    workspace: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


#: What ``start --format`` can write: the stub modules or the same exercises as notebooks.
FORMATS = ("py", "ipynb")


def stub_path(topic, fmt: str = "py") -> Path:
    """The course's stub of ``topic``: ``exercises/<module>.py``, or its notebook ``exercises/notebooks/<module>.ipynb``."""
    if fmt == "ipynb":
        return paths.exercises_dir() / "notebooks" / f"{topic.module_name}.ipynb"
    return paths.exercises_dir() / topic.module


def start_workspace(folder: str | Path, the_course: Course | None = None, fmt: str = "py") -> StartResult:
    """Create (or complete) a workspace with every topic's stub; existing files are kept.

    ``fmt``: ``py`` writes ``<module>.py`` files, ``ipynb`` the same exercises as
    notebooks (``<module>.ipynb``, graded the same way).
    """
    if fmt not in FORMATS:
        raise UserError("unknown format '{format}' (choose from {choices})", format=fmt, choices=", ".join(FORMATS))
    the_course = the_course or load_course()
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError("'{path}' exists and is not a folder", path=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    result = StartResult(folder)
    for topic in the_course.exercise_topics:
        stub = stub_path(topic, fmt)
        target = folder / stub.name
        if target.exists():
            result.kept.append(stub.name)
            continue
        if not stub.is_file():
            raise UserError("the course has no stub for {topic} ({path})", topic=topic.id, path=str(stub))
        # Copy to a temporary name first: an interrupted start leaves no half file.
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(stub, tmp)
        tmp.replace(target)
        result.created.append(stub.name)
    mark(folder)
    return result


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().splitlines())


def _code_cells(data: bytes) -> list[str] | None:
    """The normalised sources of a notebook's code cells; ``None`` when it is not a readable notebook."""
    import json

    try:
        cells = json.loads(data.decode("utf-8")).get("cells", [])
        return [_lines(c["source"] if isinstance(c["source"], str) else "".join(c["source"]))
                for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    except (ValueError, UnicodeDecodeError, AttributeError, KeyError, TypeError):
        return None


def is_changed(path: Path, topic: Topic) -> bool:
    """Whether the learner changed ``<module>.py`` or ``<module>.ipynb`` from what ``start``/``release`` gave.

    A module differs from its stub; a notebook has a code cell that is in none of
    the course's generated notebook (install cells and blank cells aside), so
    re-saving a notebook in Jupyter (outputs, metadata) does not count.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if path.suffix == ".py":
        stub = stub_path(topic, "py")
        try:
            return _lines(data.decode("utf-8", "replace")) != _lines(stub.read_text(encoding="utf-8"))
        except OSError:
            return True
    cells = _code_cells(data)
    if cells is None:
        return True  # not the generated notebook, whatever it is: grading says what is wrong with it
    generated = stub_path(topic, "ipynb")
    try:
        known = set(_code_cells(generated.read_bytes()) or [])
    except OSError:
        known = set()
    return any(c and c not in known and "pip install" not in c for c in cells)


def choose_submission(folder: Path, topic: Topic) -> tuple[Path | None, tuple[str, dict[str, str]] | None]:
    """The file to grade for ``topic`` in ``folder``, and, when there were two, why this one.

    The reason is a catalog msgid with its fields (``tr(lang, msgid, **fields)``).

    ``<module>.py`` or ``<module>.ipynb``; with both, the one the learner changed
    (see :func:`is_changed`); both changed: the one saved last (the ``.py`` when the
    notebook is not valid JSON); neither: the ``.py``.
    """
    py, nb = (folder / f"{topic.module_name}{suffix}" for suffix in (".py", ".ipynb"))
    if not (py.is_file() and nb.is_file()):
        return (py if py.is_file() else nb if nb.is_file() else None), None
    return choose_between(py, nb, topic)


def choose_between(py: Path, nb: Path, topic) -> tuple[Path, tuple[str, dict[str, str]] | None]:
    """Of a module and a notebook for the same topic, the one to grade, and why (see :func:`choose_submission`)."""
    py_changed, nb_changed = is_changed(py, topic), is_changed(nb, topic)
    if py_changed != nb_changed:
        chosen, other = (py, nb) if py_changed else (nb, py)
        return chosen, (N_("both {py} and {nb} are here: graded {chosen}, the one you changed ({other} is as "
                           "it was given)"), dict(py=py.name, nb=nb.name, chosen=chosen.name, other=other.name))
    if not py_changed:
        return py, None  # both untouched: nothing to choose between
    try:
        readable = _code_cells(nb.read_bytes()) is not None
    except OSError:
        readable = False
    # A notebook that is not one (broken JSON) never takes the place of a module that was written.
    chosen = max((py, nb), key=lambda p: p.stat().st_mtime_ns) if readable else py
    other = nb if chosen == py else py
    return chosen, (N_("you changed both {py} and {nb}: graded {chosen}, saved last; delete or rename {other} "
                       "if it is not your work"), dict(py=py.name, nb=nb.name, chosen=chosen.name, other=other.name))
