"""Grading on a Dask cluster: same grades as local grading, and a killed worker loses nothing.

A real ``LocalCluster`` with two worker processes (each with one thread and one
warm judge) stands in for a cluster of machines.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from types import SimpleNamespace

import pytest
from classbuilder import SRC, exercise_scores, run_bundle, unpack_bundle, write_class

from torchdojo.classroom.batch import grade_class
from torchdojo.text.errors import UserError
from torchdojo.editions.gradescope.bundle import build_bundle

distributed = pytest.importorskip("distributed", reason="distributed comes with the test extra: pip install -e .[test]")
from torchdojo.classroom import dask_executor  # noqa: E402  (after the importorskip)
from torchdojo.classroom.dask_executor import DaskExecutor, _task_key  # noqa: E402  (after the importorskip)
from torchdojo.wire.request import GradeRequest  # noqa: E402  (after the importorskip)

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

STUDENTS = {"ana": "correct", "bruno": "notebook", "carla": "mistake", "dario": "mistake_seed",
            "elena": "stub", "fran": "syntax", "gema": "binary"}


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    return write_class(tmp_path_factory.mktemp("class"), STUDENTS)


@pytest.fixture(scope="module")
def local(class_executor, klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    grade_class(klass, out=out, executor=class_executor, topics=["tensors"], lang="en")
    return out


def test_dask_grades_equal_local_grades(client, klass, local, tmp_path):
    client.wait_for_workers(2, timeout=120)
    seen: list[tuple[str, str]] = []
    result = grade_class(klass, out=tmp_path, topics=["tensors"], executor=DaskExecutor(client), lang="en",
                         on_result=lambda s, t, *_: seen.append((s, t)))
    assert result.graded == len(STUDENTS) and sorted(seen) == sorted((s, "tensors") for s in STUDENTS)
    assert (tmp_path / "grades.json").read_bytes() == (local / "grades.json").read_bytes()
    scores = exercise_scores(tmp_path / "grades.json")
    assert sum(scores["ana"].values()) == 11 and sum(scores["bruno"].values()) == 11
    assert sum(scores["fran"].values()) == 0 and sum(scores["gema"].values()) == 0


def test_a_killed_worker_loses_no_submission(client, klass, local, tmp_path):
    client.wait_for_workers(2, timeout=120)
    calls: list[tuple[str, str]] = []
    killed: dict[str, object] = {}

    def on_result(student: str, topic: str, *_: object) -> None:
        calls.append((student, topic))
        if killed:
            return
        # The first result is in: the other submissions are queued or running on
        # the workers. Kill (SIGKILL, no goodbye) a worker that holds some.
        busy = {addr: keys for addr, keys in client.processing().items() if keys}
        pids = client.run(os.getpid)
        victim = min(busy)
        os.kill(pids[victim], signal.SIGKILL)
        killed.update(address=victim, pid=pids[victim], keys=list(busy[victim]))

    result = grade_class(klass, out=tmp_path, topics=["tensors"], executor=DaskExecutor(client), lang="en",
                         on_result=on_result)
    assert killed["keys"], "the killed worker held submissions"
    assert len(calls) == len(set(calls)) == len(STUDENTS) == result.graded  # each graded exactly once
    with sqlite3.connect(tmp_path / "gradebook.sqlite") as con:
        rows = con.execute("SELECT student, topic FROM results").fetchall()
    assert sorted(rows) == sorted((s, "tensors") for s in STUDENTS)
    assert (tmp_path / "grades.json").read_bytes() == (local / "grades.json").read_bytes()
    # The dead worker really is gone (its nanny starts a new one, at a new address).
    assert killed["address"] not in client.scheduler_info()["workers"]


def test_cli_grades_on_the_cluster(client, klass, local, tmp_path):
    client.wait_for_workers(2, timeout=120)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    address = client.scheduler.address
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "--lang", "en", "grade", str(klass), "--topic",
                           "tensors", "--out", str(tmp_path), "--executor", "dask", "--scheduler", address, "-q"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert exercise_scores(tmp_path / "grades.json") == exercise_scores(local / "grades.json")


@pytest.mark.parametrize("args, message", [
    (["--executor", "dask"], "needs --scheduler"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "only applies with --executor dask"),
])
def test_cli_option_errors_are_one_line(klass, tmp_path, args, message):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "--lang", "en", "grade", str(klass), "--out",
                           str(tmp_path), *args], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_every_request_gets_its_own_task_key():
    # pure=False semantics: the same file handed in twice is graded twice, never shared.
    req = GradeRequest("ana", "tensors", "tensors.py", b"x = 1\n", "h")
    assert _task_key(req) != _task_key(req)
    assert _task_key(req).startswith("torchdojo-grade-tensors-ana-")


def test_workers_with_other_graders_are_refused():
    executor = DaskExecutor("tcp://unused:8786")
    # Only run() is used: a stand-in for a client whose worker has other graders.
    executor.client = SimpleNamespace(run=lambda fn: {"tcp://10.0.0.1:1": "another-fingerprint"})
    with pytest.raises(UserError, match="other graders"):
        executor._check_workers()


def test_a_worker_with_other_graders_stops_the_run(client, klass, tmp_path, monkeypatch):
    # A worker that joined after the check: the caller's fingerprint travels with
    # each task, the worker refuses it, and the run stops with nothing recorded.
    client.wait_for_workers(2, timeout=120)
    monkeypatch.setattr(dask_executor, "worker_fingerprint", lambda: "the caller's graders")
    executor = DaskExecutor(client, check_workers=True)
    monkeypatch.setattr(executor, "_check_workers", lambda: None)
    with pytest.raises(UserError, match="other graders"):
        grade_class(klass, out=tmp_path, topics=["tensors"], executor=executor, lang="en")
    with sqlite3.connect(tmp_path / "gradebook.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 0


# -- one class, three ways to grade it, the same scores to the hundredth of a point --------
# Locally (``torchdojo grade``), on the Dask cluster losing a worker in the middle of
# the run, and through the Gradescope autograder zip, one submission at a time.

SAME_SCORES_STUDENTS = {"ana": "correct", "bruno": "notebook", "carla": "mistake", "fran": "syntax"}


def test_local_dask_with_a_dead_worker_and_gradescope_agree(class_executor, dask_client, tmp_path):
    klass = write_class(tmp_path / "class", SAME_SCORES_STUDENTS)

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
    for student in SAME_SCORES_STUDENTS:
        root = unpack_bundle(bundle, tmp_path / "gs" / student)
        for f in (klass / student).iterdir():
            (root / "submission" / f.name).write_bytes(f.read_bytes())
        gradescope[student] = {t["name"]: t["score"] for t in run_bundle(root)["tests"]}

    assert local == dask == gradescope
    assert {s: round(sum(v.values()), 2) for s, v in local.items()} == {"ana": 11, "bruno": 11, "carla": 10.2,
                                                                         "fran": 0}
