"""The student release, student wheel included, holds what students need and none of what they must not see."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from torchdojo.course import paths
from torchdojo.learner.check import check_workspace
from torchdojo.cli.main import main
from torchdojo.text.errors import UserError
from torchdojo.course.quiz import load_all_banks
from torchdojo.course.quiz.model import Matching
from torchdojo.editions.release import write_release
from torchdojo.course.stubs import solution_regions
from torchdojo.editions.student_wheel import engine_files, wheel_name

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

SRC = str(Path(__file__).resolve().parents[1] / "src")
WHEEL = f"wheel/{wheel_name()}"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _wheel_texts(wheel: Path) -> dict[str, str]:
    """The wheel's members that are text, by their name in the archive."""
    out = {}
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            try:
                out[name] = zf.read(name).decode("utf-8")
            except UnicodeDecodeError:
                continue  # the pretrained weights, the compiled catalog
    return out


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "out"
    write_release(out, "both")
    files = {p: p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file() and p.suffix != ".whl"}
    return out, files


@pytest.fixture(scope="module", params=["release folder", "student wheel"])
def shipped(request, release):
    """What students get, scanned the same way: ``(files by name, quiz answer files by "<topic>.<lang>")``."""
    out, files = release
    if request.param == "release folder":
        texts = {str(p.relative_to(out)): t for p, t in files.items()}
        prefix = "quizzes/"
    else:
        texts = _wheel_texts(out / WHEEL)
        prefix = "torchdojo/content/quizzes/"
    quizzes = {name[len(prefix):-len(".yaml")]: t for name, t in texts.items()
               if name.startswith(prefix) and name.endswith(".yaml")}
    return texts, quizzes


def _course_files(files: dict[str, str]) -> dict[str, str]:
    """All but the engine's own modules (the wheel's ``torchdojo/`` outside ``torchdojo/content/``)."""
    return {n: t for n, t in files.items()
            if not (n.startswith("torchdojo/") and not n.startswith("torchdojo/content/"))}


def _solution_regions() -> list[tuple[str, str]]:
    out = []
    for sol in sorted(paths.solutions_dir().glob("*.py")):
        lines = sol.read_text(encoding="utf-8").splitlines()
        for begin, end, _ in solution_regions("\n".join(lines)):
            out.append((f"{sol.name}:{begin + 1}", "\n".join(lines[begin + 1:end])))
    return out


def test_release_layout(release):
    out, files = release
    names = {p.relative_to(out).as_posix() for p in files}
    assert {"README.md", "py/tensors.py", "notebooks/tensors.ipynb", "public_tests/test_tensors_public.py",
            "quizzes/tensors.es.yaml", "quizzes/why_ml.en.yaml",
            "py/.torchdojo/workspace.json", "notebooks/.torchdojo/workspace.json"} <= names
    assert (out / WHEEL).is_file()
    readme = files[out / "README.md"]
    assert "**ES**" in readme and "**EN**" in readme and "torchdojo check" in readme
    # Students install the wheel in the folder, never a name no index can resolve.
    assert f"pip install {WHEEL}" in readme and "pip install torchdojo" not in readme
    # The CPU build of torch first, in both languages: otherwise pip brings the CUDA build (GBs).
    cpu = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
    es, en = readme.split("**EN**")
    for half in (es, en):
        assert cpu in half and half.index(cpu) < half.index(f"pip install {WHEEL}")
    notebook = json.loads(files[out / "notebooks" / "tensors.ipynb"])
    install = next(c for c in notebook["cells"] if c["id"] == "install")
    assert f"%pip install -q {wheel_name()}" in "".join(install["source"])


def test_the_wheel_holds_the_engine_and_the_student_content_only(release):
    out, _ = release
    names = set(zipfile.ZipFile(out / WHEEL).namelist())
    content = {n[len("torchdojo/content/"):] for n in names if n.startswith("torchdojo/content/")}
    assert {"course.toml", "edition.json", "exercises/tensors.py", "exercises/notebooks/tensors.ipynb",
            "public_tests/test_tensors_public.py", "quizzes/why_ml.es.yaml", "lessons/sections.toml"} <= content
    # A student installs nothing of the instructor's tools.
    meta = zipfile.ZipFile(out / WHEEL).read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    requires = [line for line in meta.decode().splitlines() if line.startswith("Requires-Dist:")]
    assert requires and not any(tool in line.lower() for line in requires
                                for tool in ("nbgrader", "dask", "copydetect", "ipykernel", "jupyter"))
    assert not any(n.startswith(("solutions/", "graders/")) for n in content)
    assert not any(re.fullmatch(r"quizzes/[a-z_]+\.yaml", n) for n in content), "a question bank (answer key)"
    assert {"torchdojo/cli/main.py", "torchdojo/text/locale/es/LC_MESSAGES/torchdojo.mo",
            "torchdojo/models/backbone.pt"} <= names
    assert not any("__pycache__" in n for n in names)
    # The same course gives the same bytes.
    again = out.parent / "again"
    write_release(again, "py")
    assert (again / WHEEL).read_bytes() == (out / WHEEL).read_bytes()


def test_release_has_every_lesson_in_both_languages_with_its_figures(release):
    out, files = release
    readme = files[out / "README.md"]
    assert "lessons/<tema>.es.md" in readme and "lessons/<topic>.en.md" in readme and "torchdojo learn" in readme
    for topic in ("why_ml", "paradigms", "tensors", "fc_nets", "cnns", "transfer_learning"):
        es, en = files[out / "lessons" / f"{topic}.es.md"], files[out / "lessons" / f"{topic}.en.md"]
        assert "Para ir más allá" not in en and "Going further" not in es
        for lang, text in (("es", es), ("en", en)):
            assert "<!--" not in text and "```output" not in text
            for target in re.findall(r"!\[[^\]]+\]\(([^)]+)\)", text):
                assert target.endswith(f".{lang}.svg") and (out / "lessons" / target).is_file(), target
    assert "Para ir más allá · Broadcasting" in files[out / "lessons" / "tensors.es.md"]


def test_no_solution_body_in_the_release(shipped):
    files, _ = shipped
    text = "\n".join(_norm(t) for t in files.values())
    # The manifest's last-level hints (what `torchdojo hint` shows a learner who asks
    # for every level) may spell out a one-line answer by design; longer answers
    # may not appear anywhere, and no answer anywhere else.
    not_hints = "\n".join(_norm(t) for n, t in files.items() if Path(n).name != "course.toml")
    lines = {ln.strip() for t in files.values() for ln in t.splitlines()}
    regions = _solution_regions()
    assert regions
    for where, body in regions:
        assert _norm(body) not in (not_hints if body.count("\n") == 0 else text), \
            f"solution region {where} is in the release"
        for line in body.splitlines():
            if len(line.strip()) >= 30:
                assert line.strip() not in lines, f"a line of solution region {where} is in the release: {line!r}"
    # The engine (stubs.py) names the marker; no shipped course file may hold it.
    assert not any("### BEGIN SOLUTION" in t for t in _course_files(files).values())
    assert not any(Path(name).parent.name == "solutions" for name in files)


def test_no_hidden_grader_in_the_release(shipped):
    files, _ = shipped
    # The engine's own modules (the wheel's torchdojo/*.py outside content/) are the
    # public grading vocabulary (docs/writing-graders.md): they name the markers
    # graders use, so only course content is held to the marker rule below.
    content = _course_files(files)
    lines = {ln.strip() for t in files.values() for ln in t.splitlines()}
    assert not any(Path(n).name.startswith("test_") and not n.endswith("_public.py") for n in files)
    # Lines a grader shares with the public stubs or the engine prove nothing, and neither do imports
    # (the lessons import the same public modules, torchdojo.datasets and torchdojo.models).
    public = {ln.strip() for stub in paths.exercises_dir().glob("*.py")
              for ln in stub.read_text(encoding="utf-8").splitlines()}
    public |= {ln.strip() for name, data in engine_files().items() if name.endswith(".py")
               for ln in data.decode("utf-8").splitlines()}
    for grader in paths.graders_dir().glob("test_*.py"):
        for line in grader.read_text(encoding="utf-8").splitlines():
            if re.match(r"(from \S+ )?import ", line.strip()):
                continue
            if len(line.strip()) >= 40 and line.strip() not in public:
                assert line.strip() not in lines, f"{grader.name}: {line!r}"
    assert not any("pytest.mark.exercise" in t or "BEGIN HIDDEN TESTS" in t for t in content.values())


def test_no_answer_key_in_the_release(shipped):
    files, quizzes = shipped
    text = "\n".join(_norm(t) for t in files.values())
    banks = load_all_banks()
    assert set(quizzes) == {f"{topic}.{lang}" for topic in banks for lang in ("es", "en")}
    for bank in banks.values():
        doc = yaml.safe_load(quizzes[f"{bank.topic}.es"])
        assert set(doc) == {"schema", "topic", "answers"}
        for qid, value in doc["answers"].items():
            assert value is None or (isinstance(value, dict) and set(value.values()) == {None}), qid
        for q in bank.questions:
            for t in (q.explanation.es, q.explanation.en):
                assert _norm(t) not in text, f"{bank.topic}/{q.id}: the explanation is in the release"
            options = list(getattr(q, "options", ())) + (list(q.left) + list(q.right) if isinstance(q, Matching)
                                                         else [])
            for o in options:
                if o.why:
                    assert _norm(o.why.es) not in text and _norm(o.why.en) not in text, f"{bank.topic}/{q.id}/{o.id}"


def test_release_quizzes_are_answer_files(release, tmp_path):
    out, _ = release
    from torchdojo.course.quiz import load_answer_file

    doc = load_answer_file(out / "quizzes" / "tensors.en.yaml")
    assert doc["topic"] == "tensors" and doc["answers"]


def test_release_stubs_grade_as_not_attempted_and_public_tests_pass(release, judge):
    out, _ = release
    for workspace in (out / "py", out / "notebooks"):
        report = check_workspace(workspace, ["tensors"], record=False, judge=judge, lang="en")
        assert {e.status for e in report.topics[0].exercises} == {"not_attempted"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "public_tests"],
                          cwd=out, capture_output=True, text=True, timeout=300, check=False,
                          env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_formats(tmp_path):
    write_release(tmp_path / "py", "py")
    write_release(tmp_path / "nb", "ipynb")
    assert (tmp_path / "py" / "tensors.py").is_file() and not list((tmp_path / "py").glob("*.ipynb"))
    assert (tmp_path / "nb" / "tensors.ipynb").is_file() and not list((tmp_path / "nb").glob("*.py"))
    json.loads((tmp_path / "nb" / "tensors.ipynb").read_text(encoding="utf-8"))


def test_refuses_a_non_empty_folder_unless_forced(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty"):
        write_release(tmp_path, "py")
    assert main(["release", str(tmp_path), "--format", "py"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert main(["release", str(tmp_path), "--format", "py", "--force"]) == 0
    assert (tmp_path / "keep.txt").read_text() == "mine" and (tmp_path / "tensors.py").is_file()
