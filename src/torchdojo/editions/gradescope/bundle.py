"""Build a Gradescope autograder zip for some topics of the course.

Layout of the zip (Gradescope unpacks it into ``/autograder/source`` and runs
``setup.sh`` there once, then ``run_autograder`` for every submission)::

    setup.sh                    installs Python, the CPU build of torch, requirements.txt
    run_autograder              grades /autograder/submission -> /autograder/results/results.json
    requirements.txt            torchdojo's other dependencies
    torchdojo_autograder.json   the topics to grade, the language, the torchdojo version
    vendor/torchdojo/           the engine, with content/ (course.toml, graders, quizzes, lessons, stubs)

torchdojo travels as source under ``vendor/`` rather than as a wheel: it works
from a checkout and from an installed package alike, needs no build backend,
and the autograder uses exactly the graders the instructor has. Reference
solutions are left out: grading never needs them. The zip is reproducible
(sorted entries, fixed timestamps), so rebuilding an unchanged course gives the
same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from torchdojo import __version__
from torchdojo.text import atomic
from torchdojo.course import paths
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import LANGS
from torchdojo.course.manifest import Course
from torchdojo.course.manifest import course as load_course

CONFIG = "torchdojo_autograder.json"
CONFIG_SCHEMA = "torchdojo.autograder/1"
#: torchdojo's dependencies but torch (installed first, from the CPU index);
#: tests check that they match pyproject.toml.
REQUIREMENTS = (
    "numpy>=1.24",
    "pytest>=8.0",
    "hypothesis>=6.80",
    "rich>=13.0",
    "pyyaml>=6.0.1",
    "jinja2>=3.0",
    "tomli>=2.0; python_version < '3.11'",
)
#: Course content that grading reads (never ``solutions/``).
CONTENT = ("course.toml", "graders", "quizzes", "lessons", "exercises")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints"}

SETUP_SH = """#!/usr/bin/env bash
# torchdojo autograder: runs once, in /autograder/source, when Gradescope builds the image.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v pip3 >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3 python3-pip
fi
# Newer Ubuntu images mark the system Python as externally managed; this image is ours.
export PIP_BREAK_SYSTEM_PACKAGES=1
# The CPU build of torch: the CUDA build is several GB and Gradescope has no GPU.
pip3 install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu "torch>=2.3"
pip3 install --no-cache-dir -r requirements.txt
# Fail here, when the instructor uploads, rather than on the first student.
PYTHONPATH=vendor TORCHDOJO_CONTENT=vendor/torchdojo/content python3 -c \\
    "import torch, torchdojo.course.manifest as m; m.course(); print('torchdojo autograder ready')"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# torchdojo autograder: grades $ROOT/submission into $ROOT/results/results.json.
# AUTOGRADER_ROOT (default /autograder) moves the whole layout, to try the bundle
# elsewhere; TORCHDOJO_PYTHON picks the interpreter (default python3).
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
# The bundled copy of torchdojo and its content come first: grades must not
# depend on whatever else is installed in the image.
export PYTHONPATH="$SOURCE/vendor${PYTHONPATH:+:$PYTHONPATH}"
export TORCHDOJO_CONTENT="$SOURCE/vendor/torchdojo/content"
export PYTHONDONTWRITEBYTECODE=1
cd "$ROOT"
exec "${TORCHDOJO_PYTHON:-python3}" -m torchdojo.editions.gradescope.autograder --root "$ROOT" \\
    --config "$SOURCE/torchdojo_autograder.json"
"""


def _package_dir() -> Path:
    return Path(__file__).resolve().parents[2]


def _tree(folder: Path, skip_top: tuple[str, ...] = ()) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if (path.is_file() and rel.parts[0] not in skip_top and not _SKIP_DIRS.intersection(rel.parts[:-1])
                and path.suffix not in (".pyc", ".pyo")):
            yield path


def bundle_files(topics: list[str], lang: str) -> dict[str, bytes]:
    """Every file of the zip, by its path in the zip."""
    files: dict[str, bytes] = {
        "setup.sh": SETUP_SH.encode(),
        "run_autograder": RUN_AUTOGRADER.encode(),
        "requirements.txt": ("\n".join(REQUIREMENTS) + "\n").encode(),
        CONFIG: (json.dumps({"schema": CONFIG_SCHEMA, "topics": topics, "lang": lang, "torchdojo": __version__},
                            indent=2) + "\n").encode(),
    }
    package = _package_dir()
    # An installed wheel has its content in torchdojo/content/: it is added below, without solutions.
    for path in _tree(package, skip_top=("content",)):
        files[str(PurePosixPath("vendor/torchdojo", *path.relative_to(package).parts))] = path.read_bytes()
    root = paths.content_root()
    for name in CONTENT:
        source = root / name
        if source.is_file():
            files[f"vendor/torchdojo/content/{name}"] = source.read_bytes()
        elif source.is_dir():
            for path in _tree(source):
                rel = PurePosixPath(name, *path.relative_to(source).parts)
                files[f"vendor/torchdojo/content/{rel}"] = path.read_bytes()
    return files


def build_bundle(topics: Iterable[str], out: str | Path = "autograder.zip", *, lang: str = "es",
                 course: Course | None = None) -> Path:
    """Write the autograder zip for ``topics`` to ``out``; returns its path."""
    course = course or load_course()
    wanted = list(dict.fromkeys(topics))
    if not wanted:
        raise UserError("name at least one topic")
    known = {t.id for t in course.topics}
    for topic in wanted:
        if topic not in known:
            raise UserError("unknown topic '{topic}' (topics: {known})", topic=topic, known=", ".join(sorted(known)))
    if lang not in LANGS:
        raise UserError("unknown language '{lang}' (choose from {choices})", lang=lang, choices=", ".join(LANGS))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(bundle_files(wanted, lang).items()):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = ((0o100755 if executable else 0o100644) << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    path = Path(out)
    atomic.write_bytes(path, buf.getvalue())
    return path
