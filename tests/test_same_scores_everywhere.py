"""One class, three ways to grade it, the same scores to the hundredth of a point.

Locally (``torchdojo grade``), on a Dask cluster that loses a worker in the
middle of the run, and through the Gradescope autograder zip, one submission
at a time.
"""

from __future__ import annotations

import os
import signal

import pytest
from classbuilder import exercise_scores, run_bundle, unpack_bundle, write_class

from torchdojo.classroom.batch import grade_class
from torchdojo.gradescope.bundle import build_bundle

distributed = pytest.importorskip("distributed")
from torchdojo.classroom.dask_executor import DaskExecutor

STUDENTS = {"ana": "correct", "bruno": "notebook", "carla": "mistake", "fran": "syntax"}


def test_local_dask_with_a_dead_worker_and_gradescope_agree(class_executor, dask_client, tmp_path):
    klass = write_class(tmp_path / "class", STUDENTS)

    grade_class(klass, out=tmp_path / "local", executor=class_executor, topics=["tensors"], lang="en")
    local = exercise_scores(tmp_path / "local" / "grades.json")

    client = dask_client
    killed: list[int] = []

    def kill_a_busy_worker(*_: object) -> None:
        busy = sorted(addr for addr, keys in client.processing().items() if keys)
        if not killed and busy:
            pid = client.run(os.getpid)[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    grade_class(klass, out=tmp_path / "dask", topics=["tensors"], executor=DaskExecutor(client), lang="en",
                on_result=kill_a_busy_worker)
    assert killed, "a worker died in the middle of the run"
    dask = exercise_scores(tmp_path / "dask" / "grades.json")

    bundle = build_bundle(["tensors"], tmp_path / "autograder.zip", lang="en")
    gradescope = {}
    for student in STUDENTS:
        root = unpack_bundle(bundle, tmp_path / "gs" / student)
        for f in (klass / student).iterdir():
            (root / "submission" / f.name).write_bytes(f.read_bytes())
        gradescope[student] = {t["name"]: t["score"] for t in run_bundle(root)["tests"]}

    assert local == dask == gradescope
    assert {s: round(sum(v.values()), 2) for s, v in local.items()} == {"ana": 11, "bruno": 11, "carla": 10.2,
                                                                         "fran": 0}
