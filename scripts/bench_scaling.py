"""How grading a class scales: the local executor and 1, 2, 4 Dask workers on this machine.

    PYTHONPATH=src python scripts/bench_scaling.py [--students 24] [--workers 1 2 4] [--local-jobs 1 2]

Grades the same synthetic class (tensors topic; correct, notebook, mistaken,
stub, syntax-error and binary submissions in turn) once per configuration, into
a fresh output folder each time, and prints for each:

* ``wall``: the whole grade_class call, judge warm-up included;
* ``steady``: submissions per second between the first and the last result
  (warm judges: what a long run of a big class sees);
* ``s/sub/worker``: seconds one worker spends per submission in steady state,
  the number to size a cluster with (docs/dask.md);
* ``grade s``: the mean time inside the sandbox (the judge's answer to one
  submission), and ``overhead s``: the difference, i.e. what the executor
  (threads, pipes, or Dask's scheduler and network) adds to each submission.

The Dask overhead per submission is also shown as the 1-worker Dask figure
minus the 1-job local figure. Each Dask worker is a process with one thread and one judge,
as ``dask worker --nthreads 1`` starts them; on a machine with fewer cores than
workers the figures show contention, not scaling.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from classbuilder import mixed_class

from torchdojo.classroom.batch import grade_class


def timed(klass: Path, out: Path, **kw: object) -> dict[str, float]:
    stamps: list[float] = []
    start = time.perf_counter()
    result = grade_class(klass, out=out, topics=["tensors"], lang="en",
                         on_result=lambda *_: stamps.append(time.perf_counter()), **kw)
    wall = time.perf_counter() - start
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else 0.0
    grade = statistics.mean(t.duration_s for topics in result.results.values() for t in topics.values())
    return {"n": len(stamps), "wall": wall, "rate": len(stamps) / wall, "steady": steady, "grade": grade}


def row(label: str, workers: int, r: dict[str, float]) -> dict[str, float]:
    per = workers / r["steady"] if r["steady"] else float("nan")
    print(f"{label:<16} {workers:>3} {r['n']:>5} {r['wall']:>8.1f} {r['rate']:>9.2f} {r['steady']:>10.2f} {per:>13.3f}"
          f" {r['grade']:>8.3f} {per - r['grade']:>+11.3f}", flush=True)
    return {**r, "per": per}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--local-jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--kind", action="append", dest="kinds", metavar="KIND",
                        help="only this kind of submission (repeatable; e.g. correct); default: a mix of all")
    args = parser.parse_args()
    # Dask worker processes are spawned: they find torchdojo through PYTHONPATH.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="torchdojo-bench-") as tmp:
        klass = mixed_class(Path(tmp) / "class", args.students, args.kinds)
        mix = (", ".join(args.kinds) if args.kinds
               else "mixed: correct, notebook, 2 mistakes, stub, syntax error, binary")
        print(f"{args.students} submissions (tensors; {mix}), {os.cpu_count()} CPU cores")
        print(f"{'executor':<16} {'wrk':>3} {'subs':>5} {'wall s':>8} {'subs/s':>9} {'steady/s':>10} "
              f"{'s/sub/worker':>13} {'grade s':>8} {'overhead s':>11}")
        results = {}
        for jobs in args.local_jobs:
            results[("local", jobs)] = row("local", jobs, timed(klass, Path(tmp) / f"local{jobs}", jobs=jobs))
        from distributed import Client, LocalCluster

        from torchdojo.classroom.dask_executor import DaskExecutor

        for workers in args.workers:
            t0 = time.perf_counter()
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                              silence_logs=logging.ERROR) as cluster, Client(cluster, set_as_default=False) as client:
                started = time.perf_counter() - t0
                cold = timed(klass, Path(tmp) / f"dask{workers}a", executor=DaskExecutor(client))
                results[("dask-cold", workers)] = row("dask (cold)", workers, cold)
                # Second class on the same cluster: the workers' judges are already warm.
                warm = timed(klass, Path(tmp) / f"dask{workers}b", executor=DaskExecutor(client))
                results[("dask", workers)] = row("dask (warm)", workers, warm)
            print(f"{'':<16} cluster of {workers} started in {started:.1f} s")
        if ("local", 1) in results and ("dask", 1) in results:
            local, dask = results[("local", 1)]["per"], results[("dask", 1)]["per"]
            print(f"Dask overhead per submission (1 worker vs 1 local job, steady state): "
                  f"{dask - local:+.3f} s ({dask:.3f} vs {local:.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
