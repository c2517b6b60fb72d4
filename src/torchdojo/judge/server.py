"""The warm judge: ``python -m torchdojo.judge.server [GRADER ...] [--concurrency N] [--environ-on-stdin]``.

It first imports torch and the student side only and forks its student zygote
from that state (:mod:`torchdojo.shared.warm_fork`: one torch import for both);
with ``--environ-on-stdin`` it then takes the caller's environment (the first
stdin line; it started with the student's scrubbed one). Then it imports pytest
and the graders once, reads jobs (``torchdojo.job/1``, one JSON line each, with
an id) on stdin and answers each with one JSON line on stdout as it ends. Each
job runs in a judge child forked for it (fresh state, and a bug of ours costs
one job), up to N at once, each on its own slot of the one student zygote (so a
class graded with ``-j 2`` imports torch once); after each job every student
process of it is killed and its temporary folder removed. The judge never runs
a torch operation itself before forking (a child forked after OpenMP work can
deadlock).
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

from torchdojo.wire.hello import JudgeHello
from torchdojo.wire.result import JobResult


def grader_files(args: list[str]) -> list[str]:
    """Grader files named on the command line, folders expanded."""
    out: list[str] = []
    for arg in args:
        if os.path.isdir(arg):
            out += [os.path.join(arg, e) for e in sorted(os.listdir(arg))
                    if e.startswith("test_") and e.endswith(".py")]
        elif os.path.isfile(arg):
            out.append(arg)
    return out


def trains(graders: list[str]) -> bool:
    """Whether any of these graders trains a model (then torch._dynamo is worth importing up front).

    Asked before the student zygote is forked from this process: each file is
    read straight into a buffer that is zeroed afterwards, so no copy of a
    grader is left in the memory the zygote inherits.
    """
    found = False
    for path in graders:
        try:
            with open(path, "rb", buffering=0) as f:
                buf = bytearray(os.fstat(f.fileno()).st_size + 1)
                n = f.readinto(buf) or 0
        except OSError:
            continue
        found = found or buf.find(b"optim", 0, n) != -1  # a substring (``in`` on a memoryview tests one byte)
        buf[:] = bytes(len(buf))
    return found


def warm(graders: list[str], training: bool) -> None:
    """Import everything a judge child needs, so each fork starts warm."""
    import pytest  # noqa: F401

    from torchdojo.shared.warm_fork import import_torch_parts

    import_torch_parts(training, ("torch.testing",))
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
    # the files again. Nothing is compiled beside them (a course folder stays as
    # the instructor left it), nor by anything the judge imports from here on.
    sys.dont_write_bytecode = True
    for path in graders:
        folder, entry = os.path.split(path)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        try:
            importlib.import_module(entry[:-3])
        except Exception as exc:  # a broken grader is reported per job
            print(f"torchdojo judge: cannot import grader {entry}: {exc}", file=sys.stderr)


def _pin_to_slot(slot: int, slots: int, caps: dict[str, Any]) -> None:
    """Run a judge child on the CPUs its slot's student processes are pinned to (cgroup v1 cpuset)."""
    if "cpuset" not in ((caps.get("share") or {}).get("controllers") or []) or slots < 2:
        return
    from torchdojo.shared.job_share import slot_cpus

    try:
        os.sched_setaffinity(0, slot_cpus(slot, slots)[1])
    except OSError:
        pass


class _Running:
    """A judge child at work."""

    def __init__(self, ident: str, slot: int, pid: int, fd: int, deadline: float, tmp_root: Path):
        self.ident = ident
        self.slot = slot
        self.pid = pid
        self.fd = fd
        self.deadline = deadline
        self.tmp_root = tmp_root
        self.chunks: list[bytes] = []


class Server:
    """Grades up to ``concurrency`` jobs at once, each in its own judge child on its own zygote slot."""

    def __init__(self, graders: list[str], concurrency: int = 1, on_forked: Any = None):
        """``on_forked()`` runs once the zygote is forked, before the judge side is imported."""
        from torchdojo.judge.student_zygote import StudentZygote

        self.concurrency = max(1, concurrency)
        self.training = trains(graders)
        self.zygote = StudentZygote(training=self.training, slots=self.concurrency)
        # Nothing of the judge side is imported yet, nothing secret known: the
        # zygote forked here holds torch and the student side only.
        self.zygote.fork_warm()
        if on_forked is not None:
            on_forked()
        warm(graders, self.training)
        self.hello = self.zygote.wait_ready()
        self.free = list(range(self.concurrency))
        self.running: dict[int, _Running] = {}
        #: A judge child died mid-conversation: the zygote's state is unknown, restart it when idle.
        self.needs_restart = False

    def restart_zygote(self) -> None:
        from torchdojo.judge.student_zygote import StudentZygote

        self.zygote.close()
        self.zygote = StudentZygote(training=self.training, slots=self.concurrency)
        self.zygote.spawn()
        self.hello = self.zygote.wait_ready()
        self.needs_restart = False

    def can_start(self) -> bool:
        return bool(self.free) and not self.needs_restart

    def start(self, ident: str, line: str) -> JobResult | None:
        """Fork a judge child for a job; the result right away if it is not a job."""
        from torchdojo.judge.run import run_job
        from torchdojo.shared.confine import PR_SET_PDEATHSIG, prctl
        from torchdojo.wire.job import JobSpec

        try:
            job = JobSpec.from_json(line)
        except (ValueError, TypeError) as exc:
            return JobResult.infrastructure(f"not a job: {exc}"[:500])
        if not self.zygote.alive() and not self.running:
            self.restart_zygote()
        slot = self.free.pop()
        tmp_root = Path(tempfile.mkdtemp(prefix="torchdojo-job-"))
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the judge child: never returns
            os.close(r)
            try:
                prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                _pin_to_slot(slot, self.concurrency, self.zygote.caps)
                result = run_job(job, self.zygote.slot(slot), tmp_root, zygote_pid=self.hello.pid,
                                 subreaper=self.hello.subreaper)
                data = result.to_json().encode()
            except BaseException as exc:  # noqa: BLE001 - a bug of ours: report it as an infrastructure failure
                from torchdojo.judge.student_zygote import ZygoteLost

                data = JobResult.infrastructure(f"judge: {type(exc).__name__}: {exc}",
                                                zygote_lost=isinstance(exc, ZygoteLost)).to_json().encode()
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
            os._exit(0)
        os.close(w)
        self.running[r] = _Running(ident, slot, pid, r, time.monotonic() + job.budget_s(), tmp_root)
        return None

    def read(self, fd: int) -> tuple[str, JobResult] | None:
        """Read a child's result pipe; its result once the child is done."""
        run = self.running[fd]
        data = os.read(fd, 1 << 20)
        if data:
            run.chunks.append(data)
            return None
        return self.finish(run, timed_out=False)

    def expire(self) -> list[tuple[str, JobResult]]:
        now = time.monotonic()
        late = [run for run in self.running.values() if run.deadline <= now]
        out = []
        for run in late:
            try:
                os.kill(run.pid, signal.SIGKILL)
            except OSError:
                pass
            out.append(self.finish(run, timed_out=True))
        return out

    def finish(self, run: _Running, *, timed_out: bool) -> tuple[str, JobResult]:
        from torchdojo.judge.student_zygote import ZygoteLost

        del self.running[run.fd]
        os.close(run.fd)
        _, status = os.waitpid(run.pid, 0)
        clean = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and not timed_out
        try:
            result = JobResult.from_json(b"".join(run.chunks)) if run.chunks else None
        except ValueError:
            result = None
        if result is None:
            why = "ran past its time budget" if timed_out else f"ended without a result (status {status})"
            result, clean = JobResult.infrastructure(f"the judge child {why}"), False
        if clean:
            try:
                self.zygote.slot(run.slot).killall()  # nothing of the job outlives it
            except ZygoteLost:
                clean = False
        if not clean:
            # A judge child that died mid-conversation leaves its slot's channel unknown.
            self.needs_restart = True
        shutil.rmtree(run.tmp_root, ignore_errors=True)
        self.free.append(run.slot)
        return run.ident, result

    def deadline(self) -> float | None:
        if not self.running:
            return None
        return max(0.0, min(run.deadline for run in self.running.values()) - time.monotonic())


#: How many times a job whose judge child or student zygote was lost is graded again, in a fresh zygote.
RETRIES = 2


def serve(server: Server, channel: Any) -> None:
    """Jobs in on stdin (``{"id": ..., "job": ...}`` lines), results out as they end
    (``{"id": ..., "result": ...}``)."""
    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    buffer = b""
    queue: list[tuple[str, str]] = []
    eof = False
    started: dict[str, tuple[str, int]] = {}  # ident -> (job line, tries so far)

    def answer(ident: str, result: JobResult) -> None:
        line, tries = started.pop(ident, ("", RETRIES))
        if result.zygote_lost:
            server.needs_restart = True  # retried or not, the next job gets a fresh zygote
        if result.infra_error and line and tries < RETRIES:
            # A failure of ours (a judge child or the zygote lost): never the
            # student's grade. Again, first in line; in a fresh zygote when the
            # old one was lost (a judge child that died asked for one already).
            started[ident] = (line, tries + 1)
            queue.insert(0, (ident, line))
            return
        channel.write(json.dumps({"id": ident, "result": result.to_dict()}) + "\n")

    while not (eof and not queue and not server.running):
        while queue and server.can_start():
            ident, line = queue.pop(0)
            started.setdefault(ident, (line, 0))
            try:
                early = server.start(ident, line)
            except Exception as exc:  # noqa: BLE001 - a bug of ours: report it, keep serving
                early = JobResult.infrastructure(f"{type(exc).__name__}: {exc}")
            if early is not None:
                started.pop(ident, None)  # not a job, or a failure before any grading: not retried
                answer(ident, early)
        if server.needs_restart and not server.running:
            server.restart_zygote()
            continue
        rlist = list(server.running) + ([] if eof else [stdin])
        if not rlist:
            continue
        ready, _, _ = select.select(rlist, [], [], server.deadline())
        for fd in ready:
            if fd == stdin:
                try:
                    data = os.read(stdin, 1 << 20)
                except BlockingIOError:
                    continue
                if not data:
                    eof = True
                    continue
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if not line.strip():
                        continue
                    try:
                        msg = json.loads(line)
                        queue.append((str(msg["id"]), json.dumps(msg["job"])))
                    except (ValueError, KeyError, TypeError):
                        answer("", JobResult.infrastructure("not a job line"))
            else:
                done = server.read(fd)
                if done is not None:
                    answer(*done)
        for ident, result in server.expire():
            answer(ident, result)


def _receive_environment() -> None:
    """Take the caller's environment (its first stdin line), now that the zygote is forked without it.

    The judge starts with the student's scrubbed environment, so the zygote
    it forks inherits no caller variable, not even as freed memory.
    """
    fd = sys.stdin.fileno()
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1)  # byte by byte: nothing of the first job line may be swallowed
        if not chunk:
            break
        data += chunk
    try:
        environ = json.loads(data) if data.strip() else {}
    except ValueError:
        environ = {}
    if not isinstance(environ, dict):
        return
    ours = {k: os.environ[k] for k in ("PYTHONPATH", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTHONDONTWRITEBYTECODE")
            if k in os.environ}
    os.environ.update({str(k): str(v) for k, v in environ.items()})
    os.environ.update(ours)
    os.environ.pop("PYTEST_ADDOPTS", None)
    # The caller's own path entries (tests, courses) were kept out of the startup path too.
    entries = [p for p in str(environ.get("PYTHONPATH", "")).split(os.pathsep) if p and p not in sys.path]
    first = ours.get("PYTHONPATH", "").split(os.pathsep)[0]
    at = sys.path.index(first) + 1 if first in sys.path else len(sys.path)
    sys.path[at:at] = entries
    if entries:
        os.environ["PYTHONPATH"] = os.pathsep.join([*ours.get("PYTHONPATH", "").split(os.pathsep), *entries])


def main() -> int:
    # The protocol channel is a private copy of stdout; fd 1 itself becomes
    # stderr so that stray prints (ours or a library's) cannot corrupt it.
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    args = sys.argv[1:]
    concurrency = 1
    if "--concurrency" in args:
        i = args.index("--concurrency")
        concurrency = int(args[i + 1])
        del args[i:i + 2]
    environ_on_stdin = "--environ-on-stdin" in args
    if environ_on_stdin:
        args.remove("--environ-on-stdin")
    server = Server(grader_files(args), concurrency,
                    on_forked=_receive_environment if environ_on_stdin else None)
    # Everything imported so far is long-lived: out of the children's collections
    # (and the collector, off while warming, on again). No collection first:
    # it would cost the first job a twentieth of a second to free almost nothing.
    gc.freeze()
    gc.enable()
    channel.write(JudgeHello(pid=os.getpid(), caps=server.zygote.caps).to_json() + "\n")
    serve(server, channel)
    server.zygote.close()
    channel.flush()
    # Nothing is left to clean up: skip the interpreter's teardown of torch (a third of a second).
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
