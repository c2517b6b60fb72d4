"""The outputs in the shapes instructors know: Canvas, Moodle, nbgrader's long CSV, Gradescope, templates."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from classbuilder import MISTAKE, REFERENCE, SRC
from torchdojo.classroom.batch import grade_class
from torchdojo.classroom.exports.gradescope import results_json
from torchdojo.wire.report import ItemResult, TopicResult
from torchdojo.wire import report

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

# Canvas, "How do I import grades in the Gradebook?": the leading columns, in this order, then one
# column per assignment; an optional second row "Points Possible".
CANVAS_LEADING = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# nbgrader's `nbgrader export` (CsvExportPlugin) columns.
NBGRADER_LONG = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                 "raw_score", "late_submission_penalty", "score", "max_score"]
# Moodle's CSV grade import maps one column to a user field (username, email, idnumber, ...).
MOODLE_USER_FIELDS = {"Username", "Email address", "ID number"}


@pytest.fixture(scope="module")
def graded(class_executor, tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    for name, source in (("ana", REFERENCE), ("bea", MISTAKE), ("=cmd", REFERENCE)):
        (root / name).mkdir()
        (root / name / "tensors.py").write_text(source, encoding="utf-8")
    (root / "ana" / "quiz_paradigms.json").write_text(json.dumps({"answers": {"game_agent": "c"}}), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    grade_class(root, out=out, executor=class_executor, topics=["tensors", "quiz:paradigms"], lang="en")
    return out


def rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def test_canvas_import_file(graded):
    table = rows(graded / "canvas.csv")
    header, points = table[0], table[1]
    assert header[:5] == CANVAS_LEADING
    assert header[5:] == ["torchdojo quiz:paradigms", "torchdojo tensors"]
    assert points[0] == "Points Possible" and points[1:5] == ["", "", "", ""]
    assert float(points[6]) == 11 and float(points[5]) > 0
    students = {r[3]: r for r in table[2:]}
    assert set(students) == {"ana", "bea", "'=cmd"}  # a formula-looking id is neutralised
    assert students["ana"][0] == "ana" and float(students["ana"][6]) == 11
    assert all(len(r) == len(header) for r in table)
    assert all(float(v) >= 0 for r in table[2:] for v in r[5:])


def test_moodle_import_file(graded):
    table = rows(graded / "moodle.csv")
    assert table[0][0] in MOODLE_USER_FIELDS and table[0][1:] == ["torchdojo quiz:paradigms", "torchdojo tensors"]
    assert {r[0] for r in table[1:]} == {"ana", "bea", "'=cmd"}
    assert all(float(v) >= 0 for r in table[1:] for v in r[1:])


def test_nbgrader_long_format(graded):
    table = rows(graded / "grades_long.csv")
    assert table[0] == NBGRADER_LONG
    body = [dict(zip(NBGRADER_LONG, r)) for r in table[1:]]
    assert len(body) == 3 * 2  # one row per student and assignment
    ana = {r["assignment"]: r for r in body if r["student_id"] == "ana"}
    assert ana["tensors"]["score"] == "11" and ana["tensors"]["max_score"] == "11"
    assert ana["quiz:paradigms"]["raw_score"] == ana["quiz:paradigms"]["score"]


def test_gradescope_hidden_checks_after_published_with_execution_time():
    tests = [report.TestOutcome("t_public_1", "passed", 1.0, duration_s=0.1),
             report.TestOutcome("t_public_2", "failed", 1.0, "wrong", duration_s=0.1),
             report.TestOutcome("t_hidden", "passed", 2.0, hidden=True, duration_s=0.3)]
    item = ItemResult("tensors/summarize", 0.75, 1.0, "failed", "wrong", tests, duration_s=0.5)
    plain = ItemResult("tensors/tensor_info", 1.0, 1.0, "passed", "", [report.TestOutcome("t", "passed")],
                       duration_s=0.2)
    doc = results_json([TopicResult.from_items("tensors", [item, plain], duration_s=0.7)])
    by = {t["name"]: t for t in doc["tests"]}
    assert by["tensors/summarize"]["visibility"] == "visible" and by["tensors/summarize"]["score"] == 0.25
    assert by["tensors/summarize"]["max_score"] == 0.5 and by["tensors/summarize"]["status"] == "failed"
    hidden = by["tensors/summarize (hidden)"]
    assert hidden["visibility"] == "after_published" and hidden["score"] == 0.5 and hidden["max_score"] == 0.5
    assert by["tensors/tensor_info"]["visibility"] == "visible"
    assert doc["execution_time"] == 0.7
    assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]))


def test_instructor_templates_replace_the_packaged_ones(class_executor, tmp_path):
    root = tmp_path / "class"
    (root / "ana").mkdir(parents=True)
    (root / "ana" / "tensors.py").write_text(REFERENCE, encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "feedback.html.j2").write_text("<p>{{ student }}: {{ score | points }}/{{ max_score | points }}"
                                                "{{ '<b>' }}</p>", encoding="utf-8")
    out = tmp_path / "out"
    grade_class(root, out=out, executor=class_executor, topics=["tensors"], lang="en", templates=templates)
    assert (out / "feedback" / "ana.html").read_text(encoding="utf-8") == "<p>ana: 11/11&lt;b&gt;</p>"  # autoescaped
    assert "Class report" in (out / "report.html").read_text(encoding="utf-8")  # still the packaged one


def test_a_broken_template_stops_before_grading_in_one_line(tmp_path):
    (tmp_path / "class" / "ana").mkdir(parents=True)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html.j2").write_text("line one\n{% for x in %}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "--lang", "en", "grade", str(tmp_path / "class"),
                           "--topic", "tensors", "--out", str(tmp_path / "out"), "--templates", str(templates)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "report.html.j2:2" in proc.stderr
    assert not (tmp_path / "out" / "gradebook.sqlite").exists()  # nothing was graded
