"""Run grading tasks on a Dask cluster (the executor behind ``--executor dask``).

>>> with DaskExecutor("tcp://scheduler:8786") as ex:                # doctest: +SKIP
...     for request, result in ex.run(grade_request, requests):
...         ...

Same interface as :class:`torchdojo.classroom.executor.LocalExecutor`: a context
manager whose ``run(fn, tasks)`` yields ``(task, result or exception)`` as tasks
finish, so :func:`torchdojo.classroom.batch.grade_class` writes each result to
the gradebook as it arrives, with the same resume guarantees as local grading.

On each worker a :class:`JudgePlugin` keeps warm judges (one per worker
thread; start workers with ``--nthreads 1``), and ``fn(judge, task)`` runs
there: the submission is graded in the same isolated child processes as on a
laptop. A :class:`torchdojo.wire.request.GradeRequest` carries the file's
bytes, so workers need no shared filesystem; they need torchdojo installed with
the same course content (checked when the executor starts).

Losing a worker loses no submission: the scheduler hands the tasks it was
running to another worker (up to ``distributed.scheduler.allowed-failures``
deaths per task), and each task is graded from its own request, with nothing
written on the worker, so grading it twice is harmless. The caller still
records one result per task: each future completes once.
"""

from __future__ import annotations

import functools
import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from distributed import Client, as_completed, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from torchdojo.text.errors import UserError
from torchdojo.judge.service import Judge

if TYPE_CHECKING:
    from distributed import Future

T = TypeVar("T")
R = TypeVar("R")

PLUGIN_NAME = "torchdojo-judge"
#: Retries of a task that *raised* (a judge that would not start, say); a task
#: whose worker died is rescheduled by Dask without counting against these.
DEFAULT_RETRIES = 2


class JudgePool:
    """Warm judges of one worker process; one per thread that grades at a time."""

    def __init__(self) -> None:
        # (judge, warm): a prestarted judge is spawned but not yet waited for.
        self._idle: queue.SimpleQueue[tuple[Judge, bool]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self.closed = False

    def prestart(self) -> None:
        """Spawn one judge without waiting: it imports torch while the worker idles."""
        z = Judge()
        z.spawn()
        self._idle.put((z, False))

    def acquire(self) -> Judge:
        try:
            z, warm = self._idle.get_nowait()
        except queue.Empty:
            z, warm = Judge(), False
        if not warm:
            try:
                z.start() if z.proc is None else z.wait_ready()
            except Exception:
                z.close()  # Judge.run starts it again, and reports a failure as the job's
        return z

    def release(self, z: Judge) -> None:
        with self._lock:
            if not self.closed:
                self._idle.put((z, True))
                return
        z.close()  # the pool closed while this one was grading

    def close(self) -> None:
        """Close the idle judges now; a busy one is closed when its task releases it."""
        with self._lock:
            self.closed = True
            idle = []
            while True:
                try:
                    idle.append(self._idle.get_nowait()[0])
                except queue.Empty:
                    break
        for z in idle:
            z.close()


class JudgePlugin(WorkerPlugin):
    """Gives every worker (present and future) a :class:`JudgePool`; closes it on teardown."""

    idempotent = True  # registering again (a second grading run) keeps the warm judges

    def __init__(self, prestart: bool = True):
        self.prestart = prestart
        self.pool: JudgePool | None = None

    def setup(self, worker: Any) -> None:
        self.pool = JudgePool()
        if self.prestart:
            self.pool.prestart()

    def teardown(self, worker: Any) -> None:
        if self.pool is not None:
            self.pool.close()


def _worker_pool() -> JudgePool:
    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, JudgePlugin) or plugin.pool is None:
        # A worker that joined while the plugin was being registered: set it up here.
        plugin = JudgePlugin(prestart=False)
        plugin.setup(worker)
        worker.plugins[PLUGIN_NAME] = plugin
    assert plugin.pool is not None
    return plugin.pool


class WorkerMismatch(RuntimeError):
    """A worker's graders or torchdojo differ from the caller's: its grades would too. Its argument: the address."""


def run_on_worker(fn: Callable[[Judge, T], R], task: T, fingerprint: str | None = None) -> R:
    """The Dask task: ``fn(judge, task)`` with one of this worker's warm judges.

    ``fingerprint``: the caller's course fingerprint; a worker with another one
    (one that joined the cluster with an older install, say) refuses the task.
    """
    if fingerprint is not None and worker_fingerprint() != fingerprint:
        raise WorkerMismatch(str(get_worker().address))
    pool = _worker_pool()
    z = pool.acquire()
    try:
        return fn(z, task)
    finally:
        pool.release(z)


@functools.lru_cache(maxsize=1)
def worker_fingerprint() -> str:
    """This process's course fingerprint (graders, quiz banks, manifest, torchdojo version).

    Computed once: a judge imports the graders when it starts, so a later
    change on disk would not reach it anyway.
    """
    from torchdojo.classroom.batch import course_fingerprint
    from torchdojo.course.manifest import course

    return course_fingerprint(course())


def _task_key(task: Any) -> str:
    # Unique per submitted request (pure=False semantics): two requests never
    # share a result, and the dashboard still shows whose file it is.
    who = "-".join(str(getattr(task, a, "")) for a in ("topic", "student") if getattr(task, a, ""))
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in who)[:60]
    return f"torchdojo-grade-{safe}-{uuid.uuid4().hex}"


class DaskExecutor:
    """Grade on the workers of a Dask cluster (a scheduler address or a ``Client``)."""

    name = "dask"

    def __init__(self, scheduler: str | Client, *, retries: int = DEFAULT_RETRIES, window: int | None = None,
                 check_workers: bool = True, connect_timeout_s: float = 30.0):
        """``window``: the most tasks in flight at once (default: 4 per worker thread, at least 256),
        so a class of 10,000 files does not sit in the scheduler's memory all at once."""
        self._scheduler = scheduler
        self.retries = retries
        self.window = window
        self.check_workers = check_workers
        self.connect_timeout_s = connect_timeout_s
        self.client: Client | None = scheduler if isinstance(scheduler, Client) else None
        self._own_client = self.client is None

    def __enter__(self) -> DaskExecutor:
        if self.client is None:
            try:
                self.client = Client(self._scheduler, timeout=self.connect_timeout_s, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise UserError("cannot reach the Dask scheduler at '{address}': {detail}",
                                address=self._scheduler, detail=str(exc)) from None
        try:
            try:
                self.client.wait_for_workers(1, timeout=self.connect_timeout_s)
            except TimeoutError:
                raise UserError("no Dask worker joined the scheduler at '{address}' in {seconds} s "
                                "(start one with: dask worker --nthreads 1 ADDRESS)",
                                address=self._scheduler, seconds=f"{self.connect_timeout_s:g}") from None
            if self.check_workers:
                self._check_workers()
            self.client.register_plugin(JudgePlugin(), name=PLUGIN_NAME)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _check_workers(self) -> None:
        """Refuse workers whose graders or course differ from the caller's (their grades would too)."""
        assert self.client is not None
        mine = worker_fingerprint()
        theirs = self.client.run(worker_fingerprint)
        wrong = sorted(addr for addr, fp in theirs.items() if fp != mine)
        if wrong:
            raise UserError("Dask workers {workers} have other graders or another torchdojo version: "
                            "install the same one everywhere", workers=", ".join(wrong))

    def __exit__(self, *exc: object) -> None:
        # The workers keep their warm judges for the next run; the plugin's
        # teardown closes them when a worker stops.
        if self._own_client and self.client is not None:
            self.client.close()
            self.client = None

    def _window(self) -> int:
        if self.window:
            return max(1, self.window)
        assert self.client is not None
        threads = sum(self.client.nthreads().values())
        return max(256, 4 * threads)

    def run(self, fn: Callable[[Judge, T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R | BaseException]]:
        """Yield ``(task, result or exception)`` as each task finishes (never raises for a task)."""
        assert self.client is not None, "use DaskExecutor as a context manager"
        client = self.client
        fingerprint = worker_fingerprint() if self.check_workers else None
        window = self._window()
        items = iter(tasks)
        pending: dict[Future, T] = {}

        def submit() -> Future | None:
            try:
                task = next(items)
            except StopIteration:
                return None
            fut = client.submit(run_on_worker, fn, task, fingerprint, key=_task_key(task), pure=False,
                                retries=self.retries)
            pending[fut] = task
            return fut

        first = [f for f in (submit() for _ in range(window)) if f is not None]
        finished = as_completed(first, loop=client.loop)  # our client need not be the default one
        for fut in finished:
            task = pending.pop(fut)
            try:
                outcome: R | BaseException = fut.result()
            except Exception as exc:  # the task raised after its retries (or KilledWorker)
                outcome = exc
                # Not this submission's fault: stop (grade_class re-raises a
                # UserError) so nothing wrong is recorded; a rerun resumes.
                if isinstance(exc, WorkerMismatch):
                    address = str(exc.args[0]) if exc.args else "?"
                    outcome = UserError("Dask worker {address} has other graders or another torchdojo version: "
                                        "install the same one everywhere", address=address)
                elif client.status not in ("running", "connecting", "newly-created"):
                    outcome = UserError("lost the Dask scheduler ({detail}); run the same command again to resume",
                                        detail=str(exc))
            fut.release()  # the result now lives in the caller's gradebook
            more = submit()
            if more is not None:
                finished.add(more)
            yield task, outcome
