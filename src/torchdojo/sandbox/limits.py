"""OS-level limits and process hygiene for grading children (Linux first).

What is available differs by platform; :func:`protections` names what is active
so reports can say so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
import sys
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

_libc = None


def _prctl(option: int, arg: int) -> bool:
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    try:
        if _libc is None:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return _libc.prctl(option, arg, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Make this process adopt orphans of its descendants (double forks, daemons)."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def vm_size_bytes() -> int:
    """This process's virtual memory size (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _setrlimit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)  # never ask for more than allowed (raising it needs privileges)
    try:
        resource.setrlimit(which, (value, value if hard == resource.RLIM_INFINITY else hard))
    except (ValueError, OSError):
        pass  # some platforms refuse some limits; the wall clock and the watchdog still hold


def apply_child_limits(job: dict[str, Any]) -> None:
    """Limits set in the child before student code runs (all inherited by its children)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the zygote dies -> the child dies
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    file_mb = int(job.get("file_mb", 256))
    _setrlimit(resource.RLIMIT_CORE, 0)
    _setrlimit(resource.RLIMIT_FSIZE, file_mb << 20)
    memory_mb = int(job.get("memory_mb", 0))
    if memory_mb and job.get("limit_address_space", True) and sys.platform.startswith("linux"):
        # The child inherits the zygote's mappings (torch is big): allow those plus the budget.
        _setrlimit(resource.RLIMIT_AS, vm_size_bytes() + (memory_mb << 20))
    # A handler the student installs must not survive a kill; SIGKILL cannot be caught anyway.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def protections(job: dict[str, Any], subreaper: bool) -> list[str]:
    """Names of the protections active for a job, for the report."""
    out = ["separate process", "wall-clock limit (SIGKILL of the process group)", "private temp folder",
           "bounded output", "results over a private pipe", "integrity check of grading functions"]
    if sys.platform.startswith("linux"):
        out.append("RSS watchdog")
        out.append("parent-death signal")
    if (job.get("memory_mb") and job.get("limit_address_space", True) and sys.platform.startswith("linux")
            and "cuda" not in (job.get("devices") or [])):
        out.append(f"address-space limit (+{job['memory_mb']} MiB)")
    out.append(f"file-size limit ({job.get('file_mb', 256)} MiB)")
    if subreaper:
        out.append("child subreaper (orphans killed)")
    return out


def children_of(pid: int) -> set[int]:
    """Direct children of ``pid`` (Linux, from /proc)."""
    out: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    out.update(int(p) for p in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    if out:
        return out
    # Kernels without /proc/<pid>/task/<tid>/children: scan every process.
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            out.add(int(entry))
    return out
