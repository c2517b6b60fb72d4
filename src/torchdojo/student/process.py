"""The student process: confine itself, import the submission, answer the judge.

:func:`run` never returns: it ends the process with ``os._exit`` so that no code
of the zygote runs after the student's.

The first frame it sends is a ``ready`` report (import error, notebook cell
errors, the protections that took effect); then :class:`~torchdojo.student.server.Server`
answers requests until the judge closes the socket or kills the process.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

from torchdojo.shared import confine, job_share as share
from torchdojo.student.loader import LoadError, LoadedModule, load_module
from torchdojo.student.server import Server
from torchdojo.wire.codec import encode
from torchdojo.wire.frames import send_frame

_exit = os._exit


def _redirect_output(out_fd: int) -> None:
    """stdin from /dev/null; stdout and stderr into the judge's bounded pipe."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="replace")


def run(spec: dict[str, Any], sock_fd: int, out_fd: int, read_rules: list, namespaces: bool,
        sandbox: list[str] = ()) -> None:
    """Everything the student process does (see the module docstring)."""
    status = 0
    try:
        _redirect_output(out_fd)
        confine.close_fds({sock_fd})
        workdir = Path(spec["workdir"])
        devices = list(spec.get("devices", ["cpu"]))
        cuda = any(d.startswith("cuda") for d in devices)
        protections = [confine.P_STUDENT_PROCESS]
        if namespaces:
            protections.append(confine.P_PIDNS)
            protections.append(confine.P_NETNS)
        protections += confine.apply_limits(file_mb=int(spec["file_mb"]), memory_mb=int(spec["memory_mb"]),
                                            limit_address_space=not cuda)
        protections += share.enter(spec)  # the job's share of the machine (torchdojo.shared.job_share)
        protections += sandbox
        if sandbox:
            # After the holder's mounts: nothing left to keep (see confine.enter_sandbox).
            if confine.drop_privileges():
                protections.append(confine.P_NO_CAPS)
        os.chdir(workdir)
        # Scratch space: the private, size-capped /dev/shm where the holder mounted one.
        scratch = "/dev/shm" if sandbox else str(workdir)
        for var in ("TMPDIR", "TEMP", "TMP", "HOME"):
            os.environ[var] = scratch
        os.environ["USER"] = os.environ["LOGNAME"] = "student"  # getpass without /etc/passwd
        tempfile.tempdir = scratch
        protections += confine.restrict(read_rules, str(workdir), devices=devices,
                                        writable=[str(p) for p in spec.get("writable", ())])
        import torch  # imported by the zygote already

        torch.set_num_threads(int(spec.get("threads", 1)))
        torch.manual_seed(0)
        sub = workdir / "submission"
        # The submission's folder first (its sibling modules), then the libraries.
        sys.path[:] = [str(sub)] + [p for p in sys.path if p and p != os.getcwd()]
        sock = socket.socket(fileno=sock_fd)
        # Sent before any student code runs, so the judge can trust this list.
        send_frame(sock, encode({"confined": protections}))
        start = time.perf_counter()
        path = sub / spec["filename"]
        try:
            # No file: a clean process, for work that must not run beside student code.
            loaded = load_module(path, spec["module"]) if spec["filename"] else LoadedModule(types.ModuleType("clean"))
            error = None
        except LoadError as exc:
            loaded, error = None, {"es": exc.es, "en": exc.en, "status": exc.status}
        ready = {
            "ready": True,
            "import_error": error,
            "cell_errors": [list(e) for e in loaded.cell_errors] if loaded else [],
            "import_s": round(time.perf_counter() - start, 4),
        }
        send_frame(sock, encode(ready))
        if loaded is not None:
            _serve(sock, loaded, path)
    except BaseException:  # noqa: BLE001 - the judge sees the closed socket
        status = 70
    finally:
        _exit(status)


def _serve(sock: socket.socket, loaded: LoadedModule, path: Path) -> None:
    Server(sock, loaded, path).serve()
