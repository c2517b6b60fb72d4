"""The warm judge: ``python -m torchdojo.judge.server [GRADER ...] [--training]``.

It starts its student zygote first (so both import torch at once), imports
torch, pytest and the graders once, then reads jobs (``torchdojo.job/1``, one
JSON line each) on stdin and answers each with one JSON line on stdout. Each
job runs in a judge child forked for it (fresh state, and a bug of ours costs
one job); after each job every student process of it is killed and its
temporary folder removed. The judge never runs a torch operation itself
before forking (a child forked after OpenMP work can deadlock).
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def grader_files(args: list[str]) -> list[str]:
    """Grader files named on the command line, folders expanded."""
    out: list[str] = []
    for arg in args:
        if os.path.isdir(arg):
            out += [os.path.join(arg, e) for e in sorted(os.listdir(arg)) if e.startswith("test_") and e.endswith(".py")]
        elif os.path.isfile(arg):
            out.append(arg)
    return out


def trains(graders: list[str]) -> bool:
    """Whether any of these graders trains a model (then torch._dynamo is worth importing up front)."""
    for path in graders:
        try:
            with open(path, encoding="utf-8") as f:
                if "optim" in f.read():
                    return True
        except OSError:
            pass
    return False


def warm(graders: list[str], training: bool) -> None:
    """Import everything a judge child needs, so each fork starts warm."""
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    lazy = ["torch.optim", "torch.utils.data", "torch.nn.functional", "torch.testing"]
    if training:
        lazy.insert(0, "torch._dynamo")
    for name in lazy:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from _pytest.config import default_plugins

    for name in default_plugins:
        try:
            importlib.import_module(f"_pytest.{name}")
        except ImportError:
            pass
    try:
        import hypothesis  # noqa: F401
        import hypothesis.strategies  # noqa: F401
    except ImportError:
        pass
    from torchdojo.judge import compare, feedback, helpers, plugin, props, remote, run, session  # noqa: F401

    # Graders are imported under the names pytest's default import mode gives
    # them, so pytest reuses these modules in every child instead of executing
    # the files again.
    for path in graders:
        folder, entry = os.path.split(path)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        try:
            importlib.import_module(entry[:-3])
        except Exception as exc:  # a broken grader is reported per job
            print(f"torchdojo judge: cannot import grader {entry}: {exc}", file=sys.stderr)


class Server:
    def __init__(self, graders: list[str]):
        from torchdojo.judge.student_zygote import StudentZygote

        self.training = trains(graders)
        self.zygote = StudentZygote(training=self.training)
        self.zygote.spawn()  # it imports torch while we do
        warm(graders, self.training)
        self.hello = self.zygote.wait_ready()

    def restart_zygote(self) -> None:
        from torchdojo.judge.student_zygote import StudentZygote

        self.zygote.close()
        self.zygote = StudentZygote(training=self.training)
        self.zygote.spawn()
        self.hello = self.zygote.wait_ready()

    def run(self, line: str) -> dict[str, Any]:
        from torchdojo.judge.student_zygote import ZygoteLost
        from torchdojo.wire.job import JobSpec

        try:
            job = JobSpec.from_json(line)
        except (ValueError, TypeError) as exc:
            return {"zygote_error": f"not a job: {exc}"[:500]}
        if not self.zygote.alive():
            self.restart_zygote()
        tmp_root = Path(tempfile.mkdtemp(prefix="torchdojo-job-"))
        try:
            result, clean = self._fork(job, tmp_root)
            try:
                self.zygote.killall()
            except ZygoteLost:
                clean = False
            if not clean:
                # A judge child that died mid-conversation leaves the control channel unknown.
                self.restart_zygote()
            return result
        finally:
            shutil.rmtree(tmp_root, ignore_errors=True)

    def _fork(self, job: Any, tmp_root: Path) -> tuple[dict[str, Any], bool]:
        from torchdojo.judge.run import run_job
        from torchdojo.student.confine import PR_SET_PDEATHSIG, prctl

        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the judge child: never returns
            os.close(r)
            try:
                prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                result = run_job(job, self.zygote, tmp_root, zygote_pid=self.hello.get("pid"),
                                 subreaper=bool(self.hello.get("subreaper")))
                data = json.dumps(result).encode()
            except BaseException as exc:  # noqa: BLE001 - a bug of ours: report it as an infrastructure failure
                data = json.dumps({"zygote_error": f"judge: {type(exc).__name__}: {exc}"[:1000]}).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
            os._exit(0)
        os.close(w)
        chunks = []
        deadline = time.monotonic() + job.budget_s()
        timed_out = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([r], [], [], min(left, 1.0))
            if ready:
                data = os.read(r, 1 << 20)
                if not data:
                    break
                chunks.append(data)
        os.close(r)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _, status = os.waitpid(pid, 0)
        clean = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and not timed_out
        try:
            result = json.loads(b"".join(chunks)) if chunks else None
        except ValueError:
            result = None
        if not isinstance(result, dict):
            why = "ran past its time budget" if timed_out else f"ended without a result (status {status})"
            return {"zygote_error": f"the judge child {why}"}, False
        return result, clean


def main() -> int:
    # The protocol channel is a private copy of stdout; fd 1 itself becomes
    # stderr so that stray prints (ours or a library's) cannot corrupt it.
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    server = Server(grader_files(sys.argv[1:]))
    gc.collect()
    gc.freeze()
    channel.write(json.dumps({"ready": True, "pid": os.getpid(), "caps": server.zygote.caps}) + "\n")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            result = server.run(line)
        except Exception as exc:  # noqa: BLE001 - a bug of ours: report it, keep serving
            result = {"zygote_error": f"{type(exc).__name__}: {exc}"[:1000]}
        channel.write(json.dumps(result) + "\n")
    server.zygote.close()
    channel.flush()
    # Nothing is left to clean up: skip the interpreter's teardown of torch (a third of a second).
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
