"""What runs in the forked grading child (and nothing else runs student code).

:func:`run_child` never returns: it ends the process with ``os._exit`` so that
no code of the zygote runs after the student's.
"""

from __future__ import annotations

import os
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

from torchdojo.sandbox import limits, oslimits
from torchdojo.sandbox.protocol import Emitter

_exit = os._exit


def _redirect_output(out_fd: int) -> None:
    """stdin from /dev/null; stdout and stderr into the bounded pipe."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
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


def _close_other_fds(keep: set[int]) -> None:
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 256))
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def run_child(job: dict[str, Any], workdir: Path, result_fd: int, out_fd: int, token: str, skip: set[str]) -> None:
    emit = Emitter(result_fd, token)
    status = 0
    try:
        os.setpgid(0, 0)
        _redirect_output(out_fd)
        _close_other_fds({result_fd})
        import torch  # already imported by the zygote

        devices = _resolve_devices(job.get("devices", "auto"), torch)
        # CUDA reserves huge address ranges: there the RSS watchdog limits memory instead.
        cuda = isinstance(devices, list) and any(torch.device(d).type == "cuda" for d in devices)
        limits.apply_child_limits({**job, "limit_address_space": job.get("limit_address_space", True) and not cuda})
        os.chdir(workdir)
        active = []
        if job.get("isolate_network", True) and oslimits.isolate_network():
            active.append("network namespace (no network)")
        if job.get("restrict_writes", True) and oslimits.restrict_writes([str(workdir), "/dev"]):
            active.append("Landlock (writes only in the private folder)")
        emit("protections", active=active)
        for var in ("TMPDIR", "TEMP", "TMP", "HOME"):
            os.environ[var] = str(workdir)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        os.environ.pop("PYTEST_ADDOPTS", None)
        tempfile.tempdir = str(workdir)
        _grade(job, workdir, emit, skip, devices)
    except BaseException as exc:  # noqa: BLE001 - report anything, then leave
        try:
            emit("internal_error", msg=f"{type(exc).__name__}: {exc}"[:1000])
        except BaseException:
            pass
        status = 70
    finally:
        _exit(status)


def available_devices(torch: Any) -> list[str]:
    """``cpu`` plus every accelerator torch sees (checked here, never in the zygote)."""
    out = ["cpu"]
    if torch.cuda.is_available():
        out.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.append("mps")
    return out


def _resolve_devices(wanted: Any, torch: Any) -> list[str] | str:
    """The grading devices; a device name (str) when one asked for is missing."""
    available = available_devices(torch)
    if wanted in (None, "auto"):
        return available
    if isinstance(wanted, str):
        wanted = [wanted]
    for d in wanted:
        if torch.device(d).type not in available:
            return d
    return list(wanted)


def _grade(job: dict[str, Any], workdir: Path, emit: Emitter, skip: set[str], devices: list[str] | str) -> None:
    import pytest
    import torch

    from torchdojo.grading import integrity
    from torchdojo.grading.loader import LoadedModule, LoadError, load_module
    from torchdojo.grading.plugin import GradingPlugin

    torch.set_num_threads(int(job.get("threads", 1)))
    torch.manual_seed(0)
    subdir = workdir / "submission"
    # The submission's own folder comes last: a student file named torch.py or
    # pytest.py must not shadow the real ones.
    sys.path.append(str(subdir))
    snap = integrity.snapshot()
    filename = job["submission_name"]
    if job.get("collect_only"):
        # Trusted pass, no student code: which tests exist, per exercise.
        loaded = LoadedModule(types.ModuleType(job["module"]))
    else:
        emit("import_start")
        try:
            loaded = load_module(subdir / filename, job["module"])
        except LoadError as exc:
            emit("import_error", es=exc.es, en=exc.en)
            emit("done")
            return
    changed = snap.changed()
    if changed:
        emit("tamper", what=changed[:10])
    emit("imported", cell_errors=[list(e) for e in loaded.cell_errors])
    if isinstance(devices, str):
        emit("device_unavailable", device=devices)
        emit("done")
        return
    emit("devices", devices=devices)
    plugin = GradingPlugin(
        student=loaded.module,
        filename=filename,
        exercises=job["exercises"],
        devices=devices,
        emit=emit,
        snapshot=snap,
        skip=skip,
    )
    plugin.tampered = bool(changed)
    ini = workdir / ".grader.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    grader = job["grader"]
    args = [
        grader,
        "-c", str(ini),
        "--rootdir", str(Path(grader).parent),
        "--confcutdir", str(Path(grader).parent),
        "-p", "no:cacheprovider",
        "-p", "no:faulthandler",
        "-p", "no:terminal",
        "-p", "no:warnings",
        "-p", "no:legacypath",
        # These two run several full gc.collect() passes at the end of the
        # session: seconds with torch loaded, and the child exits right after.
        "-p", "no:unraisableexception",
        "-p", "no:threadexception",
        "-s",  # student output goes straight to the bounded pipe
    ]
    if job.get("collect_only"):
        args.append("--collect-only")
    code = pytest.main(args, plugins=[plugin])
    if int(code) in (2, 3, 4):  # interrupted, internal error, usage error
        emit("internal_error", msg=f"pytest exited with {code!r}")
    if plugin.unmarked:
        emit("internal_error", msg=f"grader tests without an exercise marker: {plugin.unmarked[:5]}")
    emit("done")
