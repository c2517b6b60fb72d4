"""A learner's workspace: the stubs to work on, and their progress.

A workspace is a folder that holds ``.torchdojo/workspace.json`` (the marker
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
from torchdojo.text.errors import UserError
from torchdojo.course.manifest import Course, course as load_course
from torchdojo.course.stubs import stub_path  # noqa: F401  (where start copies from)

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
    holds ``.torchdojo/workspace.json``. Raises :class:`UserError` when there is
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
                    ".torchdojo/workspace.json (create one with 'torchdojo start {path}')",
                    path=str(folder), module=modules[0] if modules else "tensors")


@dataclass
class StartResult:
    workspace: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


#: What ``start --format`` can write: the stub modules or the same exercises as notebooks.
FORMATS = ("py", "ipynb")


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
