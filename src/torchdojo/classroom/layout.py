"""Who the students of a class folder are, and their files, read through the one intake.

Accepted layouts (see ``docs/class-grading.md``); each entry of the class
folder becomes a student or a line of :attr:`ClassLayout.skipped`, never nothing:

* ``ROOT/<student>/<files>``: a folder per student (files directly inside or in
  one level of assignment folders, as nbgrader's ``submitted/<student>/<assignment>/``;
  ROOT may hold ``submitted/`` or be it);
* ``ROOT/<student>.zip``: a student's own zip (an inner wrapping folder is fine);
* a ``.zip`` of the class; one wrapping folder around the class is looked through,
  and stray files beside the student folders (``README.txt``) are skipped, listed;
* Canvas "Download submissions": flat files
  ``<name>[_LATE]_<user id>_<submission id>_<file>`` (a resubmitted ``tensors-1.py``
  counts as ``tensors.py``), student ``<name>``;
* Moodle "Download all submissions": folders ``<Full Name>_<id>_assignsubmission_<plugin>_``
  (or the same prefix on flat files), student ``<Full Name>``;
* GitHub Classroom clones ``<assignment>-<user>/`` (each with ``.git``): student ``<user>``.

Files: an exercise module ``<topic>.py`` or ``<topic>.ipynb``; a quiz answer file
``quiz_<topic>.json|yaml|yml`` (or ``<topic>_answers.*``); other ``.py`` files are
sibling modules the exercise may import.

Every file is read once through :mod:`torchdojo.judge.intake` (no link is
followed, only bounded regular files) into a private copy, and only those copies
are graded, hashed and compared. One student's trouble stays that student's: a
refused entry, a damaged zip member or a folder that cannot be listed becomes
:attr:`StudentFiles.error`, and the other students are read as usual.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from torchdojo.judge import intake
from torchdojo.text.errors import UserError
from torchdojo.course.manifest import Course
from torchdojo.wire.job import is_sibling_module
from torchdojo.judge.submission import choose_between
from torchdojo.text.i18n import N_

# Why an entry of the class folder was skipped: English catalog messages kept as text (grades.json),
# translated where the report shows them.
N_HIDDEN = N_("hidden entry")
N_NOT_FOLDER = N_("{kind}, not a student folder")
N_NOT_SUBMISSION = N_("not a student folder, a student's zip or an LMS submission file")
N_OTHER_HAND_IN = N_("another hand-in of {student} was graded")
SKIP_REASONS = (N_HIDDEN, N_NOT_FOLDER, N_NOT_SUBMISSION, N_OTHER_HAND_IN)

MAX_ZIP_BYTES = 2 << 30
MAX_ZIP_FILES = 100_000
#: A student's own zip is read into memory through the intake: bounded.
MAX_STUDENT_ZIP_BYTES = 64 << 20
QUIZ_SUFFIXES = (".json", ".yaml", ".yml")

#: Canvas (canvas-lms ``ContentZipper``): ``lastfirst[_LATE]_<user id>_<attachment id>_<file name>``.
CANVAS = re.compile(r"^(?P<name>[^_\s]+?)(?P<late>_late)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$", re.I)
#: Moodle (``mod/assign`` download): ``<full name>_<participant id>_assignsubmission_<plugin>_[<file>]``.
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z0-9]+)_(?P<file>.*)$")
#: Canvas names a resubmitted file of the same name ``tensors-1.py``, ``tensors-2.py``...
RESUBMITTED = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<suffix>\.[A-Za-z0-9]+)$")


@dataclass
class StudentFiles:
    """One student's gradable files, by topic (private copies read through the intake)."""

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


def _one_line(exc: BaseException | str) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


class _Names:
    """Which file names of a student's folder are read: modules, quiz answers, sibling modules."""

    def __init__(self, course: Course):
        self.course = course
        self.modules = {f"{t.module_name}{s}": t.id for t in course.exercise_topics for s in (".py", ".ipynb")}
        self.quiz_topics = {t.id for t in course.topics if t.quiz}

    def wanted(self, name: str) -> bool:
        if _hidden(name):
            return False
        return (name in self.modules or _quiz_topic(name, self.quiz_topics) is not None
                or is_sibling_module(name))

    def gradable(self, name: str) -> bool:
        return name in self.modules or _quiz_topic(name, self.quiz_topics) is not None


def _collect(student: str, sources: list[Path], names: _Names, stage: Path) -> StudentFiles:
    """Read a student's wanted files from each source folder into ``stage``; map topics to the copies."""
    files = StudentFiles(student)
    for n, source in enumerate(sources):
        with intake.StudentFolder(source, follow_root=False) as folder:
            top = folder.entries()
            # The student folder itself first, then assignment folders (nbgrader), sorted.
            where = [PurePosixPath(".")] + [PurePosixPath(name) for name, mode in top
                                             if stat.S_ISDIR(mode) and not _hidden(name)]
            for rel_dir in where:
                listing = top if rel_dir == PurePosixPath(".") else folder.entries(rel_dir)
                for name, mode in listing:
                    if stat.S_ISDIR(mode) or not names.wanted(name):
                        continue
                    rel = rel_dir / name
                    # Refused raises: the whole student is an error, with the reason.
                    data, st = folder.read_stat(rel)
                    # The modification time goes along: it decides between a module and a notebook.
                    copy = intake.write_private(stage / str(n), rel, data, st.st_mtime_ns)
                    topic = names.modules.get(name)
                    if topic:
                        current = files.modules.get(topic)
                        if current is None:
                            files.modules[topic] = copy
                        elif current.suffix != copy.suffix:
                            # A module and a notebook: the one the student changed (the other is the untouched stub).
                            py, nb = (current, copy) if current.suffix == ".py" else (copy, current)
                            files.modules[topic], why = choose_between(py, nb, names.course.topic(topic))
                            if why:
                                files.choices[topic] = why
                        continue
                    qtopic = _quiz_topic(name, names.quiz_topics)
                    if qtopic and qtopic not in files.quizzes:
                        files.quizzes[qtopic] = copy
    return files


def _extract(zf: zipfile.ZipFile, into: Path, label: str) -> dict[PurePosixPath, str]:
    """Extract ``zf`` into ``into``; the members that could not be extracted, with why.

    A damaged member (bad CRC, unsupported compression, truncated data) is
    skipped and reported, never fatal: it belongs to one student. Members are
    written as plain files (zip links are never made links).
    """
    damaged: dict[PurePosixPath, str] = {}
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_FILES or sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
        raise UserError("{path}: archive too large to grade", path=label)
    for info in infos:
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or name.parts[:1] == ("__MACOSX",) or not name.parts:
            continue  # never write outside the extraction folder
        target = into.joinpath(*name.parts)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            damaged[name] = f"{name.as_posix()} is a link, not a regular file"
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "xb") as dst:
                shutil.copyfileobj(src, dst)
        except Exception as exc:  # zipfile raises several types for one damaged member
            target.unlink(missing_ok=True)  # a half-written file must not be graded
            damaged[name] = f"damaged zip member {name.as_posix()}: {_one_line(exc)}"
    return damaged


def _open_zip(data: BinaryIO | Path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(data)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UserError("{path}: not a valid zip archive ({detail})", path=label, detail=_one_line(exc)) from None


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _is_dir(path: Path) -> bool:
    st = _lstat(path)
    return st is not None and stat.S_ISDIR(st.st_mode)


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not _hidden(p.name))


def _looks_like_class(folder: Path, names: _Names) -> bool:
    """A folder that holds students (folders, zips, LMS files) and no gradable file of its own."""
    entries = _visible(folder)
    if any(names.gradable(p.name) for p in entries):
        return False
    return any(_is_dir(p) or p.suffix.lower() == ".zip" or CANVAS.match(p.name) or MOODLE.match(p.name)
               for p in entries)


def _unwrap(folder: Path, names: _Names) -> Path:
    """Look through wrapping folders (as zips have) down to the folder that holds the students."""
    for _ in range(4):
        if _is_dir(folder / "submitted"):
            return folder / "submitted"
        entries = _visible(folder)
        if len(entries) == 1 and _is_dir(entries[0]) and _looks_like_class(entries[0], names):
            folder = entries[0]
            continue
        return folder
    return folder


def _student_unwrap(folder: Path, names: _Names) -> Path:
    """A student's zip often wraps their files in one folder: look through it."""
    for _ in range(4):
        entries = _visible(folder)
        if len(entries) == 1 and _is_dir(entries[0]) and not any(names.gradable(p.name) for p in entries):
            folder = entries[0]
            continue
        return folder
    return folder


def _github_classroom(dirs: dict[str, Path]) -> dict[str, str]:
    """``{folder: student}`` for GitHub Classroom clones ``<assignment>-<user>``, else names unchanged."""
    names = sorted(dirs)
    if len(names) < 2 or not all(_lstat(dirs[n] / ".git") for n in names):
        return {n: n for n in names}
    prefix = os.path.commonprefix(names)
    prefix = prefix[: prefix.rfind("-") + 1]
    users = {n: n[len(prefix):] for n in names}
    if not prefix or not all(users.values()) or len(set(users.values())) != len(users):
        return {n: n for n in names}
    return users


class ClassLayout:
    """The students of a submissions folder or zip, read through the intake; a context manager.

    ``one_student``: ``submissions`` is that one student's folder (the
    Gradescope autograder), not a class.
    """

    def __init__(self, submissions: str | Path, course: Course, *, one_student: str | None = None):
        self.source = Path(submissions)
        self.course = course
        self.names = _Names(course)
        #: ``(entry, reason)`` for each entry of the class folder that is not a student.
        self.skipped: list[tuple[str, str]] = []
        self._students: list[StudentFiles] | None = None
        if not self.source.exists():
            raise UserError("'{path}' does not exist", path=str(self.source))
        self._tmp = tempfile.TemporaryDirectory(prefix="torchdojo-class-")
        tmp = Path(self._tmp.name)
        os.chmod(tmp, 0o700)
        self.stage = tmp / "stage"
        self._damaged: dict[Path, str] = {}
        self.one_student = one_student
        try:
            if self.source.is_file():
                if self.source.suffix.lower() != ".zip":
                    raise UserError("'{path}' is neither a folder nor a .zip", path=str(self.source))
                root = tmp / "class"
                root.mkdir()
                with _open_zip(self.source, str(self.source)) as zf:
                    damaged = _extract(zf, root, str(self.source))
                for name in damaged:
                    # The student's folder must exist even when their only file was damaged.
                    root.joinpath(*name.parts).parent.mkdir(parents=True, exist_ok=True)
                self._damaged = {root.joinpath(*name.parts): why for name, why in damaged.items()}
            else:
                root = self.source
            self.root = root if one_student else _unwrap(root, self.names)
        except BaseException:
            self.close()
            raise

    def _damage_in(self, folder: Path) -> str | None:
        reasons = [why for path, why in sorted(self._damaged.items()) if folder in path.parents]
        if not reasons:
            return None
        more = f" (+{len(reasons) - 1})" if len(reasons) > 1 else ""
        return reasons[0] + more

    def _read(self, student: str, sources: list[Path], index: int) -> StudentFiles:
        try:
            files = _collect(student, sources, self.names, self.stage / str(index))
        except intake.Refused as exc:
            files = StudentFiles(student, error=_one_line(exc))
        except OSError as exc:
            files = StudentFiles(student, error=f"cannot read the folder: {_one_line(exc)}")
        for source in sources:
            files.error = self._damage_in(source) or files.error
        return files

    def _student_zip(self, entry: Path, index: int) -> Path:
        """Extract a student's own zip (read through the intake) into a private folder."""
        data = intake.read_file(entry, MAX_STUDENT_ZIP_BYTES)
        into = Path(self._tmp.name) / "zips" / str(index)
        into.mkdir(parents=True)
        with _open_zip(io.BytesIO(data), entry.name) as zf:
            damaged = _extract(zf, into, entry.name)
        self._damaged.update({into.joinpath(*n.parts): why for n, why in damaged.items()})
        return _student_unwrap(into, self.names)

    def _flat(self, groups: dict[str, list[tuple[str, Path]]], index: int, student: str) -> Path:
        """Canvas/Moodle flat files of one student, read through the intake into a private folder."""
        into = Path(self._tmp.name) / "flat" / str(index)
        into.mkdir(parents=True)
        chosen: dict[str, tuple[int, Path]] = {}
        for name, entry in groups[student]:
            m = RESUBMITTED.match(name)
            base, n = (m["stem"] + m["suffix"], int(m["n"])) if m and self.names.gradable(
                m["stem"] + m["suffix"]) else (name, 0)
            # The highest resubmission number is the latest upload.
            if base not in chosen or n > chosen[base][0]:
                chosen[base] = (n, entry)
        for base, (_, entry) in chosen.items():
            if self.names.wanted(base):
                intake.write_private(into, PurePosixPath(base), intake.read_file(entry))
        return into

    def students(self) -> list[StudentFiles]:
        """Every student, in name order; a student whose files cannot be read carries ``error``."""
        if self._students is not None:
            return self._students
        if self.one_student:
            self._students = [self._read(self.one_student, [self.root], 0)]
            return self._students
        dirs: dict[str, Path] = {}
        zips: dict[str, Path] = {}
        flat: dict[str, list[tuple[str, Path]]] = {}
        moodle_dirs: dict[str, list[Path]] = {}
        canvas_ids: dict[str, set[str]] = {}
        for entry in sorted(self.root.iterdir()):
            name = entry.name
            st = _lstat(entry)
            if st is None:
                continue
            if _hidden(name):
                self.skipped.append((name, N_HIDDEN))
                continue
            if stat.S_ISDIR(st.st_mode):
                m = MOODLE.match(name)
                if m and not m["file"]:
                    moodle_dirs.setdefault(m["name"], []).append(entry)
                else:
                    dirs[name] = entry
            elif not stat.S_ISREG(st.st_mode):
                self.skipped.append((name, N_NOT_FOLDER.format(kind=intake.kind(st.st_mode))))
            elif name.lower().endswith(".zip"):
                zips[name[:-4]] = entry
            elif (m := MOODLE.match(name)) and m["file"]:
                flat.setdefault(m["name"], []).append((m["file"], entry))
            elif m := CANVAS.match(name):
                flat.setdefault(m["name"], []).append((m["file"], entry))
                canvas_ids.setdefault(m["name"], set()).add(m["uid"])
            else:
                self.skipped.append((name, N_NOT_SUBMISSION))
        for login, ids in canvas_ids.items():
            if len(ids) > 1:  # two Canvas students with the same short name: tell them apart by id
                for item in flat.pop(login):
                    uid = CANVAS.match(item[1].name)["uid"]  # type: ignore[index]
                    flat.setdefault(f"{login}_{uid}", []).append(item)
        plan: dict[str, list[tuple[str, Path]]] = {}
        for folder, student in _github_classroom(dirs).items():
            plan.setdefault(student, []).append(("dir", dirs[folder]))
        for student, folders in moodle_dirs.items():
            plan.setdefault(student, []).extend(("dir", p) for p in folders)
        for student, entry in zips.items():
            plan.setdefault(student, []).append(("zip", entry))
        for student in flat:
            plan.setdefault(student, []).append(("flat", Path(student)))
        out = []
        for index, (student, parts) in enumerate(sorted(plan.items())):
            kinds = {k for k, _ in parts}
            if len(kinds) > 1:
                # One hand-in per student: a folder wins over a zip, a zip over loose files.
                keep = next(k for k in ("dir", "zip", "flat") if k in kinds)
                for k, p in parts:
                    if k != keep:
                        what = p.name if k != "flat" else ", ".join(n for n, _ in flat[student])
                        self.skipped.append((what, N_OTHER_HAND_IN.format(student=student)))
                parts = [(k, p) for k, p in parts if k == keep]
            try:
                sources = []
                for k, p in parts:
                    if k == "dir":
                        sources.append(p)
                    elif k == "zip":
                        sources.append(self._student_zip(p, index))
                    else:
                        sources.append(self._flat(flat, index, student))
            except intake.Refused as exc:
                out.append(StudentFiles(student, error=_one_line(exc)))
                continue
            except UserError as exc:
                out.append(StudentFiles(student, error=_one_line(exc)))
                continue
            out.append(self._read(student, sources, index))
        self._students = out
        return out

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None  # type: ignore[assignment]

    def __enter__(self) -> ClassLayout:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
