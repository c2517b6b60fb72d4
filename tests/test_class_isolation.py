"""No student can stop the class: each failure is that student's error row, and every output is written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from classbuilder import REFERENCE, SRC  # noqa: F401  (SRC: the same sources in subprocesses)
from torchdojo.classroom.batch import grade_class
import pytest

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

OUTPUTS = ("grades.csv", "grades_long.csv", "canvas.csv", "moodle.csv", "grades.json", "report.html")


def students_of(out: Path) -> dict[str, dict]:
    doc = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    return {s["student"]: s for s in doc["students"]}


def statuses(student: dict, kind: str = "exercises") -> set[str]:
    return {e["status"] for t in student["topics"] if t["kind"] == kind for e in t["exercises"]}


def corrupt_member(archive: Path, name: str) -> None:
    """Flip one byte of a stored member's data, so that reading it fails its CRC check."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(name)
    data = bytearray(archive.read_bytes())
    header = info.header_offset
    name_len = int.from_bytes(data[header + 26:header + 28], "little")
    extra_len = int.from_bytes(data[header + 28:header + 30], "little")
    start = header + 30 + name_len + extra_len
    data[start + 10] ^= 0xFF
    archive.write_bytes(bytes(data))


def test_a_damaged_zip_member_is_that_students_error(class_executor, tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("entregas/ana/tensors.py", REFERENCE)
        zf.writestr("entregas/bea/tensors.py", REFERENCE)
        zf.writestr("entregas/bea/notes.txt", "hola")
    corrupt_member(archive, "entregas/bea/tensors.py")
    with zipfile.ZipFile(archive) as zf:
        assert zf.testzip() == "entregas/bea/tensors.py"  # really damaged
    out = tmp_path / "out"
    result = grade_class(archive, out=out, executor=class_executor, topics=["tensors"], lang="en")
    assert result.students == ["ana", "bea"]
    by = students_of(out)
    assert by["ana"]["score"] == 11
    assert by["bea"]["score"] == 0 and by["bea"]["max_score"] == 11
    assert statuses(by["bea"]) == {"error"}
    reason = by["bea"]["topics"][0]["exercises"][0]["feedback"]
    assert "damaged zip member entregas/bea/tensors.py" in reason and "\n" not in reason
    assert "damaged zip member" in by["bea"]["error"]
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    assert (out / "feedback" / "bea.html").is_file()
    assert "damaged zip member" in (out / "report.html").read_text(encoding="utf-8")


def test_a_quiz_file_that_breaks_the_parser_is_that_students_error(class_executor, tmp_path):
    root = tmp_path / "class"
    for name in ("ana", "bea"):
        (root / name).mkdir(parents=True)
    (root / "ana" / "quiz_paradigms.json").write_text(json.dumps({"answers": {"game_agent": "c"}}), encoding="utf-8")
    deep = '{"answers": {"game_agent": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    (root / "bea" / "quiz_paradigms.json").write_text(deep, encoding="utf-8")
    out = tmp_path / "out"
    grade_class(root, out=out, executor=class_executor, topics=["quiz:paradigms"], lang="en")
    by = students_of(out)
    assert by["ana"]["score"] == 1
    assert statuses(by["bea"], "quiz") == {"error"} and by["bea"]["max_score"] == by["ana"]["max_score"]
    for name in OUTPUTS:
        assert (out / name).is_file(), name


def test_a_page_that_fails_to_render_is_that_students_alone(class_executor, tmp_path):
    root = tmp_path / "class"
    for name in ("ana", "bea"):
        (root / name).mkdir(parents=True)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "feedback.md.j2").write_text(
        "{% if student == 'bea' %}{{ student.no_such_attribute.boom }}{% endif %}CUSTOM {{ student }}\n",
        encoding="utf-8")
    out = tmp_path / "out"
    grade_class(root, out=out, executor=class_executor, topics=["tensors"], lang="en", templates=templates)
    assert (out / "feedback" / "ana.md").read_text(encoding="utf-8") == "CUSTOM ana\n"
    assert "could not be rendered" in (out / "feedback" / "bea.md").read_text(encoding="utf-8")
    assert (out / "report.html").is_file()


def test_untrusted_text_is_escaped_and_cut(class_executor, tmp_path):
    root = tmp_path / "class"
    hostile = "<img src=x onerror=alert(1)>"
    (root / hostile).mkdir(parents=True)
    (root / hostile / "tensors.py").write_text(f"raise ValueError({'A' * 50_000!r})\n", encoding="utf-8")
    out = tmp_path / "out"
    grade_class(root, out=out, executor=class_executor, topics=["tensors"], lang="en")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert hostile not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "A" * 400 not in page  # cut to a fixed length
    feedback = json.loads((out / "grades.json").read_text(encoding="utf-8"))["students"][0]["topics"][0]
    assert all(len(e["feedback"]) <= 2000 for e in feedback["exercises"])
    (md,) = (out / "feedback").glob("*.md")
    assert "A" * 400 not in md.read_text(encoding="utf-8")
