"""Supervise one grading job from the zygote: fork, watch, kill, resume.

A job grades one submission file for one topic. The child reports each test as
it ends. When an exercise runs past its limit, or the child dies during an
exercise, that exercise gets ``timeout`` or ``crashed`` and a new child resumes
with the exercises after it, so one bad function does not cost the rest.

The result is plain JSON data (see :class:`JobState`), turned into report
records by :mod:`torchdojo.grading.aggregate` in the caller.
"""

from __future__ import annotations

import os
import secrets
import selectors
import shutil
import signal
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from torchdojo.sandbox import limits
from torchdojo.sandbox.child import run_child
from torchdojo.sandbox.protocol import Reader

_SUBREAPER = False

# Files of a submission folder that never take part in grading: they would
# configure pytest or Python itself.
EXCLUDED = {"conftest.py", "sitecustomize.py", "usercustomize.py", "pytest.ini", "tox.ini", "setup.cfg"}
MAX_SIBLING_BYTES = 4 << 20
POLL_S = 0.05
_CONFLICT = ("resultado en conflicto para esta prueba (¿manipulación?): cuenta como error",
             "conflicting results for this test (tampering?): counted as an error")
_MISSING = ("esta prueba no llegó a informar de su resultado", "this test never reported a result")
_EXPECTED_CACHE: dict[tuple, dict[str, list[str]] | None] = {}
COLLECT_TIMEOUT_S = 60.0


def sibling_modules(submission: Path) -> list[Path]:
    """The other ``.py`` files beside a submission, which it may import (never pytest or site config)."""
    return [p for p in sorted(submission.parent.glob("*.py"))
            if p != submission and p.name not in EXCLUDED and p.is_file() and p.stat().st_size < MAX_SIBLING_BYTES]


def init_zygote() -> None:
    """Call once in the zygote before the first job."""
    global _SUBREAPER
    _SUBREAPER = limits.become_subreaper()


class JobState:
    """What the children of one job reported, merged over restarts."""

    def __init__(self, job: dict[str, Any]):
        self.job = job
        self.order = [e["name"] for e in job["exercises"]]
        self.timeouts = {e["name"]: float(e.get("timeout_s", 10.0)) for e in job["exercises"]}
        self.tests: dict[str, list[dict]] = {name: [] for name in self.order}
        # exercise -> {"status": "timeout"|"crashed", "es": ..., "en": ...}
        self.overrides: dict[str, dict[str, str]] = {}
        self.import_error: dict[str, str] | None = None
        self.cell_errors: list[list[str]] = []
        self.tampered: list[str] = []
        self.internal: list[str] = []
        self.output = bytearray()
        self.output_dropped = 0
        self.rejected_lines = 0
        self.started: list[str] = []
        self.children = 0
        self.devices: list[str] = []
        self.os_protections: list[str] = []
        #: Test names per exercise, from a trusted collection without student code.
        self.expected: dict[str, list[str]] | None = None
        self.collected: dict[str, list[str]] | None = None
        self.rejected_events = 0
        self.device_unavailable: str | None = None

    def add_test(self, event: dict, current: str | None) -> None:
        """Keep a test verdict if it is one the trusted collection expects.

        A verdict for an unknown test is dropped; a second verdict for the same
        test (a forgery racing the real one) turns that test into an error.
        """
        ex, name = event.get("ex"), event.get("name")
        if ex not in self.tests or ex != current:
            self.rejected_events += 1
            return
        if self.expected is not None and name not in self.expected.get(ex, ()):
            self.rejected_events += 1
            return
        for i, old in enumerate(self.tests[ex]):
            if old.get("name") == name:
                self.rejected_events += 1
                self.tests[ex][i] = {**old, "status": "error", "es": _CONFLICT[0], "en": _CONFLICT[1]}
                return
        self.tests[ex].append(event)

    def fill_missing(self) -> None:
        """Expected tests that never reported count as errors (unless the exercise was stopped)."""
        if self.expected is None or self.import_error:
            return
        for ex in self.order:
            if ex in self.overrides:
                continue
            seen = {t.get("name") for t in self.tests[ex]}
            for name in self.expected.get(ex, ()):
                if name not in seen:
                    self.tests[ex].append({"ex": ex, "name": name, "status": "error", "weight": 1.0,
                                           "es": _MISSING[0], "en": _MISSING[1]})

    def to_dict(self) -> dict[str, Any]:
        return {
            "tests": self.tests,
            "overrides": self.overrides,
            "import_error": self.import_error,
            "cell_errors": self.cell_errors,
            "tampered": self.tampered,
            "internal": self.internal,
            "output": self.output.decode("utf-8", "replace"),
            "output_dropped": self.output_dropped,
            "rejected_lines": self.rejected_lines,
            "rejected_events": self.rejected_events,
            "children": self.children,
            "devices": self.devices,
            "device_unavailable": self.device_unavailable,
            "protections": limits.protections({**self.job, "devices": self.devices}, _SUBREAPER)
            + self.os_protections,
        }


def _prepare(job: dict[str, Any]) -> Path:
    """A fresh private folder holding a copy of the submission's files."""
    workdir = Path(tempfile.mkdtemp(prefix="torchdojo-"))
    sub = workdir / "submission"
    sub.mkdir()
    source = Path(job["submission"])
    shutil.copyfile(source, sub / job["submission_name"])
    for extra in job.get("siblings", []):
        extra = Path(extra)
        if extra.name not in EXCLUDED and extra.name != job["submission_name"]:
            try:
                shutil.copyfile(extra, sub / extra.name)
            except OSError:
                pass
    return workdir


def _rmtree(path: Path) -> None:
    def onerror(func, p, _exc):
        try:
            os.chmod(p, stat.S_IRWXU)
            func(p)
        except OSError:
            pass

    for root, dirs, _files in os.walk(path):
        for d in dirs:
            try:
                os.chmod(os.path.join(root, d), stat.S_IRWXU)
            except OSError:
                pass
    shutil.rmtree(path, onerror=onerror)


def _kill_tree(pid: int, before: set[int]) -> None:
    """Kill the child's process group, then every orphan it left (adopted by us)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    me = os.getpid()
    for _ in range(50):
        strays = limits.children_of(me) - before
        if not strays:
            break
        for stray in strays:
            for kill in (os.killpg, os.kill):
                try:
                    kill(stray, signal.SIGKILL)
                except OSError:
                    pass
        for stray in strays:
            try:
                os.waitpid(stray, 0)
            except ChildProcessError:
                pass
        time.sleep(0.01)


def _exit_reason(status: int | None) -> tuple[str, str]:
    if status is None:
        return "sin código de salida", "no exit status"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        if sig == signal.SIGXFSZ:
            return "escribió un archivo demasiado grande", "wrote a file that is too large"
        return f"terminó por la señal {name}", f"was killed by signal {name}"
    return f"terminó con código {os.WEXITSTATUS(status)}", f"exited with code {os.WEXITSTATUS(status)}"


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Grade one submission for one topic; never raises for anything the student does."""
    state = JobState(job)
    state.expected = expected_tests(job)
    skip: set[str] = set()
    while True:
        state.children += 1
        verdict = _run_once(job, skip, state)
        if verdict == "finished":
            break
        # An exercise timed out or crashed: resume after it, unless nothing is left.
        skip = set(state.started) | set(state.overrides)
        if all(name in skip for name in state.order) or state.children > len(state.order) + 1:
            break
    state.fill_missing()
    return state.to_dict()


def expected_tests(job: dict[str, Any]) -> dict[str, list[str]] | None:
    """The grader's test names per exercise, collected once per grader and devices."""
    grader = Path(job["grader"])
    try:
        mtime = grader.stat().st_mtime_ns
    except OSError:
        return None
    key = (str(grader), mtime, repr(job.get("devices")), tuple(e["name"] for e in job["exercises"]))
    if key not in _EXPECTED_CACHE:
        probe = {**job, "collect_only": True}
        pstate = JobState(probe)
        _run_once(probe, set(), pstate)
        _EXPECTED_CACHE[key] = pstate.collected
    return _EXPECTED_CACHE[key]


def _run_once(job: dict[str, Any], skip: set[str], state: JobState) -> str:
    workdir = _prepare(job)
    token = secrets.token_hex(16)
    reader = Reader(token)
    r_res, w_res = os.pipe()
    r_out, w_out = os.pipe()
    before = limits.children_of(os.getpid())
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(r_res)
        os.close(r_out)
        run_child(job, workdir, w_res, w_out, token, skip)
    os.close(w_res)
    os.close(w_out)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child did it first
    memory_limit = int(job.get("memory_mb", 0)) << 20
    base_rss = limits.rss_bytes(os.getpid())
    output_limit = int(job.get("output_limit", 65536))

    phase = "import"
    current: str | None = None
    deadline = time.monotonic() + float(job.get("import_timeout_s", 10.0))
    finished = False
    exit_status: int | None = None
    killed_for: str | None = None

    sel = selectors.DefaultSelector()
    sel.register(r_res, selectors.EVENT_READ, "res")
    sel.register(r_out, selectors.EVENT_READ, "out")
    open_fds = {r_res, r_out}

    def handle(event: dict) -> None:
        nonlocal phase, current, deadline, finished
        kind = event.get("e")
        if kind == "import_error":
            state.import_error = {"es": str(event.get("es", "")), "en": str(event.get("en", ""))}
        elif kind == "imported":
            phase = "collect"
            state.cell_errors = event.get("cell_errors") or []
            deadline = time.monotonic() + COLLECT_TIMEOUT_S
        elif kind == "ex_start":
            name = event.get("ex")
            if name in state.tests:
                phase, current = "tests", name
                if name not in state.started:
                    state.started.append(name)
                deadline = time.monotonic() + state.timeouts[name]
        elif kind == "collected":
            if job.get("collect_only") and isinstance(event.get("tests"), dict):
                state.collected = {str(k): [str(n) for n in v] for k, v in event["tests"].items()}
        elif kind == "test":
            state.add_test(event, current)
        elif kind == "tamper":
            state.tampered.extend(str(w) for w in event.get("what", []))
        elif kind == "internal_error":
            state.internal.append(str(event.get("msg", ""))[:1000])
        elif kind == "protections":
            state.os_protections = [str(p) for p in event.get("active", [])][:10]
        elif kind == "devices":
            state.devices = [str(d) for d in event.get("devices", [])]
        elif kind == "device_unavailable":
            state.device_unavailable = str(event.get("device"))
        elif kind == "done":
            finished = True

    def drain(fd: int, tag: str) -> None:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            sel.unregister(fd)
            os.close(fd)
            open_fds.discard(fd)
            return
        if tag == "res":
            for event in reader.feed(data):
                handle(event)
        else:
            room = output_limit - len(state.output)
            if room > 0:
                state.output += data[:room]
            state.output_dropped += max(0, len(data) - max(room, 0))

    last_mem_check = 0.0
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                killed_for = "timeout"
                break
            for key, _ in sel.select(timeout=min(POLL_S, max(0.0, deadline - now))):
                drain(key.fd, key.data)
            if exit_status is None:
                done_pid, status = os.waitpid(pid, os.WNOHANG)
                if done_pid == pid:
                    exit_status = status
            if exit_status is not None:
                # Read what is left without waiting on descendants that may hold
                # the pipes open (bounded: a daemon could keep writing).
                for _ in range(256):
                    ready = sel.select(timeout=0) if open_fds else []
                    if not ready:
                        break
                    for key, _ in ready:
                        drain(key.fd, key.data)
                break
            if memory_limit and now - last_mem_check > 0.1:
                last_mem_check = now
                if limits.rss_bytes(pid) > base_rss + memory_limit:
                    killed_for = "memory"
                    break
    finally:
        _kill_tree(pid, before)
        for fd in list(open_fds):
            os.close(fd)
        sel.close()
        _rmtree(workdir)
    state.rejected_lines += reader.rejected

    if finished and killed_for is None:
        return "finished"
    if killed_for == "timeout":
        if phase == "import":
            secs = job.get("import_timeout_s", 10.0)
            state.import_error = {
                "es": f"importar el módulo tardó más de {secs:g} s (¿un bucle infinito al nivel del módulo?)",
                "en": f"importing the module took longer than {secs:g} s (an infinite loop at module level?)",
                "status": "timeout",
            }
            return "finished"
        if phase == "collect":
            state.internal.append("grader collection timed out")
            return "finished"
        assert current is not None
        secs = state.timeouts[current]
        state.overrides[current] = {
            "status": "timeout",
            "es": f"se superó el límite de tiempo de {secs:g} s (¿un bucle infinito o un entrenamiento demasiado largo?)",
            "en": f"ran past the time limit of {secs:g} s (an infinite loop, or training that is too long?)",
        }
        return "resume"
    if killed_for == "memory":
        mb = int(job.get("memory_mb", 0))
        es, en = (f"usó más de {mb} MiB de memoria", f"used more than {mb} MiB of memory")
    else:
        es, en = _exit_reason(exit_status)
    if phase == "import":
        if state.import_error is None:
            state.import_error = {"es": f"el proceso murió al importar el módulo: {es}",
                                  "en": f"the process died while importing the module: {en}",
                                  "status": "crashed"}
        return "finished"
    if phase == "collect" or current is None:
        state.internal.append(f"child died before the first exercise: {en}")
        return "finished"
    state.overrides[current] = {
        "status": "crashed",
        "es": f"el proceso murió durante este ejercicio: {es} (¿sys.exit, os._exit, memoria?)",
        "en": f"the process died during this exercise: {en} (sys.exit, os._exit, memory?)",
    }
    return "resume"
