"""Run grading tasks on warm judges, in parallel (the local executor).

Each worker is a thread that borrows a slot of one warm judge (one student
zygote for all); the judge forks a child per submission, which grades it
against a student process. Threads only wait on pipes, so the GIL is not a
bottleneck, and the caller never forks.
"""

from __future__ import annotations

import queue
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator, TypeVar

from torchdojo.judge.service import Judge

T = TypeVar("T")
R = TypeVar("R")


class LocalExecutor:
    """``workers`` jobs at once on this machine, on one warm judge with that many slots."""

    name = "local"
    #: Its tasks run on this machine: they grade the class layout's private copies where they are.
    shares_files = True

    def __init__(self, workers: int, topics: list[str] | None = None, judges: list[Judge] | None = None):
        """``judges``: warm judges to grade with (left running afterwards); else one new judge."""
        self.topics = topics
        self._given = list(judges or [])
        self.workers = sum(j.concurrency for j in self._given) if self._given else max(1, int(workers))
        self._judges: queue.Queue[Judge] = queue.Queue()
        self._all: list[Judge] = []

    def __enter__(self) -> LocalExecutor:
        judges = self._given
        if not judges:
            judge = Judge(topics=self.topics, concurrency=self.workers)
            judge.start()
            self._all = judges = [judge]
        for judge in judges:
            for _ in range(judge.concurrency):  # one borrower per slot
                self._judges.put(judge)
        return self

    def __exit__(self, *exc: object) -> None:
        for z in self._all:
            z.close()
        self._all = []
        self._judges = queue.Queue()

    def _call(self, fn: Callable[[Judge, T], R], task: T) -> R:
        z = self._judges.get()
        try:
            return fn(z, task)
        finally:
            self._judges.put(z)

    def run(self, fn: Callable[[Judge, T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R | BaseException]]:
        """Yield ``(task, result or exception)`` as each task finishes (never raises for a task)."""
        pending: dict[Future, Any] = {}
        items = iter(tasks)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="torchdojo-grade") as pool:
            def refill() -> None:
                while len(pending) < self.workers * 2:
                    try:
                        task = next(items)
                    except StopIteration:
                        return
                    pending[pool.submit(self._call, fn, task)] = task

            refill()
            while pending:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in done:
                    task = pending.pop(fut)
                    exc = fut.exception()
                    yield task, (exc if exc is not None else fut.result())
                refill()
