"""A share of the machine per job: CPU, memory of the whole process tree, and processes.

One grading job (a submission on one zygote slot) gets its own control group,
made by the student zygote on the job's first student process and removed,
everything in it killed first, when its judge says the job is over
(``killall``). Every student process of the job (the clean one included) and
all it starts live in it:

* ``cpu``: the same weight for every job, so 24 spinners of one student share
  that job's part of the CPU, not the classmates'; a child group gets no
  real-time budget (cgroup v1 ``cpu.rt_runtime_us`` is 0), so ``SCHED_FIFO``
  is refused even to a process that kept ``CAP_SYS_NICE``;
* ``memory``: a hard limit on everything the tree charges (children, and the
  tmpfs pages of a private ``/dev/shm``), a little above the job's budget; the
  judge's watchdog reads the group's own count (:func:`usage`) and gives the
  "memory" verdict at the budget;
* ``pids``: at most :data:`MAX_TASKS` tasks, so a fork bomb fails with EAGAIN
  inside its own job.

cgroup v2 is used where this process's group (or the unified root) is a
writable, delegated subtree; else the cgroup v1 controllers that are writable.
Where neither is, the student process still gets rlimits (:func:`limit_student`):
``RLIMIT_NPROC`` (per uid in its user namespace: no bound for a process that is
plain root), ``RLIMIT_RTPRIO`` 0 and ``RLIMIT_NICE`` 0 (no real-time priority, no
negative nice, once it holds no ``CAP_SYS_NICE``), and a seccomp filter that
refuses ``setsid`` after its own setup (its processes stay in one scheduler
autogroup); the judge's watchdog then sums the memory of every process in the
tree (:func:`tree_memory`). What could not be applied is listed by
:func:`missing_protections`.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import sys
import time

from torchdojo.text.i18n import N_

# What a job's share of the machine protects, as the report lists it: English catalog messages,
# formatted where they take effect, translated where they are shown (confine.describe_protection).
P_GROUP = N_("{kind} per job: {what}")
P_CPU = N_("CPU (an equal share per job, at most a slot's CPUs)")
P_MEMORY = N_("memory of every process of the job")
P_PIDS = N_("at most {n} tasks")
P_CPUSET = N_("CPUs of its own slot")
P_NO_RT = N_("no real-time priority and no negative nice (rlimits)")
P_NPROC = N_("process limit ({n} per user)")
P_NO_SETSID = N_("seccomp: no new sessions and no change of CPUs (one scheduler group, on its own CPUs)")
P_PINNED = N_("pinned to its slot's CPUs ({cpus})")
PROTECTIONS = (P_GROUP, P_CPU, P_MEMORY, P_PIDS, P_CPUSET, P_NO_RT, P_NPROC, P_NO_SETSID, P_PINNED)

#: Tasks (processes and threads) one job may have at once.
MAX_TASKS = 512
#: The cgroup's hard memory limit is the job's budget plus this (the watchdog acts at the budget).
SLACK_MB = 256
V1_ROOT = "/sys/fs/cgroup"
V1_CONTROLLERS = ("cpu", "memory", "pids", "freezer", "cpuset")
_NEEDED = ("cpu", "memory", "pids")


def _own_groups() -> dict[str, str]:
    """controller -> this process's cgroup path ("" for the v2 unified hierarchy)."""
    out: dict[str, str] = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, names, path = line.rstrip("\n").split(":", 2)
                for name in (names.split(",") if names else [""]):
                    out[name] = path
    except (OSError, ValueError):
        pass
    return out


def _writable_dir(base: str) -> bool:
    probe = os.path.join(base, f"torchdojo-probe-{os.getpid()}")
    try:
        os.mkdir(probe)
    except OSError:
        return False
    try:
        os.rmdir(probe)
    except OSError:
        pass
    return True


def _v2_base(prepare: bool) -> str | None:
    """A v2 folder where job groups with cpu, memory and pids may be made (made when ``prepare``), or None."""
    groups = _own_groups()
    if "" not in groups:
        return None
    for mount in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
        if os.path.exists(os.path.join(mount, "cgroup.controllers")):
            break
    else:
        return None
    base = os.path.normpath(mount + groups[""])
    try:
        with open(os.path.join(base, "cgroup.controllers")) as f:
            have = set(f.read().split())
    except OSError:
        return None
    if not set(_NEEDED) <= have or not _writable_dir(base):
        return None
    if not prepare:
        return base
    # Delegated: the controllers must be on for the children of ``base``; a group
    # that holds processes cannot turn them on (no internal processes), so
    # job groups go into a leaf of their own below a new parent.
    parent = os.path.join(base, f"torchdojo-{os.getpid()}")
    try:
        os.makedirs(parent, exist_ok=True)
        with open(os.path.join(base, "cgroup.subtree_control"), "w") as f:
            f.write(" ".join(f"+{c}" for c in _NEEDED))
        with open(os.path.join(parent, "cgroup.subtree_control"), "w") as f:
            f.write(" ".join(f"+{c}" for c in _NEEDED))
    except OSError:
        try:
            os.rmdir(parent)
        except OSError:
            pass
        return None
    return parent


def _v1_bases() -> dict[str, str]:
    groups = _own_groups()
    out = {}
    for name in V1_CONTROLLERS:
        base = os.path.normpath(os.path.join(V1_ROOT, name) + groups.get(name, "/"))
        if os.path.exists(os.path.join(base, "cgroup.procs")) and _writable_dir(base):
            out[name] = base
    return out


def detect(prepare: bool = False) -> dict[str, object]:
    """Which kind of per-job group this process can make: ``{"kind": "cgroup2"|"cgroup1"|"", ...}``.

    ``prepare`` (in the zygote): also make the v2 parent folder job groups go into.
    """
    if not sys.platform.startswith("linux"):
        return {"kind": "", "controllers": []}
    base = _v2_base(prepare)
    if base:
        return {"kind": "cgroup2", "controllers": list(_NEEDED), "bases": {"": base}}
    bases = _v1_bases()
    if bases:
        return {"kind": "cgroup1", "controllers": sorted(bases), "bases": bases}
    return {"kind": "", "controllers": []}


def missing_protections(caps: dict[str, object]) -> list[str]:
    """What of a job's share of the machine cannot be bounded here (English msgids)."""
    from torchdojo.text.i18n import N_

    share = caps.get("share") or {}
    have = set(share.get("controllers") or []) if isinstance(share, dict) else set()
    root = os.geteuid() == 0
    out = []
    if "cpu" not in have:
        out.append(N_("no cpu control group per job: a student's processes share the CPU with classmates "
                      "(only a seccomp filter keeps them in one scheduler group)"))
    if "memory" not in have:
        out.append(N_("no memory control group per job: the memory of a student's processes is summed by a "
                      "watchdog, not bounded by the kernel"))
    if "pids" not in have:
        if root:
            out.append(N_("no pids control group per job: the process limit is per user and does not bind a "
                          "student process that runs as root"))
        else:
            out.append(N_("no pids control group per job: the number of processes is bounded per user only"))
    return out


class JobGroup:
    """The control group(s) of one job; made in the zygote, joined by each student process."""

    def __init__(self, share: dict[str, object], name: str, memory_mb: int, cpus: int = 0,
                 cpu_list: list[int] | None = None):
        """``cpus``: the most CPUs the job may use at once (0: no quota, only an equal weight);
        ``cpu_list``: the CPUs its processes run on (cgroup v1 ``cpuset``; None: any)."""
        self.kind = str(share.get("kind") or "")
        bases = dict(share.get("bases") or {})
        self.dirs: dict[str, str] = {}
        for ctrl, base in bases.items():
            path = os.path.join(base, name)
            try:
                os.mkdir(path)
            except FileExistsError:
                pass
            except OSError:
                continue
            self.dirs[ctrl] = path
        self._limit(memory_mb, cpus)
        self._pin(cpu_list)

    def _write(self, ctrl: str, name: str, value: str) -> bool:
        folder = self.dirs.get(ctrl)
        if folder is None:
            return False
        try:
            with open(os.path.join(folder, name), "w") as f:
                f.write(value)
            return True
        except OSError:
            return False

    def _limit(self, memory_mb: int, cpus: int) -> None:
        limit = str((memory_mb + SLACK_MB) << 20)
        self.applied: list[str] = []
        if self.kind == "cgroup2":
            ok = self._write("", "memory.max", limit) if memory_mb else False
            self._write("", "memory.swap.max", "0")
            if ok:
                self.applied.append("memory")
            if self._write("", "pids.max", str(MAX_TASKS)):
                self.applied.append("pids")
            if self._write("", "cpu.weight", "100"):
                self.applied.append("cpu")
                if cpus:
                    self._write("", "cpu.max", f"{cpus * 100000} 100000")
            return
        if memory_mb and self._write("memory", "memory.limit_in_bytes", limit):
            self._write("memory", "memory.memsw.limit_in_bytes", limit)  # no swapping past it
            self.applied.append("memory")
        if self._write("pids", "pids.max", str(MAX_TASKS)):
            self.applied.append("pids")
        if self._write("cpu", "cpu.shares", "1024"):
            self.applied.append("cpu")
            if cpus:
                self._write("cpu", "cpu.cfs_period_us", "100000")
                self._write("cpu", "cpu.cfs_quota_us", str(cpus * 100000))
        # A new v1 cpu group has no real-time budget (cpu.rt_runtime_us 0): SCHED_FIFO is refused in it.

    def _pin(self, cpu_list: list[int] | None) -> None:
        # A quota bounds a job's total, not whom it competes with on each CPU: spinners
        # spread over every CPU would still take a third of a classmate's. Each slot's
        # job on CPUs of its own (the judge's processes are free to run anywhere).
        if "cpuset" not in self.dirs:
            return
        parent = os.path.dirname(self.dirs["cpuset"])
        try:
            with open(os.path.join(parent, "cpuset.mems")) as f:
                mems = f.read().strip()
            with open(os.path.join(parent, "cpuset.cpus")) as f:
                cpus = f.read().strip()
        except OSError:
            mems = cpus = ""
        if cpu_list:
            cpus = ",".join(str(c) for c in cpu_list)
        # A v1 cpuset with no CPUs or memory nodes refuses every process: without both, not joined.
        if not (mems and self._write("cpuset", "cpuset.mems", mems) and self._write("cpuset", "cpuset.cpus", cpus)):
            _rmdirs([self.dirs.pop("cpuset")])
        elif cpu_list:
            self.applied.append("cpuset")

    def protections(self) -> list[str]:
        """What this group bounds, for the job's list of protections."""
        if not self.applied:
            return []
        what = {"cpu": P_CPU, "memory": P_MEMORY, "pids": P_PIDS.format(n=MAX_TASKS), "cpuset": P_CPUSET}
        kind = "cgroup v2" if self.kind == "cgroup2" else "cgroup v1"
        # "; " between the parts: a part may hold a comma, and the report translates each part.
        return [P_GROUP.format(kind=kind, what="; ".join(what[c] for c in self.applied))]

    def watch(self) -> dict[str, str]:
        """Files the judge reads: the job's memory in use and its OOM kills."""
        if self.kind == "cgroup2" and "" in self.dirs and "memory" in self.applied:
            d = self.dirs[""]
            return {"kind": "cgroup2", "stat": os.path.join(d, "memory.stat"),
                    "current": os.path.join(d, "memory.current"), "events": os.path.join(d, "memory.events")}
        if "memory" in self.applied:
            d = self.dirs["memory"]
            return {"kind": "cgroup1", "stat": os.path.join(d, "memory.stat"),
                    "current": os.path.join(d, "memory.usage_in_bytes"),
                    "events": os.path.join(d, "memory.oom_control")}
        return {}

    def join(self) -> None:
        """Move the calling process into the group (in the forked child, before anything else)."""
        for folder in self.dirs.values():
            try:
                with open(os.path.join(folder, "cgroup.procs"), "w") as f:
                    f.write("0")
            except OSError:
                pass

    def pids(self) -> set[int]:
        out: set[int] = set()
        for folder in self.dirs.values():
            try:
                with open(os.path.join(folder, "cgroup.procs")) as f:
                    out.update(int(p) for p in f.read().split())
            except (OSError, ValueError):
                pass
        return out

    def kill(self) -> None:
        """Kill every process of the group (the group stays)."""
        if self.kind == "cgroup2":
            if self._write("", "cgroup.kill", "1"):
                self._wait_empty(2.0)
                return
        frozen = self._write("freezer", "freezer.state", "FROZEN")
        for _ in range(200):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if frozen:  # frozen tasks die once thawed; none of them could fork meanwhile
                self._write("freezer", "freezer.state", "THAWED")
                frozen = False
            time.sleep(0.005)

    def _wait_empty(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.005)

    def remove(self) -> None:
        """Kill everything in the group and remove it."""
        self.kill()
        _rmdirs(list(self.dirs.values()))
        self.dirs = {}


def slot_cpus(slot: int, slots: int) -> tuple[int, list[int]]:
    """How many CPUs a slot's job may use at once, and which ones (its own, where there are enough)."""
    mine = sorted(os.sched_getaffinity(0))
    cpus = max(1, len(mine) // max(1, slots))
    return cpus, mine[slot * cpus:(slot + 1) * cpus] or [mine[slot % len(mine)]]


def _rmdirs(folders: list[str]) -> None:
    deadline = time.monotonic() + 2.0
    left = list(folders)
    while left and time.monotonic() < deadline:
        for folder in list(left):
            try:
                os.rmdir(folder)
                left.remove(folder)
            except FileNotFoundError:
                left.remove(folder)
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    left.remove(folder)
        if left:
            time.sleep(0.01)


def sweep(share: dict[str, object], prefix: str) -> None:
    """Kill and remove every job group named ``prefix...`` (those a lost zygote left)."""
    bases = dict(share.get("bases") or {})
    names: set[str] = set()
    for base in bases.values():
        try:
            names.update(e for e in os.listdir(base) if e.startswith(prefix))
        except OSError:
            pass
    for name in names:
        group = JobGroup.__new__(JobGroup)
        group.kind = str(share.get("kind") or "")
        group.dirs = {c: os.path.join(b, name) for c, b in bases.items() if os.path.isdir(os.path.join(b, name))}
        group.applied = []
        group.remove()
    if share.get("kind") == "cgroup2":
        for base in bases.values():
            if os.path.basename(base).startswith("torchdojo-"):
                _rmdirs([base])


# -- the judge's side: how much memory a job holds ----------------------------------

def usage(watch: dict[str, str]) -> int | None:
    """Anonymous and shared-memory bytes the job's group holds (not page cache); None if unreadable.

    ``memory.stat`` leaves out the page cache but the kernel refreshes it lazily
    (up to seconds late: a process killed for memory would still count against
    the next one); the group's charge counter is exact but counts the cache:
    the smaller of the two is both current and cache-free enough.
    """
    try:
        with open(watch["stat"]) as f:
            text = f.read()
        with open(watch["current"]) as f:
            current = int(f.read().split()[0])
    except (OSError, KeyError, ValueError, IndexError):
        return None
    stats = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        stats[key] = value
    try:
        if watch.get("kind") == "cgroup2":
            counted = int(stats.get("anon", 0)) + int(stats.get("shmem", 0))
        else:
            counted = (int(stats.get("total_rss", stats.get("rss", 0)))
                       + int(stats.get("total_shmem", stats.get("shmem", 0))))
        return min(counted, current)
    except ValueError:
        return None


def oom_kills(watch: dict[str, str]) -> int:
    """How many processes the kernel killed in the job's group for its memory limit."""
    try:
        with open(watch["events"]) as f:
            for line in f:
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
    except (OSError, KeyError, ValueError):
        pass
    return 0


def tree(pid: int, limit: int = 256) -> list[int]:
    """``pid`` and its descendants (at most ``limit``), from /proc."""
    out, todo = [], [pid]
    while todo and len(out) < limit:
        p = todo.pop()
        out.append(p)
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
            except (OSError, ValueError):
                pass
    return out


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) << 10
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_memory(pid: int, main_rss: int) -> int:
    """Memory of a student process's tree without a memory group: its own RSS plus its descendants' PSS.

    PSS (each shared page split among its sharers) so that children forked from
    it (DataLoader workers) do not count the pages they share with it twice.
    """
    return main_rss + sum(_pss(p) for p in tree(pid)[1:])


# -- in the student process -------------------------------------------------------

def limit_student(*, cpu_group: bool, pin: list[int] | None = None) -> list[str]:
    """rlimits (and, without a cpu group, a seccomp filter) set before student code runs; what took effect."""
    active = []
    try:
        import resource
    except ImportError:
        return active
    for which, value in ((resource.RLIMIT_RTPRIO, 0), (resource.RLIMIT_NICE, 0)):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
    active.append(P_NO_RT)
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_NPROC)
        value = MAX_TASKS if hard == resource.RLIM_INFINITY else min(MAX_TASKS, hard)
        resource.setrlimit(resource.RLIMIT_NPROC, (value, value))
        if os.getuid() != 0:
            active.append(P_NPROC.format(n=value))
    except (ValueError, OSError):
        pass
    if not cpu_group and pin:
        # Without a cpu group: the slot's own CPUs, kept (the filter below refuses changing them),
        # so that an attacker's spinners share a CPU only with themselves.
        try:
            os.sched_setaffinity(0, pin)
            active.append(P_PINNED.format(cpus=",".join(str(c) for c in pin)))
        except (OSError, ValueError):
            pass
    if not cpu_group and deny_setsid():
        active.append(P_NO_SETSID)
    return active


_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_SETSID_NR = {"x86_64": 112, "aarch64": 157}
_SETAFFINITY_NR = {"x86_64": 203, "aarch64": 122}


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def deny_setsid() -> bool:
    """A seccomp filter that makes ``setsid`` and ``sched_setaffinity`` fail with EPERM (needs no_new_privs;
    inherited by children): the process's processes stay in one scheduler group, on the CPUs it was given."""
    machine = os.uname().machine
    if not sys.platform.startswith("linux") or machine not in _AUDIT_ARCH:
        return False
    ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
    allow, kill_arch = 0x7FFF0000, 0x7FFF0000
    eperm = 0x00050000 | errno.EPERM
    prog = [
        (ld_w_abs, 0, 0, 4),  # seccomp_data.arch
        (jeq_k, 1, 0, _AUDIT_ARCH[machine]),
        (ret_k, 0, 0, kill_arch),  # another ABI: leave it alone
        (ld_w_abs, 0, 0, 0),  # seccomp_data.nr
        (jeq_k, 1, 0, _SETSID_NR[machine]),
        (jeq_k, 0, 1, _SETAFFINITY_NR[machine]),
        (ret_k, 0, 0, eperm),
        (ret_k, 0, 0, allow),
    ]
    filters = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), filters)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
        return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    except (OSError, AttributeError):
        return False


def enter(spec: dict) -> list[str]:
    """In the student process: the job group's protections (from the zygote) and :func:`limit_student`."""
    info = spec.get("share") or {}
    return [str(p) for p in info.get("protections") or []] + limit_student(cpu_group=bool(info.get("cpu")),
                                                                           pin=info.get("pin"))
