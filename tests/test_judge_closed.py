"""A judge its owner closed starts no other: a grading thread still running after Ctrl-C gets a failure of ours."""

from __future__ import annotations

from torchdojo.course import paths
from torchdojo.course.manifest import course
from torchdojo.judge.client import make_job
from torchdojo.judge.service import Judge


def test_a_closed_judge_answers_without_starting_a_process(tmp_path):
    topic = course().topic("tensors")
    submission = tmp_path / "tensors.py"
    submission.write_bytes((paths.solutions_dir() / "tensors.py").read_bytes())
    job = make_job(topic, list(topic.exercises), submission, device="cpu")
    for end in (Judge.close, Judge.kill):
        judge = Judge(topics=["tensors"])
        end(judge)
        result = judge.run(job)
        assert result.infra_error and "closed" in result.infra_error
        assert judge.proc is None  # nothing was started
