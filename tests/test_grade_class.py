"""Grading a whole class: layouts, broken files, resume after a kill, outputs, determinism."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import headless_dom, reference_source
from torchdojo.course import paths
from torchdojo.classroom.batch import grade_class

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

SRC = str(Path(__file__).resolve().parents[1] / "src")
REFERENCE = reference_source("tensors")
MISTAKE = REFERENCE.replace("return x.unsqueeze(0)", "return x.unsqueeze(-1)")


def notebook(source: str) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Tensores"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "%matplotlib inline\n!pip install nothing\n" + source}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


TAMPER = (
    "import torch, torch.testing\n"
    "torch.allclose = lambda *a, **k: True\n"
    "torch.equal = lambda *a, **k: True\n"
    "torch.testing.assert_close = lambda *a, **k: None\n"
    + MISTAKE
)


def make_class(root: Path) -> Path:
    """Eight students: correct .py, correct notebook, mistake, stub, corrupt notebook, binary,
    and two hostile ones (a .py that patches the comparisons, a notebook that kills its process)."""
    files = {
        "gil": ("tensors.py", TAMPER),
        "hugo": ("tensors.ipynb", notebook("import os\nos._exit(0)\n" + REFERENCE)),
        "ana": ("tensors.py", REFERENCE),
        "bruno": ("tensors.ipynb", notebook(REFERENCE)),
        "carla": ("tensors.py", MISTAKE),
        "diego": ("tensors.py", (paths.exercises_dir() / "tensors.py").read_text(encoding="utf-8")),
        "elena": ("tensors.ipynb", "{not json"),
        "fran": ("tensors.py", b"\x00\xffELF binary"),
    }
    for student, (name, content) in files.items():
        folder = root / student
        folder.mkdir(parents=True)
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    (root / "ana" / "quiz_paradigms.json").write_text(
        json.dumps({"answers": {"game_agent": "c"}}), encoding="utf-8")
    (root / "carla" / "quiz_paradigms.json").write_text("{broken", encoding="utf-8")
    return root


def totals(out: Path) -> dict[str, float]:
    doc = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "torchdojo.grades/2"
    return {s["student"]: s["score"] for s in doc["students"]}


@pytest.fixture(scope="module")
def graded(class_executor, tmp_path_factory):
    root = make_class(tmp_path_factory.mktemp("class"))
    out = tmp_path_factory.mktemp("out")
    result = grade_class(root, out=out, executor=class_executor, topics=["tensors", "quiz:paradigms"], lang="en")
    return root, out, result


def test_every_student_is_graded_with_the_right_points(graded):
    _, out, result = graded
    assert result.students == ["ana", "bruno", "carla", "diego", "elena", "fran", "gil", "hugo"]
    assert result.topics == ["quiz:paradigms", "tensors"]  # course order
    doc = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    by = {s["student"]: {t["topic"] + (":quiz" if t["kind"] == "quiz" else ""): t for t in s["topics"]}
          for s in doc["students"]}
    assert by["ana"]["tensors"]["score"] == 11
    assert by["bruno"]["tensors"]["score"] == 11  # notebook, magics dropped
    carla = {e["id"]: e for e in by["carla"]["tensors"]["exercises"]}
    assert carla["tensors/add_batch_dim"]["status"] == "failed"
    assert sum(e["score"] for e in carla.values() if e["id"] != "tensors/add_batch_dim") == 10
    assert {e["status"] for e in by["diego"]["tensors"]["exercises"]} == {"not_attempted"}
    for broken in ("elena", "fran"):
        statuses = {e["status"] for e in by[broken]["tensors"]["exercises"]}
        assert statuses == {"error"}, broken
    assert "not a valid notebook" in by["elena"]["tensors"]["exercises"][0]["feedback"]
    assert "binary" in by["fran"]["tensors"]["exercises"][0]["feedback"]
    # Patching the comparisons in the student's own process changes no verdict.
    gil = {e["id"]: e for e in by["gil"]["tensors"]["exercises"]}
    assert gil["tensors/add_batch_dim"]["status"] != "passed" and by["gil"]["tensors"]["score"] < 11
    assert by["hugo"]["tensors"]["score"] == 0
    assert {e["status"] for e in by["hugo"]["tensors"]["exercises"]} == {"crashed"}
    assert by["ana"]["paradigms:quiz"]["score"] > 0
    assert {e["status"] for e in by["carla"]["paradigms:quiz"]["exercises"]} == {"error"}


def test_csv_one_row_per_student_with_totals(graded):
    _, out, _ = graded
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["student"] for r in rows] == ["ana", "bruno", "carla", "diego", "elena", "fran", "gil", "hugo"]
    ana = rows[0]
    assert ana["tensors/seeded_rand"] == "1" and "quiz:paradigms" in ana
    assert float(ana["total"]) == 11 + float(ana["quiz:paradigms"])
    assert float(rows[3]["total"]) == 0


def test_feedback_and_gradescope_results(graded):
    _, out, _ = graded
    md = (out / "feedback" / "carla.md").read_text(encoding="utf-8")
    assert "tensors/add_batch_dim" in md and "expected shape" in md
    page = (out / "feedback" / "carla.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "add_batch_dim" in page
    jsonschema = pytest.importorskip("jsonschema",
                                     reason="jsonschema comes with the test extra: pip install -e .[test]")
    schema = {
        "type": "object", "required": ["tests"],
        "properties": {
            "score": {"type": "number"}, "max_score": {"type": "number"},
            "tests": {"type": "array", "items": {
                "type": "object", "required": ["name", "score", "max_score", "status", "output", "visibility"],
                "properties": {"name": {"type": "string"}, "score": {"type": "number"},
                               "max_score": {"type": "number"}, "status": {"enum": ["passed", "failed"]},
                               "output": {"type": "string"},
                               "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]}}}},
        },
    }
    for student in ("ana", "carla", "fran"):
        doc = json.loads((out / "gradescope" / student / "results.json").read_text(encoding="utf-8"))
        jsonschema.validate(doc, schema)
        assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]))
        assert doc["execution_time"] >= 0


def test_rerun_grades_nothing_unchanged_and_regrades_a_change(class_executor, graded, tmp_path):
    root, out, _ = graded
    again = grade_class(root, out=out, executor=class_executor, topics=["tensors", "quiz:paradigms"], lang="en")
    assert again.graded == 0 and again.skipped == 16
    copy = tmp_path / "class"
    shutil.copytree(root, copy)
    shutil.copytree(out, tmp_path / "out")
    (copy / "carla" / "tensors.py").write_text(REFERENCE, encoding="utf-8")
    changed = grade_class(copy, out=tmp_path / "out", executor=class_executor, topics=["tensors", "quiz:paradigms"],
                          lang="en")
    assert changed.graded == 1
    assert totals(tmp_path / "out")["carla"] == 11


def test_grading_twice_gives_identical_grades(class_executor, graded, tmp_path):
    root, out, _ = graded
    grade_class(root, out=tmp_path / "second", executor=class_executor, topics=["tensors", "quiz:paradigms"], lang="en")
    for name in ("grades.json", "grades.csv", "grades_long.csv", "canvas.csv", "moodle.csv"):
        assert (out / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name


def test_zip_and_nbgrader_layouts(class_executor, graded, tmp_path):
    root, out, _ = graded
    # nbgrader: submitted/<student>/<assignment>/<file>
    nb = tmp_path / "course" / "submitted"
    for student in ("ana", "carla"):
        (nb / student / "ps1").mkdir(parents=True)
        shutil.copy(root / student / "tensors.py", nb / student / "ps1" / "tensors.py")
    result = grade_class(tmp_path / "course", out=tmp_path / "o1", executor=class_executor, topics=["tensors"],
                         lang="en")
    assert result.students == ["ana", "carla"]
    assert totals(tmp_path / "o1") == {"ana": 11, "carla": 10 + 0.2}
    # a zip with a wrapping folder, and an entry that tries to escape
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for student in ("ana", "carla"):
            zf.write(root / student / "tensors.py", f"export/{student}/tensors.py")
        zf.writestr("../escape.py", "print('x')")
    result = grade_class(archive, out=tmp_path / "o2", executor=class_executor, topics=["tensors"], lang="en")
    assert totals(tmp_path / "o2") == {"ana": 11, "carla": 10 + 0.2}
    assert not (tmp_path / "escape.py").exists()


def test_report_html_is_offline(graded):
    _, out, _ = graded
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert "<script src" not in page and "<link" not in page  # nothing loaded from anywhere
    assert page.count("<svg") >= 3
    assert "tensors/add_batch_dim" in page


def test_report_renders_in_a_real_browser(graded, tmp_path):
    _, out, _ = graded
    shot = tmp_path / "report.png"
    html, log = headless_dom(out / "report.html", tmp_path / "profile", screenshot=shot)
    assert html.count("<svg") >= 3 and "<rect" in html
    assert 'id="n-students">8<' in html
    assert 'id="item-analysis"' in html and 'id="copies"' in html
    assert "CONSOLE" not in log, [line for line in log.splitlines() if "CONSOLE" in line]
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_killed_run_resumes_without_loss_or_double_counting(tmp_path):
    root = tmp_path / "class"
    for i in range(8):
        (root / f"s{i}").mkdir(parents=True)
        (root / f"s{i}" / "tensors.py").write_text(REFERENCE if i % 2 == 0 else MISTAKE, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "torchdojo", "--lang", "en", "grade", str(root), "--topic", "tensors",
           "--out", str(out), "-j", "1", "-q"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    db = out / "gradebook.sqlite"
    deadline = time.monotonic() + 120
    rows = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db) as con:
                    rows = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.Error:
                rows = 0
            if rows >= 2:
                break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as con:
        before = dict(con.execute("SELECT student, graded_at FROM results").fetchall())
    assert 2 <= len(before) < 8, "the kill should land in the middle of the run"
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    with sqlite3.connect(db) as con:
        after = dict(con.execute("SELECT student, graded_at FROM results").fetchall())
    assert sorted(after) == [f"s{i}" for i in range(8)]
    assert all(after[s] == before[s] for s in before)  # nothing graded twice
    scores = totals(out)
    assert all(scores[f"s{i}"] == (11 if i % 2 == 0 else 10.2) for i in range(8))


def test_bad_input_is_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    (tmp_path / "notzip.zip").write_bytes(b"nope")
    for args in (["grade", str(tmp_path / "missing")], ["grade", str(tmp_path / "notzip.zip")],
                 ["grade", str(tmp_path), "--topic", "nosuch"], ["grade", str(tmp_path), "-j", "x"]):
        proc = subprocess.run([sys.executable, "-m", "torchdojo", *args], env=env, capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_progress_bar_on_a_terminal_and_lines_otherwise(tmp_path):
    pexpect = pytest.importorskip("pexpect", reason="pexpect comes with the test extra: pip install -e .[test]")
    root = tmp_path / "class"
    for name in ("ana", "bea"):
        (root / name).mkdir(parents=True)
        (root / name / "tensors.py").write_text(REFERENCE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), "COLUMNS": "120"}
    child = pexpect.spawn(sys.executable, ["-m", "torchdojo", "--lang", "en", "grade", str(root), "--topic", "tensors",
                                           "--out", str(tmp_path / "tty"), "-j", "1"], env=env, timeout=120,
                          encoding="utf-8", dimensions=(40, 120))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "2/2" in child.before and "2 students" in child.before
    plain = subprocess.run([sys.executable, "-m", "torchdojo", "--lang", "en", "grade", str(root), "--topic", "tensors",
                            "--out", str(tmp_path / "plain"), "-j", "1"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert "[1/2] ana tensors: 11/11" in plain.stderr and "[2/2] bea tensors: 11/11" in plain.stderr
    quiet = subprocess.run([sys.executable, "-m", "torchdojo", "grade", str(root), "--out", str(tmp_path / "quiet"),
                            "-j", "1", "--quiet", "--topic", "tensors"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


class _LostWorkers:
    """An executor whose every task fails for reasons outside the submission."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def run(self, fn, tasks):
        for task in tasks:
            yield task, RuntimeError("worker lost")


def test_infrastructure_failures_are_graded_again_next_run(class_executor, tmp_path):
    root = tmp_path / "class"
    (root / "ana").mkdir(parents=True)
    (root / "ana" / "tensors.py").write_text(REFERENCE, encoding="utf-8")
    first = grade_class(root, out=tmp_path / "out", topics=["tensors"], executor=_LostWorkers(), lang="en")
    assert first.results["ana"]["tensors"].score == 0
    assert "worker lost" in first.results["ana"]["tensors"].exercises[0].feedback
    second = grade_class(root, out=tmp_path / "out", executor=class_executor, topics=["tensors"], lang="en")
    assert second.graded == 1 and second.results["ana"]["tensors"].score == 11


def test_a_missing_module_is_reported_for_its_own_student(class_executor, tmp_path):
    root = tmp_path / "class"
    for name in ("zoe", "yago"):
        (root / name).mkdir(parents=True)
        (root / name / "notes.txt").write_text("nothing here", encoding="utf-8")
    result = grade_class(root, out=tmp_path / "out", executor=class_executor, topics=["tensors"], lang="en")
    for name in ("zoe", "yago"):
        item = result.results[name]["tensors"].exercises[0]
        assert item.status == "not_attempted" and f"in {name}" in item.feedback, item.feedback
