"""The caller's side: start a warm judge, send it jobs.

>>> with Judge() as judge:               # doctest: +SKIP
...     result = judge.run(job)          # a torchdojo.wire.job.JobSpec

The caller needs no torch (this module imports none). A judge serves any number
of jobs, ``concurrency`` of them at once (class grading with ``-j N`` runs one
judge with N slots); each judge has its own student zygote; see
:mod:`torchdojo.judge.server`.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import torchdojo
from torchdojo.course import paths
from torchdojo.wire.hello import JudgeHello
from torchdojo.wire.job import JobSpec
from torchdojo.wire.result import JobResult

_PACKAGE_PARENT = str(Path(torchdojo.__file__).resolve().parent.parent)


class JudgeError(RuntimeError):
    """The judge could not start or stopped answering."""


class Judge:
    """A warm judge process and its student zygote (see :mod:`torchdojo.judge.server`).

    ``concurrency``: how many jobs it grades at once (``run`` may be called from
    that many threads); each is graded in its own judge child.
    """

    def __init__(self, topics: list[str] | None = None, start_timeout_s: float = 120.0, concurrency: int = 1):
        """``topics``: the graders to keep warm (all when None); others still work, a little slower."""
        if topics is None:
            self.graders = [str(paths.graders_dir())]
        else:
            self.graders = [str(paths.graders_dir() / f"test_{t}.py") for t in topics]
        self.start_timeout_s = start_timeout_s
        self.concurrency = max(1, int(concurrency))
        self.proc: subprocess.Popen | None = None
        self._log = None
        #: What the machine offers the sandbox (from the student zygote), once started.
        self.caps: dict[str, Any] = {}
        self._lock = threading.Lock()  # starting, stopping and writing to the judge
        self._plock = threading.Lock()  # the calls waiting for a result
        self._pending: dict[str, Future] = {}
        self._reader: threading.Thread | None = None
        self._ids = itertools.count(1)
        #: Closed by its owner: a late call (a grading thread still running after Ctrl-C) gets an
        #: infrastructure failure instead of starting a judge nobody would close.
        self._closed = False

    def __enter__(self) -> Judge:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the judge and wait until it is warm."""
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        """Start the judge without waiting (several can warm up in parallel)."""
        self._closed = False
        from torchdojo.shared.warm_fork import student_environment

        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH", "")) if p)
        env["TORCHDOJO_CONTENT"] = str(paths.content_root())  # absolute: the judge runs in "/"
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        # The judge starts with the student's scrubbed environment and forks its
        # student zygote from that; our whole environment follows on stdin.
        startup = student_environment(env)
        startup.update(PYTHONPATH=_PACKAGE_PARENT, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
        # The judge compiles torchdojo's own modules once, as any import would (an
        # editable install has no bytecode for what only the judge imports: it
        # cost each check a twentieth of a second); never beside the graders
        # (:func:`torchdojo.judge.server.warm`), never in a student process.
        if env.get("PYTHONDONTWRITEBYTECODE"):
            startup["PYTHONDONTWRITEBYTECODE"] = "1"
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "torchdojo.judge.server", *self.graders, "--concurrency", str(self.concurrency),
             "--environ-on-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=startup,
            # Never in the caller's folder: with ``-m`` that folder would come first on the judge's
            # path, and a learner's ``json.py`` there would run unsandboxed in the judge.
            cwd="/",
            start_new_session=True,
        )
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(env).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            pass  # a judge that died at once: wait_ready says so

    def wait_ready(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], self.start_timeout_s)
        try:
            hello = JudgeHello.from_json(self.proc.stdout.readline() if ready else b"")
        except ValueError:
            raise JudgeError(f"the grading process did not start: {self.log_tail()}") from None
        self.caps = dict(hello.caps)
        self._reader = threading.Thread(target=self._read_results, args=(self.proc,), daemon=True,
                                        name="torchdojo-judge-reader")
        self._reader.start()

    @property
    def ready(self) -> bool:
        """Whether it said it is warm (:meth:`wait_ready` returned), so it may be closed gracefully."""
        return self._reader is not None

    def missing_protections(self) -> list[str]:
        """What student processes will lack on this machine (program messages, English msgids)."""
        from torchdojo.shared.confine import missing_protections

        return missing_protections(self.caps)

    def log_tail(self, limit: int = 2000) -> str:
        if self._log is None:
            return ""
        try:
            self._log.seek(0)
            return self._log.read().decode("utf-8", "replace")[-limit:].strip()
        except (OSError, ValueError):
            return ""

    def _read_results(self, proc: subprocess.Popen) -> None:
        """Hand each result line to the call waiting for it; at the end, fail whatever still waits."""
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            with self._plock:
                fut = self._pending.pop(str(msg.get("id")), None)
            if fut is not None:
                try:
                    result = JobResult.from_dict(msg.get("result"))
                except ValueError as exc:
                    result = JobResult.infrastructure(f"the grading process sent no result ({exc})")
                fut.set_result(result)
        tail = self.log_tail()
        with self._plock:
            lost, self._pending = list(self._pending.values()), {}
        for fut in lost:
            fut.set_result(JobResult.infrastructure(f"the grading process stopped answering. {tail}"))

    #: How many times a job is sent again to a new judge after its judge died or got stuck.
    RETRIES = 1

    def run(self, job: JobSpec) -> JobResult:
        """Grade one job; a dead or stuck judge is replaced and the job graded again (then reported as lost)."""
        for _ in range(self.RETRIES):
            result = self._run_once(job)
            with self._lock:
                judge_lost = self.proc is None or self.proc.poll() is not None
            if not (result.infra_error and judge_lost):
                return result
        return self._run_once(job)

    def _run_once(self, job: JobSpec) -> JobResult:
        fut: Future = Future()
        ident = str(next(self._ids))
        with self._lock:
            if self._closed:
                return JobResult.infrastructure("the grading process was closed")
            if self.proc is None or self.proc.poll() is not None:
                self._close_locked()
                self.spawn()
                self.wait_ready()
            elif self._reader is None:  # spawned ahead of its first job (:meth:`spawn`), not yet waited for
                self.wait_ready()
            assert self.proc is not None and self.proc.stdin is not None
            with self._plock:
                self._pending[ident] = fut
            try:
                self.proc.stdin.write((json.dumps({"id": ident, "job": job.to_dict()}) + "\n").encode())
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                with self._plock:
                    self._pending.pop(ident, None)
                return JobResult.infrastructure(f"the grading process stopped answering. {self.log_tail()}")
        try:
            return fut.result(timeout=job.budget_s() + 30.0)
        except FutureTimeout:
            with self._plock:
                self._pending.pop(ident, None)
            with self._lock:
                tail = self.log_tail()
                self._close_locked()  # stuck: the next job starts a new one
            return JobResult.infrastructure(f"the grading process stopped answering. {tail}")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._close_locked()

    def kill(self) -> None:
        """End the judge now, without letting a running job finish (Ctrl-C).

        Its zygotes and student processes die with it (parent-death signal).
        Takes no lock: the job that holds it may be the one being abandoned.
        """
        self._closed = True  # first: the abandoned job must not start another judge
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, 9)
            except OSError:
                pass
        self.close()

    def _close_locked(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                if proc.stdin:
                    proc.stdin.close()
                proc.wait(timeout=5)
            except (subprocess.TimeoutExpired, OSError):
                pass
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, 9)
                except OSError:
                    pass
                proc.wait()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=5)  # it fails whatever still waits, then ends
            self._reader = None
        if proc is not None and proc.stdout:
            proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None
