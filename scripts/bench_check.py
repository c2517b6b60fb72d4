"""Benchmarks for the self-learner loop (ratios measured in one run).

    python scripts/bench_check.py            # check tensors vs import torch, and per-topic times

1. Wall time of ``torchdojo check tensors`` on the reference solution against
   ``python -c "import torch"``, both as fresh processes, same run (median of N).
   torchdojo's modules are compiled first, as torch's are: pip compiles a wheel
   at install time, and an editable install compiles on first use unless
   ``PYTHONDONTWRITEBYTECODE`` is set (as on our CI machine).
2. For every topic with exercises: wall time of grading the reference solution
   with a warm judge (the cost per topic) and of a whole ``torchdojo check TOPIC``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from torchdojo.course import paths
    from torchdojo.learner.check import check_workspace
    from torchdojo.course.manifest import course
    from torchdojo.judge.service import Judge

    import compileall

    compileall.compile_dir(str(ROOT / "src" / "torchdojo"), quiet=1)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    work = Path(tempfile.mkdtemp(prefix="torchdojo-bench-"))
    try:
        for topic in course().exercise_topics:
            shutil.copy(paths.solutions_dir() / topic.module, work / topic.module)
        import_torch, check_tensors = [], []
        for _ in range(args.repeat):
            import_torch.append(timed([sys.executable, "-c", "import torch"], env))
            check_tensors.append(timed([sys.executable, "-m", "torchdojo", "check", "tensors", "-w", str(work),
                                        "--device", "cpu"], env))
        a, b = statistics.median(import_torch), statistics.median(check_tensors)
        print(f"python -c 'import torch'      {a:6.2f} s (median of {args.repeat})")
        print(f"torchdojo check tensors        {b:6.2f} s (median of {args.repeat})")
        print(f"ratio check / import torch     {b / a:6.2f}")
        print()
        with Judge() as z:
            for topic in course().exercise_topics:
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    report = check_workspace(work, [topic.id], device="cpu", record=False, judge=z)
                    times.append(time.perf_counter() - start)
                t = report.topics[0]
                print(f"{topic.id:<20} warm grading {statistics.median(times):6.2f} s   "
                      f"score {t.score:g}/{t.max_score:g}")
        for topic in course().exercise_topics:
            whole = statistics.median(timed([sys.executable, "-m", "torchdojo", "check", topic.id, "-w", str(work),
                                             "--device", "cpu"], env) for _ in range(args.repeat))
            print(f"{topic.id:<20} torchdojo check (fresh process) {whole:6.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
