"""Where each student's files are.

Accepted layouts (see ``docs/class-grading.md``):

* ``ROOT/<student>/<files>`` - one folder per student;
* ``ROOT/submitted/<student>/<assignment>/<files>`` - nbgrader's layout (ROOT may
  also be the ``submitted`` folder itself);
* a ``.zip`` of either.

Files: an exercise module ``<topic>.py`` or ``<topic>.ipynb``; a quiz answer file
``quiz_<topic>.json|yaml|yml`` (or ``<topic>_answers.*``).

One student's trouble stays that student's: a zip member that cannot be
extracted (a CRC error, a bad compression method) or a folder that cannot be
listed becomes :attr:`StudentFiles.error`, and the other students are read as
usual.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from torchdojo.errors import UserError
from torchdojo.manifest import Course
from torchdojo.workspace import choose_between

MAX_ZIP_BYTES = 2 << 30
MAX_ZIP_FILES = 100_000
QUIZ_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass
class StudentFiles:
    """One student's gradable files, by topic."""

    student: str
    modules: dict[str, Path] = field(default_factory=dict)
    quizzes: dict[str, Path] = field(default_factory=dict)
    #: Why this student's files could not be read (one line); ``None`` when they could.
    error: str | None = None
    #: Topics handed in both as ``.py`` and ``.ipynb``: why the graded one was chosen (catalog msgid, fields).
    choices: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)


def _quiz_topic(name: str, topics: set[str]) -> str | None:
    stem, suffix = name.rsplit(".", 1) if "." in name else (name, "")
    if f".{suffix}" not in QUIZ_SUFFIXES:
        return None
    if stem.startswith("quiz_") and stem[5:] in topics:
        return stem[5:]
    if stem.endswith("_answers") and stem[:-8] in topics:
        return stem[:-8]
    return None


def _collect(student: str, folder: Path, course: Course) -> StudentFiles:
    files = StudentFiles(student)
    modules = {f"{t.module_name}{s}": t.id for t in course.exercise_topics for s in (".py", ".ipynb")}
    quiz_topics = {t.id for t in course.topics if t.quiz}
    # The student folder itself first, then assignment folders (nbgrader), sorted.
    folders = [folder] + sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    for where in folders:
        for path in sorted(where.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            topic = modules.get(path.name)
            if topic:
                current = files.modules.get(topic)
                if current is None:
                    files.modules[topic] = path
                elif current.suffix != path.suffix:
                    # A module and a notebook: the one the student changed (the other is the untouched stub).
                    py, nb = (current, path) if current.suffix == ".py" else (path, current)
                    files.modules[topic], why = choose_between(py, nb, course.topic(topic))
                    if why:
                        files.choices[topic] = why
                continue
            qtopic = _quiz_topic(path.name, quiz_topics)
            if qtopic and qtopic not in files.quizzes:
                files.quizzes[qtopic] = path
    return files


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _safe_extract(archive: Path, into: Path) -> dict[PurePosixPath, str]:
    """Extract ``archive`` into ``into``; the members that could not be extracted, with why.

    A damaged member (bad CRC, unsupported compression, truncated data) is
    skipped and reported, never fatal: it belongs to one student. Only an
    archive that cannot be opened at all is the instructor's error.
    """
    damaged: dict[PurePosixPath, str] = {}
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UserError("{path}: not a valid zip archive ({detail})", path=str(archive), detail=_one_line(exc)) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_FILES or sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise UserError("{path}: archive too large to grade", path=str(archive))
        for info in infos:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or name.parts[:1] == ("__MACOSX",):
                continue  # never write outside the extraction folder
            target = into.joinpath(*name.parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            except Exception as exc:  # zipfile raises several types for one damaged member
                target.unlink(missing_ok=True)  # a half-written file must not be graded
                damaged[name] = f"damaged zip member {name.as_posix()}: {_one_line(exc)}"
    return damaged


def _root_of(folder: Path) -> Path:
    if (folder / "submitted").is_dir():
        return folder / "submitted"
    entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
        children = [p for p in inner.iterdir() if not p.name.startswith(".")]
        # One wrapping folder (as zips often have) holding student folders.
        if children and all(p.is_dir() for p in children):
            return _root_of(inner)
    return folder


class ClassLayout:
    """The students of a submissions folder or zip; a context manager when extracting."""

    def __init__(self, submissions: str | Path, course: Course):
        self.source = Path(submissions)
        self.course = course
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._damaged: dict[Path, str] = {}
        if not self.source.exists():
            raise UserError("'{path}' does not exist", path=str(self.source))
        if self.source.is_file():
            if self.source.suffix.lower() != ".zip":
                raise UserError("'{path}' is neither a folder nor a .zip", path=str(self.source))
            self._tmp = tempfile.TemporaryDirectory(prefix="torchdojo-class-")
            root = Path(self._tmp.name)
            damaged = _safe_extract(self.source, root)
            for name in damaged:
                # The student's folder must exist even when their only file was damaged.
                (root.joinpath(*name.parts)).parent.mkdir(parents=True, exist_ok=True)
            self._damaged = {root.joinpath(*name.parts): why for name, why in damaged.items()}
        else:
            root = self.source
        self.root = _root_of(root)

    def _damage_in(self, folder: Path) -> str | None:
        reasons = [why for path, why in sorted(self._damaged.items()) if folder in path.parents]
        if not reasons:
            return None
        more = f" (+{len(reasons) - 1})" if len(reasons) > 1 else ""
        return reasons[0] + more

    def students(self) -> list[StudentFiles]:
        """Every student folder, in name order; a student whose files cannot be read carries ``error``."""
        out = []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            try:
                files = _collect(folder.name, folder, self.course)
            except OSError as exc:
                files = StudentFiles(folder.name, error=f"cannot read the folder: {_one_line(exc)}")
            files.error = self._damage_in(folder) or files.error
            out.append(files)
        return out

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ClassLayout:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
