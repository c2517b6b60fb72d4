"""Attacks on what the caller reads, against the INSTALLED CLI, per install mode.

Written as a student who never read torchdojo's source: links to a classmate's
file, to the course's solutions (directly and through ``/proc/self/cwd``), to
``/proc/self/environ`` and ``/proc/self/cmdline``, a named pipe, a huge file, a
hard link, a name that collides with a classmate's output files, a name with
ANSI escapes; plus the instructor's layouts (a stray ``README.txt``, a
student's own zip, a Canvas file). Run as ``torchdojo grade`` and ``torchdojo
check`` subprocesses from the README's editable install (this session's
environment) and from a wheel installed in a fresh virtual environment, and
through the Gradescope autograder run locally. One class run holds every
attacker, so each install mode starts one grading run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import uuid
import venv
import zipfile
from pathlib import Path

import pytest
from classbuilder import REFERENCE, run_bundle, unpack_bundle

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[1]
SECRET = f"grading-secret-{uuid.uuid4().hex}"
MARKER = f"caller-marker-{uuid.uuid4().hex}"
WRONG = "\n".join(f"def {name}(*args, **kwargs):\n    return None\n" for name in (
    "tensor_info", "make_range_matrix", "seeded_rand", "safe_matmul", "summarize", "flatten_images",
    "to_channels_last", "add_batch_dim", "from_numpy_shared", "best_device", "move_to"))
ANSI = "\x1b[2J\x1b[31mansi"


@pytest.fixture(scope="session")
def wheel_bin(tmp_path_factory) -> Path:
    """A fresh virtual environment with torchdojo installed from a wheel built once this session.

    torch and the other dependencies come from this session's environment (a
    ``.pth`` line after the venv's own site-packages), so nothing is
    downloaded; the wheel's torchdojo is the one imported (checked).
    """
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(base / "dist")],
                   check=True, capture_output=True, timeout=600)
    wheel = next((base / "dist").glob("torchdojo-*.whl"))
    venv.create(base / "venv", with_pip=False)
    python = base / "venv" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=600)
    site = Path(subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    (site / "zz_session_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    where = subprocess.check_output([str(python), "-c", "import torchdojo; print(torchdojo.__file__)"], text=True,
                                    cwd=base).strip()
    assert where.startswith(str(site)), where
    return base / "venv" / "bin"


@pytest.fixture(params=["editable", "wheel"])
def cli(request) -> Path:
    """The ``torchdojo`` command of one install mode."""
    if request.param == "editable":
        exe = Path(sys.executable).parent / "torchdojo"
        where = subprocess.check_output([sys.executable, "-c", "import torchdojo; print(torchdojo.__file__)"],
                                        text=True).strip()
        assert where.startswith(str(ROOT / "src")), where  # the README's `pip install -e .`
        return exe
    return request.getfixturevalue("wheel_bin") / "torchdojo"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TORCHDOJO_CONTENT")}
    env.update(TORCHDOJO_GRADING_SECRET=SECRET, TORCHDOJO_INTAKE_MARKER=MARKER, COLUMNS="200")
    return env


def _class(root: Path, outside: Path) -> None:
    def put(student: str, name: str, text: str) -> Path:
        (root / student).mkdir(parents=True, exist_ok=True)
        (root / student / name).write_text(text, encoding="utf-8")
        return root / student / name

    def link(student: str, name: str, target: str | Path) -> None:
        (root / student).mkdir(parents=True, exist_ok=True)
        (root / student / name).symlink_to(target)

    put("honest", "tensors.py", REFERENCE)
    put("o'brien", "tensors.py", REFERENCE)
    put("o_brien", "tensors.py", WRONG)                       # would overwrite o'brien's files
    link("copycat", "tensors.py", root / "honest" / "tensors.py")
    link("solver", "tensors.py", ROOT / "solutions" / "tensors.py")
    link("procsolver", "tensors.py", "/proc/self/cwd/solutions/tensors.py")
    put("environ", "tensors.py", WRONG)
    link("environ", "notes.py", "/proc/self/environ")
    put("cmdline", "tensors.py", WRONG)
    link("cmdline", "argv.py", "/proc/self/cmdline")
    link("quizzer", "quiz_tensors.json", "/proc/self/environ")
    put("quizzer", "tensors.py", WRONG)
    (root / "piper").mkdir()
    os.mkfifo(root / "piper" / "tensors.py")
    put("hoarder", "tensors.py", "#" * (6 << 20))
    (outside / "answer.py").write_text(REFERENCE, encoding="utf-8")
    (root / "hardlinker").mkdir()
    os.link(outside / "answer.py", root / "hardlinker" / "tensors.py")
    (root / ANSI).mkdir()                                       # hands in nothing: graded at once, shown in progress
    (root / "README.txt").write_text("read me\n", encoding="utf-8")
    with zipfile.ZipFile(root / "fede.zip", "w") as zf:
        zf.writestr("fede/tensors.py", REFERENCE)
    (root / "perezana_12345_678901_tensors.py").write_text(REFERENCE, encoding="utf-8")


FULL = ("honest", "o'brien", "fede", "perezana")
REFUSED = ("copycat", "solver", "procsolver", "environ", "cmdline", "quizzer", "piper", "hoarder", "hardlinker")


def test_grade_reads_only_what_students_handed_in(cli, tmp_path):
    root, out, outside = tmp_path / "class", tmp_path / "out", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    _class(root, outside)
    proc = subprocess.run([str(cli), "grade", str(root), "--topic", "tensors", "--quiz", "-j", "2", "--out", str(out),
                           "--lang", "en"], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=580)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    students = {s["student"]: s for s in doc["students"]}
    assert set(students) == set(FULL) | set(REFUSED) | {"o_brien", ANSI}
    def tensors(name: str) -> dict:
        return next(t for t in students[name]["topics"] if t["topic"] == "tensors")

    for name in FULL:
        assert tensors(name)["score"] == tensors(name)["max_score"] == 11.0, (name, students[name])
    for name in REFUSED + ("o_brien", ANSI):
        assert students[name]["score"] == 0.0, (name, students[name])
    for name in REFUSED:
        assert "error" in students[name] and "\n" not in students[name]["error"], (name, students[name])
    assert [s["entry"] for s in doc["skipped"]] == ["README.txt"]
    assert "README.txt" in (out / "report.html").read_text(encoding="utf-8")

    # o_brien and o'brien have their own files; o'brien's still say full marks.
    results = {p.parent.name: json.loads(p.read_text(encoding="utf-8"))
               for p in (out / "gradescope").glob("*/results.json")}
    assert len(results) == len(students)
    assert sorted(r["score"] for r in results.values()).count(11.0) == len(FULL)
    assert results["o_brien"]["score"] == 0.0
    assert len(list((out / "feedback").glob("*.md"))) == len(students)

    # No control character reaches the terminal; the secret and the caller's environment reach no output.
    assert "\x1b" not in proc.stderr and "\\x1b[2J" in proc.stderr
    for path in [p for p in out.rglob("*") if p.is_file() and p.suffix != ".sqlite"]:
        data = path.read_bytes()
        for needle in (SECRET, MARKER, str(Path.home()), os.environ.get("PATH", "\0")):
            assert needle.encode() not in data, (path.name, needle[:20])
    assert SECRET not in proc.stdout + proc.stderr and MARKER not in proc.stdout + proc.stderr


def test_check_refuses_links_in_the_workspace(cli, tmp_path):
    ws = tmp_path / "ws"
    subprocess.run([str(cli), "start", str(ws)], env=_env(), check=True, capture_output=True, timeout=120)
    (ws / "tensors.py").unlink()
    (ws / "tensors.py").symlink_to("/proc/self/cwd/solutions/tensors.py")
    proc = subprocess.run([str(cli), "check", "tensors", "-w", str(ws), "--json", "--lang", "en"], cwd=ROOT,
                          env=_env(), capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    assert report["score"] == 0.0 and "link" in report["topics"][0]["exercises"][0]["feedback"]

    (ws / "tensors.py").unlink()
    (ws / "tensors.py").write_text(REFERENCE, encoding="utf-8")
    (ws / "helper.py").symlink_to("/proc/self/environ")
    proc = subprocess.run([str(cli), "check", "tensors", "-w", str(ws), "--json", "--lang", "en"], cwd=ROOT,
                          env=_env(), capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    assert report["score"] == 0.0 and "helper.py" in report["topics"][0]["exercises"][0]["feedback"]
    assert MARKER not in proc.stdout + proc.stderr
    assert not any(MARKER.encode() in p.read_bytes() for p in ws.rglob("*") if p.is_file() and not p.is_symlink())


def test_gradescope_autograder_does_not_follow_links(tmp_path):
    from torchdojo.editions.gradescope.bundle import build_bundle

    bundle = build_bundle(["tensors"], tmp_path / "autograder.zip", lang="en")
    root = unpack_bundle(bundle, tmp_path / "autograder")
    graders = list((root / "source").rglob("test_tensors.py"))
    assert graders
    (root / "submission" / "tensors.py").symlink_to(graders[0])
    (root / "submission" / "env.py").symlink_to("/proc/self/environ")
    doc = run_bundle(root)
    text = json.dumps(doc)
    assert doc["score"] == 0.0 and "link" in text
    assert "def test_" not in text and "import pytest" not in text and os.environ.get("PATH", "\0") not in text
