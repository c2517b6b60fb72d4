"""Shared fixtures: warm judges for the whole test session.

Starting a judge costs a torch import (its student zygote is forked from it), so
the session keeps one, with two slots (one per core of the CI machine):

* ``judge``: what ``check_workspace(..., judge=judge)`` takes. An identical job (same submission bytes, grader options,
  devices and secret; the feedback language does not matter, results carry
  both) is graded once per session: the fairness suites, the self-check and
  the Spanish-feedback tests share their gradings;
* ``uncached_judge``: the same judge, every job graded (determinism tests);
* ``class_executor``: for ``grade_class(..., executor=...)``, the same judge,
  uncached, left running afterwards.

Every process the session starts carries ``TORCHDOJO_TEST_MARK`` in its
environment, so tests can find student processes left behind
(:func:`leftover_students`).
"""

from __future__ import annotations

import copy
import hashlib
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from torchdojo.course import paths
from torchdojo.learner.check import check_workspace
from torchdojo.classroom.executor import LocalExecutor
from torchdojo.judge.service import Judge
from torchdojo.wire.report import TopicResult
from torchdojo.course.stubs import strip_markers
from torchdojo.wire.job import JobSpec
from torchdojo.wire.result import JobResult

#: Inherited by every judge, zygote and student process this session (this xdist worker) starts.
SESSION_MARK = f"torchdojo-tests-{os.getpid()}-{uuid.uuid4().hex}"
os.environ["TORCHDOJO_TEST_MARK"] = SESSION_MARK
JUDGES = 2


def job_key(job: JobSpec) -> str:
    """What makes two jobs grade alike: the files' names and bytes and every option but the language."""
    h = hashlib.sha256()
    for name in ("topic", "grader", "devices", "threads", "limits", "secret", "protect", "writable", "exercises"):
        h.update(repr(getattr(job, name)).encode())
    for path in (job.submission, *job.siblings):
        h.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return h.hexdigest()


class JudgePool:
    """The session's warm judge, with a slot per core (see the module docstring)."""

    def __init__(self, n: int = JUDGES):
        self.judge = Judge(concurrency=n)
        self.judge.start()
        self.judges = [self.judge]
        self._cache: dict[str, JobResult] = {}
        self._lock = threading.Lock()

    def run(self, job: JobSpec, *, cache: bool = True) -> JobResult:
        key = job_key(job) if cache else ""
        with self._lock:
            if key in self._cache:
                return copy.deepcopy(self._cache[key])
        result = self.judge.run(job)
        if cache and not result.infra_error:
            with self._lock:
                self._cache[key] = copy.deepcopy(result)
        return result

    def run_many(self, jobs: list[JobSpec]) -> list[JobResult]:
        """Grade several jobs on every slot at once (fills the cache)."""
        with ThreadPoolExecutor(self.judge.concurrency) as pool:
            return list(pool.map(self.run, jobs))

    def close(self) -> None:
        self.judge.close()


class _Uncached:
    def __init__(self, pool: JudgePool):
        self.pool = pool

    def run(self, job: JobSpec) -> JobResult:
        return self.pool.run(job, cache=False)


@pytest.fixture(scope="session")
def judge_pool():
    pool = JudgePool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def judge(judge_pool):
    return judge_pool


@pytest.fixture(scope="session")
def uncached_judge(judge_pool):
    return _Uncached(judge_pool)


@pytest.fixture(scope="session")
def class_executor(judge_pool):
    """For ``grade_class(..., executor=class_executor)``: the session's warm judges, not cached."""
    return LocalExecutor(0, judges=judge_pool.judges)


@pytest.fixture(scope="session")
def dask_client():
    """A real two-process Dask cluster for the session (workers find torchdojo through PYTHONPATH)."""
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    import logging

    src = str(Path(__file__).resolve().parents[1] / "src")
    old = os.environ.get("PYTHONPATH")
    # Only while the workers start (they keep it): a session-wide PYTHONPATH would make the
    # wheel-install tests later in this worker import the checkout instead of the wheel.
    os.environ["PYTHONPATH"] = src + (os.pathsep + old if old else "")
    try:
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    with cluster, distributed.Client(cluster, set_as_default=False) as client:
        yield client


def headless_dom(page: Path, profile: Path, screenshot: Path | None = None) -> tuple[str, str]:
    """``page`` rendered by a real headless Chromium: (the DOM after its scripts ran, Chromium's log).

    Also saves a ``screenshot`` when asked. Skips (saying why) where Chromium is
    not installed; ``.ci/run`` installs it.
    """
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"]
    url = page.resolve().as_uri()
    dom = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    if screenshot is not None:
        subprocess.run([chromium, *flags, f"--screenshot={screenshot}", "--window-size=1200,1600", url],
                       capture_output=True, text=True, timeout=120)
    return dom.stdout, dom.stderr


def reference_source(topic: str) -> str:
    """The reference solution of ``topic`` without solution markers."""
    return strip_markers((paths.solutions_dir() / f"{topic}.py").read_text(encoding="utf-8"))


@pytest.fixture
def grade(judge, uncached_judge, tmp_path):
    """``grade(source, topic)``: write ``<topic>.py`` to a fresh folder and grade it (``cached=False``: again)."""

    def _grade(source: str | bytes, topic: str = "tensors", *, name: str | None = None,
               lang: str = "en", extra: dict[str, str] | None = None, cached: bool = True,
               **options) -> TopicResult:
        folder = tmp_path / f"sub{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        target = folder / (name or f"{topic}.py")
        if isinstance(source, bytes):
            target.write_bytes(source)
        else:
            target.write_text(source, encoding="utf-8")
        for fname, text in (extra or {}).items():
            (folder / fname).write_text(text, encoding="utf-8")
        report = check_workspace(folder, [topic], device="cpu", lang=lang, record=False,
                                 judge=judge if cached else uncached_judge, **options)
        return report.topics[0]

    return _grade


def statuses(topic: TopicResult) -> dict[str, str]:
    return {e.id.split("/", 1)[1]: e.status for e in topic.exercises}


def by_name(topic: TopicResult, name: str):
    return next(e for e in topic.exercises if e.id.endswith("/" + name))


def leftover_students() -> list[tuple[int, int, str]]:
    """Student processes (anything forked from a student zygote) this session started that still run."""
    return [p for p in marked_processes(SESSION_MARK) if p[2] == "student"]


def marked_processes(mark: str) -> list[tuple[int, int, str]]:
    """Processes whose environment holds ``TORCHDOJO_TEST_MARK=mark``: (pid, parent pid, kind).

    A test sets the mark before starting a judge, so the judge, its student
    zygote and every process they start inherit it; ``kind`` is ``judge``,
    ``zygote`` (a student zygote), ``student`` (anything forked from one) or ``other``.
    """
    import os

    needle = f"TORCHDOJO_TEST_MARK={mark}".encode()
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read().rsplit(")", 1)[1].split()
            if stat[0] == "Z":
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        kind = "judge" if b"torchdojo.judge.server" in cmdline else (
            "zygote" if b"torchdojo.student.zygote" in cmdline else "other")
        out.append((int(entry), int(stat[1]), kind))
    # A student process has its zygote's command line: the zygote is the one a judge started.
    judges = {pid for pid, _, kind in out if kind == "judge"}
    return [(pid, ppid, "student" if kind == "zygote" and ppid not in judges else kind) for pid, ppid, kind in out]


#: Fixtures that start processes (judges, student processes, a Dask cluster): a test
#: that asks for one is a ``process`` test.
PROCESS_FIXTURES = {"judge", "judge_pool", "uncached_judge", "class_executor", "dask_client", "grade"}


def pytest_collection_modifyitems(config, items):
    """Mark the tests that use a process-starting fixture; every other test declares ``process`` itself."""
    for item in items:
        if set(getattr(item, "fixturenames", ())) & PROCESS_FIXTURES:
            item.add_marker(pytest.mark.process)


class UndeclaredProcess(RuntimeError):
    """A test without the ``process`` marker tried to start a process."""


def _refuse_processes(item) -> list[tuple[object, str, object]]:
    """Make every way of starting a process raise, for a test not marked ``process``."""

    def refuse(*_args, **_kwargs):
        raise UndeclaredProcess(f"{item.nodeid} starts a process: mark it @pytest.mark.process")

    import subprocess

    saved = [(subprocess.Popen, "_execute_child", subprocess.Popen._execute_child)]
    for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            saved.append((os, name, getattr(os, name)))
    for owner, name, _ in saved:
        setattr(owner, name, refuse)
    return saved


def _declared_only(item):
    if item.get_closest_marker("process"):
        return (yield)
    saved = _refuse_processes(item)
    try:
        return (yield)
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


# The marker is declared, never guessed: a test that starts a process without it
# fails (setup included, so a module fixture that starts a judge is caught too),
# which keeps ``-m "not process"`` fast and honest.
pytest_runtest_setup = pytest.hookimpl(wrapper=True)(_declared_only)
pytest_runtest_call = pytest.hookimpl(wrapper=True)(_declared_only)
