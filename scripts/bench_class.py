"""Grade one class with ``nbgrader autograde`` and with ``torchdojo grade``, same notebooks, same run.

    python scripts/bench_class.py [--students 12] [--jobs 2] [--topic tensors]

Builds an nbgrader course with ``torchdojo nbgrader source``, releases it with
``nbgrader generate_assignment``, hands in N notebooks (half correct, a quarter
with realistic mistakes, a quarter broken: a syntax error, a cell that raises),
then times

* ``nbgrader autograde`` (a Jupyter kernel per notebook, as nbgrader does), and
* ``torchdojo grade submitted/ --topic T -j N`` (warm judges, a forked judge child per
  notebook) on the same ``submitted/`` folder,

and prints seconds per submission for both and the ratio. It also checks that
the exercise points agree. Needs the ``nbgrader`` extra. torchdojo's modules
are compiled first, as nbgrader's and torch's are (pip compiles what it installs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the course folder and print where it is")
    args = parser.parse_args()

    from test_nbgrader import TOPIC, _submission  # the same student notebooks as the agreement test

    from torchdojo.text import nbjson
    from torchdojo.editions.notebooks.nbgrader_source import write_source

    import compileall

    compileall.compile_dir(str(ROOT / "src" / "torchdojo"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="torchdojo-bench-class-"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", ""))
                                                      if p))
    try:
        course_dir = work / "course"
        write_source(course_dir, [TOPIC])
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", TOPIC, "--force"], cwd=course_dir,
                       env=env, check=True, capture_output=True)
        release = json.loads((course_dir / "release" / TOPIC / f"{TOPIC}.ipynb").read_text(encoding="utf-8"))
        kinds = ["correct", "correct", "mistaken", "broken"]
        for i in range(args.students):
            nb, _ = _submission(release, kinds[i % len(kinds)])
            folder = course_dir / "submitted" / f"s{i:03d}" / TOPIC
            folder.mkdir(parents=True)
            (folder / f"{TOPIC}.ipynb").write_text(nbjson.dumps(nb), encoding="utf-8")

        start = time.perf_counter()
        nb_run = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", TOPIC, "--force"], cwd=course_dir,
                                env=env, capture_output=True, text=True)
        t_nbgrader = time.perf_counter() - start
        if nb_run.returncode != 0:
            print(nb_run.stdout[-2000:], nb_run.stderr[-2000:])
            return 1

        out = work / "torchdojo-out"
        start = time.perf_counter()
        td_run = subprocess.run([sys.executable, "-m", "torchdojo", "--lang", "en", "grade",
                                 str(course_dir / "submitted"), "--topic", TOPIC, "-j", str(args.jobs),
                                 "--out", str(out), "--quiet"], env=env, capture_output=True, text=True)
        t_torchdojo = time.perf_counter() - start
        if td_run.returncode != 0:
            print(td_run.stderr[-2000:])
            return 1

        from nbgrader.api import Gradebook

        from torchdojo.course.manifest import course

        grades = json.loads((out / "grades.json").read_text(encoding="utf-8"))
        ours = {s["student"]: {e["id"].split("/")[1]: e["score"] for t in s["topics"] for e in t["exercises"]}
                for s in grades["students"]}
        disagreements = 0
        with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
            for sid, scores in ours.items():
                for ex in course().topic(TOPIC).exercises:
                    theirs = gb.find_grade(f"test_{ex.name}", TOPIC, TOPIC, sid).score
                    disagreements += abs(theirs - scores[ex.name]) > 1e-4
        n = args.students
        print(f"class: {n} notebooks of '{TOPIC}' (half correct, a quarter mistaken, a quarter broken)")
        print(f"nbgrader autograde             {t_nbgrader:7.1f} s   {t_nbgrader / n:6.2f} s/submission")
        print(f"torchdojo grade -j {args.jobs:<2}          {t_torchdojo:7.1f} s   {t_torchdojo / n:6.2f} s/submission")
        print(f"speed-up per submission        {t_nbgrader / t_torchdojo:7.1f}x")
        print(f"exercise points that disagree  {disagreements}")
        if args.keep:
            print(f"kept: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
