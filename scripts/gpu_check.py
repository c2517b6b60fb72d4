"""Run every grader on an accelerator with the reference solutions and a few mistakes.

    python scripts/gpu_check.py [--device cuda] [--out gpu_check.json]

For each topic: the reference solution must get full marks on ``--device`` (the
device exercises run there, the others on the CPU), and each mistake listed in
MISTAKES (built from ``tests/variants/<topic>/mistakes.py``) must lose exactly
the exercise named. Mistakes that only show on a GPU (a function that ignores its
``device`` argument) are included: on the CPU they cannot be told apart.
Exit status 0 when every expectation holds. Needs no test framework.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the mistake tables and how to build them

#: Mistakes that only a GPU can reveal (skipped with --device cpu).
GPU_ONLY = {"mistake_range_ignores_device.py", "mistake_rand_ignores_device.py", "mistake_move_to_ignores_device.py",
            "mistake_train_batches_not_moved.py", "mistake_fit_model_not_moved.py",
            "mistake_finetune_data_not_moved.py"}
#: topic -> {variant file: exercise that must lose points}
MISTAKES = {
    "tensors": {
        "mistake_range_ignores_device.py": "make_range_matrix",
        "mistake_rand_ignores_device.py": "seeded_rand",
        "mistake_move_to_ignores_device.py": "move_to",
        "mistake_rand_global_seed.py": "seeded_rand",
        "mistake_batch_dim_last.py": "add_batch_dim",
    },
    "cnns": {
        "mistake_train_batches_not_moved.py": "train_epoch",
        "mistake_fit_model_not_moved.py": "fit",
        "mistake_conv_no_dilation.py": "conv_output_size",
    },
    "transfer_learning": {
        "mistake_finetune_data_not_moved.py": "fine_tune",
        "mistake_head_wrong_dtype_device.py": "replace_head",
        "mistake_finetune_train_mode.py": "fine_tune",  # BatchNorm statistics drift
    },
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", choices=("cuda", "mps", "auto", "cpu"))
    parser.add_argument("--out", default=None, help="also write the results as JSON here")
    args = parser.parse_args()

    from torchdojo import paths
    from torchdojo.check import check_workspace
    from torchdojo.errors import UserError
    from torchdojo.manifest import course
    from torchdojo.judge.service import Judge
    from variant_suite import build_mistake

    rows, ok = [], True
    work = Path(tempfile.mkdtemp(prefix="torchdojo-gpu-"))
    try:
        with Judge() as z:
            for topic in course().exercise_topics:
                reference = (paths.solutions_dir() / topic.module).read_text(encoding="utf-8")
                cases = [("reference", reference, None)]
                for name, exercise in MISTAKES.get(topic.id, {}).items():
                    if args.device == "cpu" and name in GPU_ONLY:
                        continue
                    cases.append((name, build_mistake(topic.id, name), exercise))
                for label, source, loses in cases:
                    folder = work / topic.id / label
                    folder.mkdir(parents=True)
                    (folder / topic.module).write_text(source, encoding="utf-8")
                    start = time.perf_counter()
                    try:
                        report = check_workspace(folder, [topic.id], device=args.device, lang="en",
                                                 record=False, judge=z)
                    except UserError as exc:
                        print(f"torchdojo gpu_check: {exc}", file=sys.stderr)
                        return 2
                    result = report.topics[0]
                    lost = sorted(e.id.split("/")[1] for e in result.exercises if e.status != "passed")
                    expected = [] if loses is None else [loses]
                    good = lost == expected
                    ok &= good
                    rows.append({"topic": topic.id, "case": label, "score": result.score,
                                 "max_score": result.max_score, "lost": lost, "expected_lost": expected,
                                 "ok": good, "seconds": round(time.perf_counter() - start, 2)})
                    print(f"{'OK ' if good else 'BAD'} {topic.id:<18} {label:<40} {result.score:g}/{result.max_score:g}"
                          f"  lost={lost}  ({rows[-1]['seconds']} s)")
                    if not good:
                        for e in result.exercises:
                            if e.status != "passed":
                                print(f"      {e.id}: {e.status}: {e.feedback[:300]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.out:
        Path(args.out).write_text(json.dumps({"device": args.device, "rows": rows}, indent=2), encoding="utf-8")
    print("all expectations hold" if ok else "SOME EXPECTATIONS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
