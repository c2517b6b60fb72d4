"""One torch import per judge: warm the student side, then fork the student zygote from that state.

The judge server (:mod:`torchdojo.judge.server`) calls :func:`fork_student_zygote`
first thing, before it imports anything of the judge (pytest, graders, the
plugin) and before it learns anything secret (the caller hands it its
environment only afterwards, and a grading secret comes per job). Here the
process imports numpy, torch and exactly the student-side modules
(:data:`torchdojo.shared.confine.STUDENT_MODULES`), runs no torch operation (a
child forked after OpenMP work can deadlock), and forks: the child becomes the
student zygote by running ``torchdojo.student.zygote`` as ``__main__`` (it
finds everything imported already), the parent goes on to import the judge
side. So ``torchdojo check`` pays for torch once, not twice.

The child is made to look like a zygote started by
:meth:`torchdojo.judge.student_zygote.StudentZygote.spawn` (which restarts a
lost zygote the old way): its own session, ``/`` as working folder, no stdin,
only its control sockets and stdio open, the scrubbed environment of
:func:`student_environment`, torchdojo's folder alone on ``sys.path`` beyond
the interpreter's, and its command line rewritten to the zygote's.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import runpy
import socket
import sys

#: Environment variables student processes inherit: what libraries need to run
#: (locale, paths, accelerators, thread counts). Everything else (a grading
#: secret, tokens, the instructor's paths) stays out of their reach.
_ENV_NAMES = {"PATH", "LANG", "LANGUAGE", "TZ", "LD_LIBRARY_PATH", "TORCHDOJO_TEST_MARK", "OMP_NUM_THREADS",
              "SYSTEMROOT"}
_ENV_PREFIXES = ("LC_", "CUDA_", "NVIDIA_", "HIP_", "ROCR_", "PYTORCH_", "MKL_", "OPENBLAS_", "KMP_")

#: The student zygote's entry point, run as ``__main__`` in the forked child only.
ZYGOTE_MODULE = "torchdojo.student.zygote"


def student_environment(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """The environment a student zygote (and so every student process) starts with."""
    return {k: v for k, v in environ.items()
            if (k in _ENV_NAMES or k.startswith(_ENV_PREFIXES)) and "SECRET" not in k.upper()}


def zygote_environment(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """The whole environment of a student zygote, forked or spawned: the scrubbed one, torchdojo's
    folder alone on ``PYTHONPATH``, no bytecode written."""
    env = student_environment(environ)
    env["PYTHONPATH"] = package_parent()
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    return env


def package_parent() -> str:
    """The folder holding the ``torchdojo`` package (the student side's only entry on ``PYTHONPATH``)."""
    import torchdojo

    return os.path.dirname(os.path.dirname(os.path.realpath(torchdojo.__file__)))


def import_torch_parts(training: bool, extra: tuple[str, ...] = ()) -> None:
    """numpy, torch and the parts of them torch imports only on first use, so that forks start warm.

    ``training``: also ``torch._dynamo`` (about a second), which comes with the first optimiser step.
    ``extra``: more modules for this side; one that is missing is skipped.
    """
    import numpy  # noqa: F401
    import torch  # noqa: F401

    lazy = ("torch._dynamo",) * training + ("torch.optim", "torch.utils.data", "torch.nn.functional") + extra
    for name in lazy:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def warm_student_side(training: bool) -> None:
    """Import what student code and the student side need (and nothing else), running no torch operation."""
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import_torch_parts(training, ("numpy.random",))
    # Everything of torchdojo the student process runs: after Landlock it can
    # read no other file of the package (the read rules use the same list).
    from torchdojo.shared.confine import STUDENT_MODULES

    for name in STUDENT_MODULES:
        importlib.import_module(name)
    # The Spanish catalog too: messages the student side says (shared.source) render from it after Landlock.
    from torchdojo.text.i18n import catalog

    catalog("es")


def fork_student_zygote(training: bool, slots: int) -> tuple[int, list[socket.socket]]:
    """Warm the student side, fork the zygote; returns its pid and our end of each slot's control socket.

    The cyclic garbage collector stays off from here on in the judge (the
    judge server turns it back on once warm): imports make no garbage worth
    collecting, and its passes over torch's objects cost a tenth of a second.
    The zygote turns it on at once.
    """
    gc.disable()
    warm_student_side(training)
    pairs = [socket.socketpair() for _ in range(max(1, int(slots)))]
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        # Frozen first: collecting all that was imported with the collector off would take a tenth of a second.
        gc.freeze()
        gc.enable()
        code = 70
        try:
            for ours, _ in pairs:
                ours.close()
            theirs = [t for _, t in pairs]
            argv = [ZYGOTE_MODULE, ",".join(str(t.fileno()) for t in theirs)] + (["--training"] if training else [])
            _become_zygote([t.fileno() for t in theirs], argv)
            runpy.run_module(ZYGOTE_MODULE, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - the judge sees a zygote that never said hello
            code = 70
        finally:
            os._exit(code)
    for _, theirs in pairs:
        theirs.close()
    return pid, [ours for ours, _ in pairs]


def _become_zygote(keep: list[int], argv: list[str]) -> None:
    """What ``subprocess.Popen`` gave the spawned zygote: session, folder, fds, environment, path, name."""
    os.setsid()
    # The judge's working folder is not on the student's path (its -m entry).
    here = os.path.realpath(os.getcwd())
    sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != here]
    parent = package_parent()
    pythonpath = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    # The judge's own PYTHONPATH entries other than torchdojo's folder leave the path.
    sys.path[:] = [p for p in sys.path if p == parent or p not in pythonpath]
    os.chdir("/")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)  # never the judge's protocol channel
    os.closerange(3, min(keep))
    for low, high in zip(sorted(keep), sorted(keep)[1:] + [_max_fd()]):
        os.closerange(low + 1, high)
    env = zygote_environment(os.environ)
    os.environ.clear()
    os.environ.update(env)
    sys.argv[:] = ["-m", *argv[1:]]
    _set_command_line([sys.executable, "-m", *argv])


def _max_fd() -> int:
    try:
        return max(int(fd) for fd in os.listdir("/proc/self/fd")) + 1
    except (OSError, ValueError):
        return os.sysconf("SC_OPEN_MAX")


def _set_command_line(words: list[str]) -> None:
    """Rewrite this process's ``/proc/self/cmdline`` (what ``ps`` shows) in place, as setproctitle does."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        # Fields 48 and 49 of proc(5) (arg_start, arg_end), counted from the state (field 3).
        start, end = int(fields[48 - 3]), int(fields[49 - 3])
    except (OSError, ValueError, IndexError):
        return
    data = b"\0".join(w.encode() for w in words) + b"\0"
    size = end - start
    if size <= 0:
        return
    data = data[:size - 1] + b"\0" if len(data) > size else data + b"\0" * (size - len(data))
    ctypes.memmove(start, data, size)
