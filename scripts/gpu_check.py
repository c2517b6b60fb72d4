"""Run every grader on an accelerator with the whole fairness corpus.

    python scripts/gpu_check.py [--device cuda] [--topic T ...] [--out gpu_check.json]

For each topic, the corpus of ``tests/variant_suite.py`` (the reference, every
correct style, the stub and every mistake of ``tests/variants/<topic>/mistakes.py``)
is graded with ``--device`` (``auto``: the CPU and every accelerator present;
``cuda``: device exercises on the GPU only), and checked against the
expectations of ``tests/test_<topic>_grader.py``: correct styles get full marks,
the stub is not attempted, each mistake loses exactly its exercise, and the
mistakes that only an accelerator can reveal (data left on the CPU) lose points
when the device is one. Exit status 0 when every expectation holds. Needs no
test framework; grades on two slots of one judge.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the corpus and the expectations

#: topic -> the test module holding its expectations
SUITES = {"tensors": "test_tensors_grader", "fc_nets": "test_fc_nets_grader", "cnns": "test_cnns_grader",
          "transfer_learning": "test_transfer_grader"}


def expectations(topic: str) -> dict[str, tuple[str, bool]]:
    """mistake file -> (exercise that loses points, whether only an accelerator reveals it)."""
    module = importlib.import_module(SUITES[topic])
    suite = next(v for v in vars(module).values() if isinstance(v, type) and getattr(v, "TOPIC", "") == topic)
    return {name: (exercise, accel) for name, (exercise, _, accel) in suite.MISTAKES.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", choices=("cuda", "mps", "auto", "cpu"))
    parser.add_argument("--topic", action="append", choices=sorted(SUITES), help="only these topics (repeatable)")
    parser.add_argument("--out", default=None, help="also write the results as JSON here")
    args = parser.parse_args()

    from torchdojo.learner.check import check_workspace
    from torchdojo.text.errors import UserError
    from torchdojo.judge.service import Judge
    from variant_suite import corpus

    accelerator = args.device in ("cuda", "mps") or (args.device == "auto" and _has_accelerator())
    rows, ok = [], True
    with tempfile.TemporaryDirectory(prefix="torchdojo-gpu-") as tmp, Judge(concurrency=2) as judge:
        for topic in args.topic or list(SUITES):
            mistakes = expectations(topic)
            cases = []
            for name, files in corpus(topic).items():
                folder = Path(tmp) / topic / name
                folder.mkdir(parents=True)
                for fname, data in files.items():
                    (folder / fname).write_bytes(data)
                cases.append((name, folder))

            def grade(case: tuple[str, Path], topic: str = topic) -> tuple[str, object, float]:
                start = time.perf_counter()
                report = check_workspace(case[1], [topic], device=args.device, lang="en", record=False, judge=judge)
                return case[0], report.topics[0], time.perf_counter() - start

            try:
                with ThreadPoolExecutor(2) as pool:
                    graded = list(pool.map(grade, cases))
            except UserError as exc:
                print(f"torchdojo gpu_check: {exc}", file=sys.stderr)
                return 2
            for name, result, seconds in graded:
                lost = sorted(e.id.split("/")[1] for e in result.exercises if e.score < e.max_score)
                statuses = {e.status for e in result.exercises}
                if name == "stub":
                    good, expected = statuses == {"not_attempted"}, "every exercise not attempted"
                elif name in mistakes:
                    exercise, accel_only = mistakes[name]
                    want = [exercise] if accelerator or not accel_only else []
                    good, expected = lost == want, f"lose {want}"
                else:
                    good, expected = lost == [] and statuses == {"passed"}, "full marks"
                ok &= good
                rows.append({"topic": topic, "case": name, "score": result.score, "max_score": result.max_score,
                             "lost": lost, "expected": expected, "ok": good, "seconds": round(seconds, 2)})
                print(f"{'OK ' if good else 'BAD'} {topic:<18} {name:<46} {result.score:g}/{result.max_score:g}"
                      f"  lost={lost}  ({seconds:.1f} s)")
                if not good:
                    for e in result.exercises:
                        if e.status != "passed":
                            print(f"      {e.id}: {e.status}: {e.feedback[:300]}")
    if args.out:
        Path(args.out).write_text(json.dumps({"device": args.device, "rows": rows}, indent=2), encoding="utf-8")
    print("all expectations hold" if ok else "SOME EXPECTATIONS FAILED")
    return 0 if ok else 1


def _has_accelerator() -> bool:
    import torch

    return torch.cuda.is_available() or torch.backends.mps.is_available()


if __name__ == "__main__":
    raise SystemExit(main())
