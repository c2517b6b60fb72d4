"""Maxima defined by the course, and the instructor's grading secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from classbuilder import MISTAKE, REFERENCE, SRC
from torchdojo.classroom.batch import grade_class, select_keys
from torchdojo.classroom.executor import LocalExecutor
from torchdojo.classroom.secret import resolve_secret
from torchdojo.text.errors import UserError
from torchdojo.course.manifest import ManifestError, course, load_course
from torchdojo.course import paths

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

SECRET = "s3cret-Only-The-Instructor-Knows"
OUTPUTS = ("grades.json", "grades.csv", "grades_long.csv", "canvas.csv", "moodle.csv")


def percents(out: Path) -> dict[str, tuple[float, float]]:
    doc = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    return {s["student"]: (s["score"], s["max_score"]) for s in doc["students"]}


def test_selection_comes_from_the_course_and_the_request():
    c = course()
    exercise_topics = [t.id for t in c.exercise_topics]
    assert select_keys(c, None) == exercise_topics
    assert select_keys(c, None, quizzes=True) == [k for t in c.topics for k in (
        ([t.id] if t.module else []) + ([f"quiz:{t.id}"] if t.quiz else []))]
    assert select_keys(c, ["tensors"]) == ["tensors"]
    assert select_keys(c, ["tensors"], quizzes=True) == ["tensors", "quiz:tensors"]
    assert select_keys(c, ["quiz:tensors"]) == ["quiz:tensors"]
    assert select_keys(c, ["why_ml"]) == ["quiz:why_ml"]  # a quiz-only topic names its quiz
    for bad, message in ((["nosuch"], "unknown topic"), (["quiz:nosuch"], "unknown topic")):
        with pytest.raises(UserError, match=message):
            select_keys(c, bad)


def test_a_stray_quiz_file_changes_no_one_elses_percentage_and_a_missing_hand_in_is_zero(class_executor, tmp_path):
    root = tmp_path / "class"
    for name, source in (("ana", REFERENCE), ("bea", MISTAKE)):
        (root / name).mkdir(parents=True)
        (root / name / "tensors.py").write_text(source, encoding="utf-8")
    (root / "cris").mkdir()
    (root / "cris" / "notes.txt").write_text("nothing", encoding="utf-8")
    before = grade_class(root, out=tmp_path / "o1", executor=class_executor, topics=["tensors"], lang="en")
    assert before.topics == ["tensors"]
    (root / "ana" / "quiz_paradigms.json").write_text(json.dumps({"answers": {"game_agent": "c"}}),
                                                      encoding="utf-8")
    after = grade_class(root, out=tmp_path / "o2", executor=class_executor, topics=["tensors"], lang="en")
    assert after.topics == ["tensors"]  # the quiz was not asked for: not graded
    assert percents(tmp_path / "o1") == percents(tmp_path / "o2") == {
        "ana": (11, 11), "bea": (10.2, 11), "cris": (0, 11)}
    asked = grade_class(root, out=tmp_path / "o3", executor=class_executor, topics=["tensors"], quizzes=True, lang="en")
    assert asked.topics == ["tensors", "quiz:tensors"]
    maxima = {m for _, m in percents(tmp_path / "o3").values()}
    assert len(maxima) == 1 and maxima.pop() > 11  # the same full maximum for everyone


class Recording:
    """A local executor that keeps every request it is given (to see what reaches the jobs)."""

    def __init__(self) -> None:
        self.inner = LocalExecutor(1, topics=["tensors"])
        self.requests: list = []

    def __enter__(self):
        self.inner.__enter__()
        return self

    def __exit__(self, *exc):
        return self.inner.__exit__(*exc)

    def run(self, fn, tasks):
        def keep():
            for task in tasks:
                self.requests.append(task)
                yield task
        return self.inner.run(fn, keep())


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    for name, source in (("ana", REFERENCE), ("bea", MISTAKE)):
        (root / name).mkdir()
        (root / name / "tensors.py").write_text(source, encoding="utf-8")
    return root


def test_the_secret_reaches_every_job_and_no_output(klass, tmp_path):
    recording = Recording()
    result = grade_class(klass, out=tmp_path / "out", topics=["tensors"], secret=SECRET, executor=recording,
                         lang="en")
    assert len(recording.requests) == 2
    assert all(r.job_options["secret"] == SECRET for r in recording.requests)
    assert result.secret
    assert json.loads((tmp_path / "out" / "grades.json").read_text(encoding="utf-8"))["settings"]["secret"] is True
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_two_runs_with_one_secret_are_byte_identical(class_executor, klass, tmp_path):
    for run in ("first", "second"):
        grade_class(klass, out=tmp_path / run, executor=class_executor, topics=["tensors"], secret=SECRET, lang="en")
    for name in OUTPUTS:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name


def test_a_new_secret_grades_every_file_again(class_executor, klass, tmp_path):
    out = tmp_path / "out"
    grade_class(klass, out=out, executor=class_executor, topics=["tensors"], secret=SECRET, lang="en")
    same = grade_class(klass, out=out, executor=class_executor, topics=["tensors"], secret=SECRET, lang="en")
    assert same.graded == 0 and same.skipped == 2
    other = grade_class(klass, out=out, executor=class_executor, topics=["tensors"], secret="another one", lang="en")
    assert other.graded == 2 and other.skipped == 0


def test_where_the_secret_comes_from(tmp_path):
    c = course()
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("from-a-file\nignored\n", encoding="utf-8")
    env = {"TORCHDOJO_GRADING_SECRET": "from-the-env"}
    assert resolve_secret(c, secret="typed", secret_file=secret_file, environ=env) == "typed"
    assert resolve_secret(c, secret_file=secret_file, environ=env) == "from-a-file"
    assert resolve_secret(c, environ=env) == "from-the-env"
    assert resolve_secret(c, environ={}) is None
    for bad in (tmp_path / "missing.txt", tmp_path / "empty.txt"):
        (tmp_path / "empty.txt").write_text("\n", encoding="utf-8")
        with pytest.raises(UserError):
            resolve_secret(c, secret_file=bad, environ={})
    # The course names the variable; the secret itself never goes in course.toml.
    text = paths.manifest_path().read_text(encoding="utf-8")
    custom = tmp_path / "course.toml"
    custom.write_text(text + '\n[grading]\nsecret_env = "MY_COURSE_SECRET"\n', encoding="utf-8")
    assert resolve_secret(load_course(custom), environ={"MY_COURSE_SECRET": "x"}) == "x"
    custom.write_text(text + '\n[grading]\nsecret = "oops"\n', encoding="utf-8")
    with pytest.raises(ManifestError, match=r"course.toml:\d+: grading: unknown field\(s\) secret"):
        load_course(custom)


def test_cli_secret_file_and_errors(klass, tmp_path):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("TORCHDOJO_GRADING_SECRET", None)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    base = [sys.executable, "-m", "torchdojo", "--lang", "en", "grade", str(klass), "--topic", "tensors", "-q"]
    ok = subprocess.run(base + ["--out", str(tmp_path / "a"), "--secret-file", str(secret_file)], env=env,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    via_env = subprocess.run(base + ["--out", str(tmp_path / "b")], env={**env, "TORCHDOJO_GRADING_SECRET": SECRET},
                             capture_output=True, text=True, timeout=300)
    assert via_env.returncode == 0, via_env.stderr
    assert (tmp_path / "a" / "grades.json").read_bytes() == (tmp_path / "b" / "grades.json").read_bytes()
    for args in (["--secret-file", str(tmp_path / "missing")], ["--copy-threshold", "2"]):
        bad = subprocess.run(base + ["--out", str(tmp_path / "c"), *args], env=env, capture_output=True, text=True,
                             timeout=120)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def test_a_new_device_grades_every_file_again_and_an_accelerator_is_graded_beside_the_cpu(
        class_executor, klass, tmp_path):
    from torchdojo.classroom.batch import grading_devices

    assert grading_devices("cpu") == "cpu" and grading_devices("auto") == "auto"
    assert grading_devices("cuda") == ["cpu", "cuda"] and grading_devices("mps") == ["cpu", "mps"]
    out = tmp_path / "out"
    grade_class(klass, out=out, executor=class_executor, topics=["tensors"], device="cpu", lang="en")
    auto = grade_class(klass, out=out, executor=class_executor, topics=["tensors"], device="auto", lang="en")
    assert auto.graded == 2 and auto.device == "auto"
