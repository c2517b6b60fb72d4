"""Maintainer self-check: manifest and files agree; stubs score zero; solutions full marks."""

from __future__ import annotations

import pytest

from torchdojo.course import paths
from torchdojo.learner.check import check_workspace
from torchdojo.course.manifest import course
from torchdojo.course.selfcheck import problems
from torchdojo.course.stubs import make_stub

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

TOPICS = [t.id for t in course().exercise_topics]


def test_manifest_and_files_agree():
    assert problems(course()) == []


def test_stub_generation_is_what_is_committed():
    for topic in course().exercise_topics:
        solution = (paths.solutions_dir() / topic.module).read_text(encoding="utf-8")
        stub = (paths.exercises_dir() / topic.module).read_text(encoding="utf-8")
        assert make_stub(solution) == stub
        assert "### BEGIN SOLUTION" not in stub


def test_no_stub_tells_the_learner_not_to_edit_it():
    # The stub is the learner's file; the "generated, do not edit" note is for
    # maintainers and lives in exercises/README.md.
    generated = list(paths.exercises_dir().glob("*.py")) + list((paths.exercises_dir() / "notebooks").glob("*.ipynb"))
    assert generated
    for path in generated:
        text = path.read_text(encoding="utf-8").lower()
        for phrase in ("not this file", "do not edit", "don't edit", "no edites", "no edite", "sync_content"):
            assert phrase not in text, f"{path.name}: {phrase!r}"


@pytest.mark.parametrize("topic", TOPICS)
def test_every_stub_is_not_attempted(topic, judge, tmp_path):
    (tmp_path / f"{topic}.py").write_bytes((paths.exercises_dir() / f"{topic}.py").read_bytes())
    report = check_workspace(tmp_path, [topic], device="cpu", lang="en", record=False, judge=judge)
    result = report.topics[0]
    assert result.score == 0
    assert {e.status for e in result.exercises} == {"not_attempted"}, \
        [(e.id, e.status, e.feedback) for e in result.exercises if e.status != "not_attempted"]


@pytest.mark.parametrize("topic", TOPICS)
def test_every_solution_gets_full_marks(topic, judge, tmp_path):
    (tmp_path / f"{topic}.py").write_bytes((paths.solutions_dir() / f"{topic}.py").read_bytes())
    report = check_workspace(tmp_path, [topic], device="cpu", lang="en", record=False, judge=judge)
    result = report.topics[0]
    assert [(e.id, e.status, e.feedback) for e in result.exercises if e.status != "passed"] == []
    assert result.score == result.max_score > 0
