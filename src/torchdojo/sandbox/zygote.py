"""The warm grading process: ``python -m torchdojo.sandbox.zygote``.

It imports torch, pytest and the graders once, then reads jobs (one JSON object
per line) on stdin and answers each with one JSON line on stdout. It never runs
a torch operation itself: a child forked after OpenMP work can deadlock.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
from typing import Any


def warm(grader_dirs: list[str]) -> None:
    """Import everything a grading child needs, so each fork starts warm."""
    # torch.cuda.is_available() through NVML, so that asking (in a child) does
    # not initialise the CUDA runtime before a fork.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    # Modules torch imports lazily on first use. torch._dynamo, pulled in by the
    # first optimiser step, rebinds torch.manual_seed: importing it here keeps
    # that from looking like tampering, and saves every child the import.
    for name in ("torch._dynamo", "torch.optim", "torch.utils.data", "torch.nn.functional", "torch.testing"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
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
    from torchdojo.grading import compare, feedback, integrity, loader, plugin  # noqa: F401
    from torchdojo.sandbox import child  # noqa: F401

    # Graders are imported under the names pytest's default import mode gives
    # them, so pytest reuses these modules in every child instead of executing
    # the files again.
    for folder in grader_dirs:
        if folder not in sys.path:
            sys.path.insert(0, folder)
        for entry in sorted(os.listdir(folder)):
            if entry.startswith("test_") and entry.endswith(".py"):
                try:
                    importlib.import_module(entry[:-3])
                except Exception as exc:  # a broken grader is reported per job
                    print(f"torchdojo zygote: cannot import grader {entry}: {exc}", file=sys.stderr)


def main() -> int:
    from torchdojo.sandbox import runner

    # The protocol channel is a private copy of stdout; fd 1 itself becomes stderr
    # so that stray prints (ours or a library's) cannot corrupt the protocol.
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    grader_dirs = [d for d in sys.argv[1:] if os.path.isdir(d)]
    warm(grader_dirs)
    runner.init_zygote()
    # Everything imported so far is long-lived: keep it out of the children's
    # garbage collections (and their pages shared, copy-on-write).
    gc.collect()
    gc.freeze()
    channel.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            job: dict[str, Any] = json.loads(line)
            result = runner.run_job(job)
        except Exception as exc:  # a bug of ours: report it, keep serving
            result = {"zygote_error": f"{type(exc).__name__}: {exc}"}
        channel.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
