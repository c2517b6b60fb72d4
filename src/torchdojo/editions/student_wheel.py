"""The student edition as a wheel (``torchdojo-student``), built by ``torchdojo release``.

What it holds: the engine (the ``torchdojo`` package's code, catalogs and
pretrained weights) and a content folder with the course manifest, the stubs,
the public tests, the lessons, the quizzes as answer files to fill in, and
``edition.json`` that marks it as the student edition (see
:mod:`torchdojo.course.edition`). What it never holds: solutions, hidden graders,
quiz banks (their answer keys). ``tests/test_release.py`` scans it with the
same leak checks as the release folder.

The wheel is written here, with :mod:`zipfile`, from the installed full
edition (a checkout or the ``torchdojo`` wheel), so ``torchdojo release`` needs
no build tool and no network; it is deterministic (fixed timestamps, sorted
entries), so the same course gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

from torchdojo import __version__
from torchdojo.course import paths
from torchdojo.course.edition import FILE as EDITION_FILE
from torchdojo.course.edition import SCHEMA as EDITION_SCHEMA
from torchdojo.course.manifest import Course

DIST_NAME = "torchdojo-student"
#: Files of the package that the engine needs (code, catalogs, pretrained weights).
ENGINE_SUFFIXES = (".py", ".pt", ".mo", ".po", ".typed")
SUMMARY = ("torchdojo, student edition: the PyTorch-fundamentals course without solutions, "
           "hidden graders or answer keys.")
_DATE = (1980, 1, 1, 0, 0, 0)


def wheel_name(version: str = __version__) -> str:
    """``torchdojo_student-<version>-py3-none-any.whl``."""
    return f"{DIST_NAME.replace('-', '_')}-{version}-py3-none-any.whl"


def _project_metadata() -> tuple[list[str], str]:
    """``(dependencies, requires_python)`` of the full edition: from pyproject.toml in a checkout, else installed."""
    pyproject = paths.content_root() / "pyproject.toml"
    if pyproject.is_file():
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        return list(project["dependencies"]), str(project.get("requires-python", ""))
    from importlib import metadata

    meta = metadata.metadata("torchdojo")
    deps = [r for r in (metadata.requires("torchdojo") or []) if "extra ==" not in r]
    return deps, str(meta.get("Requires-Python", ""))


def engine_files() -> dict[str, bytes]:
    """The package's own files (``torchdojo/...``), without any course content."""
    package = Path(__file__).resolve().parents[1]
    out: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if (not path.is_file() or rel.parts[0] == "content" or "__pycache__" in rel.parts
                or path.suffix not in ENGINE_SUFFIXES):
            continue
        out[f"torchdojo/{rel.as_posix()}"] = path.read_bytes()
    return out


def student_content(the_course: Course) -> dict[str, bytes]:
    """The student edition's content folder, ``{path inside content/: bytes}``."""
    from torchdojo.learner.public_tests import public_test, test_file_name
    from torchdojo.course.quiz import answer_template, load_bank

    out: dict[str, bytes] = {"course.toml": paths.manifest_path().read_bytes()}
    for topic in the_course.exercise_topics:
        stub = paths.exercises_dir() / topic.module
        if stub.is_file() and (paths.solutions_dir() / topic.module).is_file():
            out[f"exercises/{topic.module}"] = stub.read_bytes()
            notebook = paths.exercises_dir() / "notebooks" / f"{topic.module_name}.ipynb"
            if notebook.is_file():  # for 'torchdojo start --format ipynb'
                out[f"exercises/notebooks/{notebook.name}"] = notebook.read_bytes()
            out[f"public_tests/{test_file_name(topic)}"] = public_test(topic).encode("utf-8")
    for topic in the_course.topics:
        if topic.quiz and (paths.quizzes_dir() / f"{topic.id}.yaml").is_file():
            bank = load_bank(topic.id)
            for lang in ("es", "en"):
                text = answer_template(bank, lang, "yaml", topic.title.get(lang))
                out[f"quizzes/{topic.id}.{lang}.yaml"] = text.encode("utf-8")
    lessons = paths.content_root() / "lessons"
    if lessons.is_dir():
        for path in sorted(lessons.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                out[f"lessons/{path.relative_to(lessons).as_posix()}"] = path.read_bytes()
    out[EDITION_FILE] = (json.dumps({"schema": EDITION_SCHEMA, "edition": "student", "version": __version__},
                                    indent=2) + "\n").encode("utf-8")
    return out


def _metadata(deps: list[str], requires_python: str) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {DIST_NAME}", f"Version: {__version__}", f"Summary: {SUMMARY}",
             "License: MIT"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Requires-Dist: {d}" for d in deps]
    return "\n".join(lines) + "\n"


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def wheel_files(the_course: Course) -> dict[str, bytes]:
    """Every file of the student wheel by its path in the archive (RECORD last)."""
    files = engine_files()
    files.update({f"torchdojo/content/{k}": v for k, v in student_content(the_course).items()})
    deps, requires_python = _project_metadata()
    info = f"{DIST_NAME.replace('-', '_')}-{__version__}.dist-info"
    files[f"{info}/METADATA"] = _metadata(deps, requires_python).encode("utf-8")
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: torchdojo " + __version__.encode()
                              + b"\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    files[f"{info}/entry_points.txt"] = b"[console_scripts]\ntorchdojo = torchdojo.cli.main:main\n"
    files[f"{info}/top_level.txt"] = b"torchdojo\n"
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in sorted(files.items()))
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode("utf-8")
    return files


def build_student_wheel(outdir: str | Path, the_course: Course) -> Path:
    """Write the student wheel into ``outdir``; returns its path."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / wheel_name()
    files = wheel_files(the_course)
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files, key=lambda n: (n.endswith("/RECORD"), n)):
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name])
    tmp.replace(target)
    return target
