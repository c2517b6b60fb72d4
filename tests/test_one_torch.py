"""One check pays for torch once: the judge imports it, its student zygote is forked from it, never exec'd.

Seen from outside, in /proc: a process made by ``fork`` without ``exec`` keeps
its parent's memory layout, so the addresses of its command line and
environment block (fields 48 to 51 of ``/proc/PID/stat``) are its parent's;
an ``exec`` lays out a new image (and a zygote's command line is not as long
as its judge's). A process that maps libtorch and was exec'd imported torch
from scratch.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from conftest import marked_processes
from torchdojo.course import paths
from torchdojo.judge.service import Judge
from torchdojo.learner.check import check_workspace

pytestmark = pytest.mark.process


def _layout(pid: int) -> tuple[int, ...]:
    """arg_start, arg_end, env_start, env_end of a process (proc(5), fields 48 to 51)."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return tuple(int(v) for v in fields[48 - 3:52 - 3])


def _maps_torch(pid: int) -> bool:
    with open(f"/proc/{pid}/maps", "rb") as f:
        return b"libtorch" in f.read()


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as f:
        return int(f.read().rsplit(b")", 1)[1].split()[1])


def test_one_check_imports_torch_in_one_process(monkeypatch, tmp_path):
    mark = f"one-torch-{uuid.uuid4().hex}"
    monkeypatch.setenv("TORCHDOJO_TEST_MARK", mark)
    (tmp_path / "tensors.py").write_bytes((paths.solutions_dir() / "tensors.py").read_bytes())
    with Judge(topics=["tensors"]) as judge:
        report = check_workspace(Path(tmp_path), ["tensors"], device="cpu", record=False, judge=judge)
        assert report.topics[0].score == report.topics[0].max_score == 11
        procs = marked_processes(mark)
        judges = [pid for pid, _, kind in procs if kind == "judge"]
        zygotes = [(pid, ppid) for pid, ppid, kind in procs if kind == "zygote"]
        assert judges == [judge.proc.pid], procs
        assert len(zygotes) == 1, procs
        zygote, parent = zygotes[0]
        # The zygote is the judge's own child, forked after torch was imported and never exec'd.
        assert parent == judge.proc.pid
        assert _maps_torch(zygote) and _maps_torch(judge.proc.pid)
        assert _layout(zygote) == _layout(judge.proc.pid)
        # The judge itself was exec'd by us: its layout is not ours.
        assert _parent(judge.proc.pid) == os.getpid() and _layout(judge.proc.pid) != _layout(os.getpid())
        fresh = [pid for pid, _, _ in marked_processes(mark)
                 if _maps_torch(pid) and _layout(pid) != _layout(_parent(pid))]
        assert fresh == [judge.proc.pid]
        # What ps shows, and the environment it runs with: the student's, as a spawned zygote's.
        with open(f"/proc/{zygote}/cmdline", "rb") as f:
            assert f.read().split(b"\0")[1:3] == [b"-m", b"torchdojo.student.zygote"]


def test_the_judge_starts_without_the_callers_secrets(monkeypatch, tmp_path):
    """The environment the zygote was forked from (the judge's at its start) held no caller variable."""
    mark = f"one-torch-{uuid.uuid4().hex}"
    monkeypatch.setenv("TORCHDOJO_TEST_MARK", mark)
    monkeypatch.setenv("TORCHDOJO_GRADING_SECRET", "hunter2-grading")
    monkeypatch.setenv("SOME_API_TOKEN", "hunter2-token")
    with Judge(topics=["tensors"]) as judge:
        for pid, _, _ in marked_processes(mark):
            with open(f"/proc/{pid}/environ", "rb") as f:
                assert b"hunter2" not in f.read(), pid
        assert judge.caps


def test_a_grader_that_trains_is_recognised_before_the_fork():
    # The judge imports torch._dynamo before forking its zygote only for graders that
    # train; missing one costs every job of that topic a second and a half.
    from torchdojo.course import paths
    from torchdojo.judge.server import trains

    graders = paths.graders_dir()
    assert trains([str(graders / "test_fc_nets.py")])
    assert trains([str(graders / "test_tensors.py"), str(graders / "test_cnns.py")])
    assert not trains([str(graders / "test_tensors.py")])


def test_the_judge_compiles_its_own_modules_once_and_nothing_beside_the_graders(tmp_path):
    # An editable install has no bytecode for what only the judge imports: without it every
    # check compiled them again. The judge writes it (unless told not to), never in a course folder.
    import shutil
    import subprocess
    import sys

    root = paths.content_root()
    checkout = tmp_path / "checkout"
    shutil.copytree(Path(paths.__file__).resolve().parents[1], checkout / "src" / "torchdojo",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("course.toml", "exercises", "solutions", "graders", "quizzes", "lessons"):
        if (root / name).is_dir():
            shutil.copytree(root / name, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(root / name, checkout / name)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(root / "solutions" / "tensors.py", work / "tensors.py")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "TORCHDOJO_CONTENT", "PYTHONPATH")}
    env["PYTHONPATH"] = str(checkout / "src")
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "check", "tensors", "-w", str(work), "--device", "cpu",
                           "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    judge_only = checkout / "src" / "torchdojo" / "judge" / "__pycache__"
    assert any(p.name.startswith("session.") for p in judge_only.glob("*.pyc")), sorted(judge_only.glob("*"))
    assert not list((checkout / "graders").rglob("__pycache__"))
    assert not list(work.rglob("__pycache__"))
