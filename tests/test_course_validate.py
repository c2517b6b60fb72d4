"""``torchdojo course validate``: the one command behind docs/authoring.md, run as a maintainer runs it.

The real course passes; a copy of it with an exercise missing its grader test,
its third hint or the lesson part that prepares it, a malformed lesson marker, or
a reference solution or correct variant that loses points, fails with one
``file:line: message`` line per problem and exit 1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Every test here starts the CLI (and some the judge and student processes).
pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ("course.toml", "glossary.toml", "solutions", "exercises", "graders", "lessons", "quizzes")
LOCATED = re.compile(r"^(?P<file>\S+):(?P<line>\d+): (?P<message>.+)$")


def validate(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TORCHDOJO_CONTENT"}
    return subprocess.run([sys.executable, "-m", "torchdojo", "--lang", "en", "course", "validate", *args],
                          capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "course"
    dest.mkdir()
    for name in CONTENT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, (path, old, text.count(old))
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def problems(result: subprocess.CompletedProcess) -> list[tuple[str, int, str]]:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(LOCATED.match(line) for line in lines), result.stdout
    assert result.stderr.strip() == f"problems in the course: {len(lines)}", result.stderr
    return [(m["file"], int(m["line"]), m["message"]) for m in map(LOCATED.match, lines)]


def test_the_real_course_is_valid_with_its_reference_solutions_and_correct_variants():
    # Every topic's files are checked; the grading is narrowed to tensors (reference, stub and its eight
    # correct variants) to keep the suite's budget: the other topics' references and variants are graded by
    # tests/test_selfcheck.py and their fairness suites, and the whole course validates in about 45 s.
    result = validate("--topic", "tensors")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"the course is valid: {ROOT}"


def test_the_copy_itself_is_valid_before_it_is_broken(course_copy):
    result = validate(str(course_copy), "--no-grading")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_exercise_without_a_grader_test_is_one_line_at_its_manifest_entry(course_copy):
    grader = course_copy / "graders" / "test_tensors.py"
    marks = grader.read_text(encoding="utf-8").count('@pytest.mark.exercise("summarize")\n')
    assert marks >= 1
    edit(grader, '@pytest.mark.exercise("summarize")\n', "", count=marks)
    [(file, line, message)] = problems(validate(str(course_copy), "--no-grading"))
    manifest = course_copy / "course.toml"
    assert (file, line) == (str(manifest), line_of(manifest, 'name = "summarize"'))
    assert message.startswith("tensors/summarize: no grader test"), message


def test_an_exercise_with_two_levels_of_hints_is_one_line_at_its_manifest_entry(course_copy):
    manifest = course_copy / "course.toml"
    # tensor_info's third hint is the same skeleton in both languages: drop it from both lists.
    edit(manifest, '  "`return {\\"ndim\\": ___, \\"shape\\": tuple(___), \\"dtype\\": ___, \\"device\\": str(___), '
                   '\\"numel\\": ___}`",\n', "", count=2)
    [(file, line, message)] = problems(validate(str(course_copy), "--no-grading"))
    assert (file, line) == (str(manifest), line_of(manifest, 'name = "tensor_info"'))
    assert message == "tensors/tensor_info: 2 levels of hints, not 3"


def test_an_exercise_no_lesson_part_prepares_is_one_line_in_the_lesson(course_copy):
    lesson = course_copy / "lessons" / "tensors.md"
    edit(lesson, "<!-- part id=creating further prepares=make_range_matrix -->", "<!-- part id=creating further -->")
    [(file, line, message)] = problems(validate(str(course_copy), "--no-grading"))
    assert file == str(lesson) and line >= 1
    assert message.startswith("tensors/make_range_matrix: no part of the lesson prepares it"), message


def test_a_malformed_lesson_marker_is_reported_at_its_line(course_copy):
    lesson = course_copy / "lessons" / "tensors.md"
    line = line_of(lesson, "<!-- part id=creating further prepares=make_range_matrix -->")
    edit(lesson, "<!-- part id=creating further prepares=make_range_matrix -->",
         "<!-- part id=creating further prepares=make_range_matrix colour=red -->")
    [(file, got, _)] = problems(validate(str(course_copy), "--no-grading"))
    assert (file, got) == (str(lesson), line)


def test_a_reference_solution_that_loses_points_is_reported(course_copy):
    solution = course_copy / "solutions" / "tensors.py"
    # Inside a solution region: the stub and notebooks stay in sync, only the grading can tell.
    edit(solution, "x.unsqueeze(0)", "x.unsqueeze(-1)")
    found = problems(validate(str(course_copy), "--topic", "tensors", "--no-variants"))
    assert [(f, n, m.split(":")[0]) for f, n, m in found] == [
        (str(solution), line_of(solution, "def add_batch_dim"), "tensors/add_batch_dim")], found
    assert "the reference solution gets 0.2/1 (failed): add_batch_dim" in found[0][2], found


def test_a_folder_without_a_course_is_one_line_and_exit_2(tmp_path):
    result = validate(str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"torchdojo: '{tmp_path}' holds no course.toml"


def test_a_correct_variant_that_loses_points_is_reported_at_its_file(course_copy):
    variant = course_copy / "tests" / "variants" / "tensors" / "correct_unsqueeze_last.py"
    variant.parent.mkdir(parents=True)
    variant.write_text((ROOT / "solutions" / "tensors.py").read_text(encoding="utf-8")
                       .replace("x.unsqueeze(0)", "x.unsqueeze(-1)"), encoding="utf-8")
    found = problems(validate(str(course_copy), "--topic", "tensors"))
    assert [(f, n, m.split(":")[0]) for f, n, m in found] == [
        (str(variant), line_of(variant, "def add_batch_dim"), "tensors/add_batch_dim")], found
    assert "the correct variant correct_unsqueeze_last.py gets 0.2/1 (failed)" in found[0][2], found
