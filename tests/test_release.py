"""The student release holds what students need and none of what they must not see."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from torchdojo import paths
from torchdojo.check import check_workspace
from torchdojo.cli import main
from torchdojo.errors import UserError
from torchdojo.quiz import load_all_banks
from torchdojo.quiz.model import Matching
from torchdojo.release import write_release
from torchdojo.stubs import solution_regions

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "out"
    write_release(out, "both")
    files = {p: p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}
    return out, files


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
            "quizzes/tensors.es.yaml", "quizzes/why_ml.en.yaml"} <= names
    readme = files[out / "README.md"]
    assert "**ES**" in readme and "**EN**" in readme and "torchdojo check" in readme


def test_no_solution_body_in_the_release(release):
    _, files = release
    text = "\n".join(_norm(t) for t in files.values())
    lines = {ln.strip() for t in files.values() for ln in t.splitlines()}
    regions = _solution_regions()
    assert regions
    for where, body in regions:
        assert _norm(body) not in text, f"solution region {where} is in the release"
        for line in body.splitlines():
            if len(line.strip()) >= 30:
                assert line.strip() not in lines, f"a line of solution region {where} is in the release: {line!r}"
    assert "### BEGIN SOLUTION" not in text


def test_no_hidden_grader_in_the_release(release):
    _, files = release
    lines = {ln.strip() for t in files.values() for ln in t.splitlines()}
    assert not any(p.name.startswith("test_") and not p.name.endswith("_public.py") for p in files)
    # Lines a grader shares with the public stubs (imports, mostly) prove nothing.
    public = {ln.strip() for stub in paths.exercises_dir().glob("*.py") for ln in stub.read_text(encoding="utf-8").splitlines()}
    for grader in paths.graders_dir().glob("test_*.py"):
        for line in grader.read_text(encoding="utf-8").splitlines():
            if len(line.strip()) >= 40 and line.strip() not in public:
                assert line.strip() not in lines, f"{grader.name}: {line!r}"
    assert not any("pytest.mark.exercise" in t or "BEGIN HIDDEN TESTS" in t for t in files.values())


def test_no_answer_key_in_the_release(release):
    out, files = release
    text = "\n".join(_norm(t) for t in files.values())
    for bank in load_all_banks().values():
        doc = yaml.safe_load(files[out / "quizzes" / f"{bank.topic}.es.yaml"])
        assert set(doc) == {"schema", "topic", "answers"}
        for qid, value in doc["answers"].items():
            assert value is None or (isinstance(value, dict) and set(value.values()) == {None}), qid
        for q in bank.questions:
            for t in (q.explanation.es, q.explanation.en):
                assert _norm(t) not in text, f"{bank.topic}/{q.id}: the explanation is in the release"
            options = list(getattr(q, "options", ())) + (list(q.left) + list(q.right) if isinstance(q, Matching) else [])
            for o in options:
                if o.why:
                    assert _norm(o.why.es) not in text and _norm(o.why.en) not in text, f"{bank.topic}/{q.id}/{o.id}"


def test_release_quizzes_are_answer_files(release, tmp_path):
    out, _ = release
    from torchdojo.quiz import load_answer_file

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
