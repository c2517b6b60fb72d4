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


def grader_files(args: list[str]) -> list[str]:
    """Grader files named on the command line, folders expanded."""
    out: list[str] = []
    for arg in args:
        if os.path.isdir(arg):
            out += [os.path.join(arg, e) for e in sorted(os.listdir(arg)) if e.startswith("test_") and e.endswith(".py")]
        elif os.path.isfile(arg):
            out.append(arg)
    return out


def _trains(graders: list[str]) -> bool:
    for path in graders:
        try:
            with open(path, encoding="utf-8") as f:
                if "optim" in f.read():
                    return True
        except OSError:
            pass
    return False


def warm(graders: list[str]) -> None:
    """Import everything a grading child needs, so each fork starts warm."""
    # torch.cuda.is_available() through NVML, so that asking (in a child) does
    # not initialise the CUDA runtime before a fork.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    # Modules torch imports lazily on first use. torch._dynamo (about a second)
    # comes with the first optimiser step: graders that train get it here once
    # rather than in every child.
    lazy = ["torch.optim", "torch.utils.data", "torch.nn.functional", "torch.testing"]
    if _trains(graders):
        lazy.insert(0, "torch._dynamo")
    for name in lazy:
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
    from torchdojo.grading import compare, feedback, helpers, integrity, loader, plugin  # noqa: F401
    from torchdojo.sandbox import child  # noqa: F401

    # Graders are imported under the names pytest's default import mode gives
    # them, so pytest reuses these modules in every child instead of executing
    # the files again.
    for path in graders:
        folder, entry = os.path.split(path)
        if folder not in sys.path:
            sys.path.insert(0, folder)
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
    warm(grader_files(sys.argv[1:]))
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
