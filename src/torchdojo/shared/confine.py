"""Confinement of the student process (Linux first; each piece used when the OS offers it).

What a student process gets, in the order it is applied:

1. in the process that forks it (:func:`enter_sandbox`): new user, mount, PID
   (it sees and signals no process outside it, and when it ends every process
   it started ends too), network (no interface but a down loopback) and IPC
   namespaces; a private tmpfs of its memory budget on ``/dev/shm`` (its temp
   folder too); as root, host uid and gid 65534 instead of 0. Where user
   namespaces are refused, PID and network namespaces only
   (:func:`enter_namespaces`);
2. in the process itself (:func:`apply_limits`, :func:`drop_privileges`): its
   own session and process group, no core dumps, a file-size limit, an
   address-space limit (not with CUDA, whose mappings are huge: the judge's RSS
   watchdog limits memory there), ``no_new_privs``, a parent-death signal, and
   empty capability sets (bounding set included);
3. Landlock (:func:`restrict`), which needs no privilege: reads only the
   allow-list of :func:`allow_list` (the standard library, torch, NumPy and
   their dependencies, the student side of torchdojo, shared libraries, a few
   system files); writes only below its private folder and ``/dev/shm``; no TCP
   bind or connect; signals and abstract UNIX sockets only within its own
   sandbox (ABI 6+).

:func:`capabilities` says what this machine offers, so that a grading run can
say before it starts what will be missing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import signal
import sys
import sysconfig

from torchdojo.shared import job_share as _share
from torchdojo.text.i18n import N_, tr, tr_said

# -- protections, as the report lists them -------------------------------------
# English catalog messages, formatted where they take effect and sent as text (the student
# process's list crosses to the judge as data); describe_protection() translates one where
# it is shown, so the report under --lang es lists them in Spanish.
P_STUDENT_PROCESS = N_("separate student process (verdicts decided by the judge)")
P_PIDNS = N_("PID namespace (no other process visible or signalled)")
P_NETNS = N_("network namespace (no network)")
P_NO_CAPS = N_("no capabilities (empty bounding set), no new privileges")
P_USERNS_UID = N_("user namespace, unprivileged uid {uid}")
P_USERNS = N_("user namespace (the caller's uid)")
P_MOUNT_IPC = N_("mount and IPC namespaces (own SysV IPC, gone with it)")
P_SHM = N_("private /dev/shm and temp folder ({mb} MiB, nodev, nosuid)")
P_PDEATHSIG = N_("parent-death signal")
P_NO_NEW_PRIVS = N_("no new privileges")
P_SESSION = N_("own session and process group")
P_FILE_SIZE = N_("file-size limit ({mb} MiB)")
P_ADDRESS_SPACE = N_("address-space limit (+{mb} MiB)")
P_LANDLOCK = N_("Landlock ABI {abi}: reads only an allow-list (the standard library, torch, NumPy and their "
                "dependencies, the student side of torchdojo, shared libraries), writes only in its private folder")
P_LANDLOCK_NET = N_("Landlock: no TCP bind or connect")
P_LANDLOCK_SIGNALS = N_("Landlock: signals only within its own sandbox")
# The judge's own (torchdojo.judge.run), listed here so that one table knows every protection.
P_JUDGE_PROCESS = N_("verdicts decided in a separate judge process that runs no student code")
P_DATA_ONLY = N_("only data crosses from the student process (no pickle, no student objects)")
P_WALL_CLOCK = N_("wall-clock limit per exercise (SIGKILL)")
P_RSS = N_("RSS watchdog over every process of the job (+{mb} MiB)")
P_OUTPUT = N_("bounded output")
P_TEMP = N_("private temp folder")
P_SUBREAPER = N_("child subreaper (orphans killed)")
PROTECTIONS = (P_STUDENT_PROCESS, P_PIDNS, P_NETNS, P_NO_CAPS, P_USERNS_UID, P_USERNS, P_MOUNT_IPC, P_SHM,
               P_PDEATHSIG, P_NO_NEW_PRIVS, P_SESSION, P_FILE_SIZE, P_ADDRESS_SPACE, P_LANDLOCK, P_LANDLOCK_NET,
               P_LANDLOCK_SIGNALS, P_JUDGE_PROCESS, P_DATA_ONLY, P_WALL_CLOCK, P_RSS, P_OUTPUT, P_TEMP,
               P_SUBREAPER) + _share.PROTECTIONS



def describe_protection(lang: str, text: str) -> str:
    """A protection of a job's list (English, as the sandbox reported it) in ``lang``.

    The text is matched against the known messages (:data:`PROTECTIONS`) and rendered from the
    catalog with the same fields; text that matches none is shown as it came.
    """
    head, sep, what = text.partition(" per job: ")
    if sep:  # the job group's line lists protections of its own
        return tr(lang, _share.P_GROUP, kind=head,
                  what="; ".join(tr_said(lang, p, _share.PROTECTIONS) for p in what.split("; ")))
    return tr_said(lang, text, PROTECTIONS)


_SYS_CREATE_RULESET = 444  # the same numbers on x86-64 and arm64
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_ALL = sum(1 << b for b in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE
READ_ONLY = READ_FILE | READ_DIR | EXECUTE
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38


_libc_cache: list = []


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    if not _libc_cache:
        try:
            _libc_cache.append(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True))
        except OSError:
            _libc_cache.append(None)
    return _libc_cache[0]


def prctl(option: int, arg: int) -> bool:
    libc = _libc()
    if libc is None:
        return False
    try:
        return libc.prctl(option, arg, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


# -- what the machine offers ----------------------------------------------------

def landlock_abi() -> int:
    """The Landlock ABI version of this kernel (0: none)."""
    libc = _libc()
    if libc is None:
        return 0
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    abi = syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(0, int(abi))


CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
MS_NOSUID = 2
MS_NODEV = 4
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
#: noroot, no_setuid_fixup, keep_caps off, no_cap_ambient_raise: each with its lock bit.
SECUREBITS_LOCKED = 0x1 | 0x2 | 0x4 | 0x8 | 0x20 | 0x80
#: The host uid and gid a student process runs as when the caller is root (``nobody``):
#: never 0, so that file permissions and the process-count limit hold for it.
SANDBOX_UID = 65534


def namespace_flags() -> int:
    """The namespaces of the basic sandbox (:func:`enter_namespaces`)."""
    flags = CLONE_NEWPID | CLONE_NEWNET
    return flags if os.geteuid() == 0 else flags | CLONE_NEWUSER


def traversal_plan(paths) -> list[tuple[str, str]]:
    """Where an unprivileged uid cannot reach ``paths``: (folder to cover, child to bind back) pairs.

    A folder on the way that others may not traverse (``/root`` holding the
    Python installation, the judge's 0700 job folder) is covered in the
    student's mount namespace by a small tmpfs holding only the way to what
    the student side needs, bound back from the real folder.
    """
    plan: set[tuple[str, str]] = set()
    for path in paths:
        parts = [p for p in os.path.realpath(path).split("/") if p]
        top = deepest = -1
        for i in range(len(parts) - 1):
            folder = "/" + "/".join(parts[:i + 1])
            try:
                mode = os.stat(folder).st_mode
            except OSError:
                break
            if not mode & 0o001:
                deepest = i
                if top < 0:
                    top = i
        if top >= 0:
            plan.add(("/" + "/".join(parts[:top + 1]), "/" + "/".join(parts[:deepest + 2])))
    return merge_plans(sorted(plan))


def merge_plans(plan: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One plan: a child inside another bound child comes with it; a cover inside another is made in it."""
    out: list[tuple[str, str]] = []
    for cover, child in sorted(set(plan), key=lambda bc: len(bc[1])):
        if not any(inside(child, c) for _, c in out):
            out.append((cover, child))
    covers = {c for c, _ in out}
    return [(next((o for o in sorted(covers, key=len) if inside(c, o)), c), child) for c, child in out]


def _mount(source, target: str, fstype, flags: int, data) -> None:
    libc = _libc()
    enc = (lambda v: v.encode() if isinstance(v, str) else v)
    if libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _unshare(flags: int) -> None:
    libc = _libc()
    if libc.unshare(ctypes.c_int(flags)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare: {os.strerror(err)}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _chown_tree(path: str, uid: int, gid: int) -> None:
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            try:
                os.lchown(os.path.join(root, name), uid, gid)
            except OSError:
                pass
    os.lchown(path, uid, gid)


def enter_sandbox(*, shm_mb: int, plan: list[tuple[str, str]] = (), own: list[str] = (),
                  own_top: list[str] = ()) -> list[str]:
    """Namespaces, private scratch and an unprivileged uid for the calling process (the holder).

    After it: a new user namespace (uid and gid mapped to themselves; when the
    caller is root, first dropped to :data:`SANDBOX_UID`), mount, PID (for the
    next child), network and IPC namespaces, and a private tmpfs of ``shm_mb``
    MiB on ``/dev/shm`` (``nodev``, ``nosuid``). As root, ``own`` (recursively)
    and ``own_top`` are given to that uid first and ``plan``
    (:func:`traversal_plan`) is applied. Raises ``OSError`` when a step fails;
    returns what took effect.
    """
    root = os.geteuid() == 0
    done = []
    shm_opts = f"size={max(1, int(shm_mb))}m,mode=1777"
    if root:
        uid = gid = SANDBOX_UID
        # The mounts are made by real root: the student's own user namespace cannot undo them.
        _unshare(CLONE_NEWNS)
        _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, shm_opts)
        for path in own:
            _chown_tree(path, uid, gid)
        for path in own_top:
            os.chown(path, uid, gid)
        fds = {child: os.open(child, os.O_PATH | os.O_CLOEXEC) for _, child in plan}
        try:
            for cover in sorted({c for c, _ in plan}):
                _mount("tmpfs", cover, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
            for _, child in plan:
                if os.path.isdir(f"/proc/self/fd/{fds[child]}"):
                    os.makedirs(child, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(child), exist_ok=True)
                    os.close(os.open(child, os.O_CREAT | os.O_WRONLY, 0o644))
                _mount(f"/proc/self/fd/{fds[child]}", child, None, MS_BIND | MS_REC, None)
        finally:
            for fd in fds.values():
                os.close(fd)
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        prctl(PR_SET_DUMPABLE, 1)  # so that it may write its own uid map below
        _unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC)
    else:
        uid, gid = os.geteuid(), os.getegid()
        _unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    if not root:
        _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, shm_opts)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # a change of uid cleared it
    done.append(P_USERNS_UID.format(uid=uid) if root else P_USERNS)
    done.append(P_MOUNT_IPC)
    done.append(P_SHM.format(mb=max(1, int(shm_mb))))
    return done


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_privileges() -> bool:
    """Empty bounding, ambient, effective, permitted and inheritable capability sets; locked securebits."""
    libc = _libc()
    if libc is None:
        return False
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = 63
    ok = True
    for cap in range(last + 1):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            ok = False
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    libc.prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED, 0, 0, 0)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        ok = False
    try:
        with open("/proc/self/status") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
        return ok and all(int(status.get(k, "1").strip(), 16) == 0 for k in ("CapEff", "CapPrm", "CapBnd"))
    except (OSError, ValueError):
        return False


def sandbox_works(plan: list[tuple[str, str]]) -> bool:
    """Whether :func:`enter_sandbox` works on this machine (tried in a throwaway child)."""
    if _libc() is None or not hasattr(os, "fork"):
        return False
    pid = os.fork()
    if pid == 0:
        try:
            enter_sandbox(shm_mb=1, plan=plan)
            code = 0 if drop_privileges() else 1
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def namespaces_work() -> bool:
    """Whether a child may enter new PID and network namespaces (tried in a throwaway child)."""
    libc = _libc()
    if libc is None or not hasattr(os, "fork"):
        return False
    pid = os.fork()
    if pid == 0:
        ok = libc.unshare(ctypes.c_int(namespace_flags())) == 0
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def capabilities(plan: list[tuple[str, str]] = ()) -> dict[str, object]:
    """What this machine offers the sandbox (asked once, in the student zygote)."""
    abi = landlock_abi()
    sandbox = sandbox_works(list(plan))
    return {
        "platform": sys.platform,
        "landlock_abi": abi,
        "sandbox": sandbox,
        "namespaces": sandbox or namespaces_work(),
        "rlimits": _has_resource(),
        "share": _share_caps(),  # per-job control groups (torchdojo.shared.job_share)
        "root": hasattr(os, "geteuid") and os.geteuid() == 0,
    }


def _share_caps() -> dict[str, object]:
    from torchdojo.shared import job_share as share

    return share.detect()


def _has_resource() -> bool:
    try:
        import resource  # noqa: F401
    except ImportError:
        return False
    return True


def missing_protections(caps: dict[str, object]) -> list[str]:
    """What the student process will lack here, as program messages (English msgids; empty when nothing is)."""
    from torchdojo.text.i18n import N_

    out = []
    abi = int(caps.get("landlock_abi") or 0)
    if abi < 1:
        out.append(N_("no Landlock: student code can read any readable file (solutions, other submissions) "
                      "and write outside its folder"))
    if not caps.get("namespaces") and abi < 6:
        out.append(N_("no PID namespace and no Landlock ABI 6: student code can signal other processes of "
                      "the same user"))
    if not caps.get("namespaces"):
        out.append(N_("no network namespace: only Landlock (ABI 4+) limits the network"))
    if not caps.get("sandbox"):
        if caps.get("root"):
            out.append(N_("no user namespace: the student process runs as root with every capability"))
        else:
            out.append(N_("no user namespace: the student process keeps the caller's uid"))
        out.append(N_("no mount and IPC namespaces: student code shares /dev/shm and SysV shared memory "
                      "with other processes, and what it leaves there outlives it"))
    if not caps.get("rlimits"):
        out.append(N_("no resource limits (no resource module)"))
    from torchdojo.shared import job_share as share

    out += share.missing_protections(caps)
    return out


# -- in the forking process -------------------------------------------------------

def enter_namespaces() -> bool:
    """New PID (for the next child) and network namespaces for the calling process."""
    libc = _libc()
    if libc is None:
        return False
    return libc.unshare(ctypes.c_int(namespace_flags())) == 0


def become_subreaper() -> bool:
    """Adopt orphans of descendants (double forks, daemons), to kill them."""
    return prctl(PR_SET_CHILD_SUBREAPER, 1)


# -- in the student process -------------------------------------------------------

def vm_size_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _setrlimit(resource, which: int, value: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(which, (value, value if hard == resource.RLIM_INFINITY else hard))
    except (ValueError, OSError):
        pass  # some platforms refuse some limits; the clocks and the watchdog still hold


def apply_limits(*, file_mb: int, memory_mb: int, limit_address_space: bool) -> list[str]:
    """Limits set before any student code runs (inherited by its children); returns what took effect."""
    active = []
    if prctl(PR_SET_PDEATHSIG, signal.SIGKILL):
        active.append(P_PDEATHSIG)
    if prctl(PR_SET_NO_NEW_PRIVS, 1):
        active.append(P_NO_NEW_PRIVS)
    try:
        os.setsid()
        active.append(P_SESSION)
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return active
    _setrlimit(resource, resource.RLIMIT_CORE, 0)
    _setrlimit(resource, resource.RLIMIT_FSIZE, file_mb << 20)
    active.append(P_FILE_SIZE.format(mb=file_mb))
    if memory_mb and limit_address_space and sys.platform.startswith("linux"):
        # The process inherits the zygote's mappings (torch is big): those plus the budget.
        _setrlimit(resource, resource.RLIMIT_AS, vm_size_bytes() + (memory_mb << 20))
        active.append(P_ADDRESS_SPACE.format(mb=memory_mb))
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    return active


def close_fds(keep: set[int]) -> None:
    """Close every inherited file descriptor but ``keep`` (and 0, 1, 2)."""
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


# -- Landlock -----------------------------------------------------------------

class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or below it (both real paths)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


#: The torchdojo modules of the student side: what the student process runs and what
#: student code may import (data sets, the pretrained backbone, notebook helpers).
#: The zygote imports exactly these (:func:`torchdojo.student.zygote.warm`) and the
#: student process may read exactly their files (a package: its whole folder; the top
#: package: its ``__init__.py`` only). Never solutions, graders, quiz keys or the judge.
STUDENT_MODULES = (
    "torchdojo", "torchdojo.text", "torchdojo.text.i18n",
    # Code both sides of the wire run (recipes, these OS facts, source decoding): the whole room.
    "torchdojo.shared", "torchdojo.shared.confine", "torchdojo.shared.job_share", "torchdojo.shared.recipes",
    "torchdojo.student", "torchdojo.student.loader", "torchdojo.student.process", "torchdojo.student.server",
    "torchdojo.wire", "torchdojo.wire.codec", "torchdojo.wire.frames", "torchdojo.wire.job", "torchdojo.wire.ops",
    "torchdojo.wire.hello",
    # What student code itself may import: the data sets, the backbone, the notebook check.
    "torchdojo.datasets", "torchdojo.datasets.render", "torchdojo.models",
    "torchdojo.learner", "torchdojo.learner.notebook",
)

#: Third-party distributions the student process imports; their Requires-Dist closure comes too.
ROOT_DISTRIBUTIONS = ("torch", "numpy")

#: Named system files: the dynamic loader's cache and configuration, the time zone, the
#: system's programs (student code may start one), CPU topology, a few devices.
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/bin", "/usr/bin", "/lib64", "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/share/zoneinfo", "/sys/devices/system/cpu", "/sys/devices/system/node",
                "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/dev/null", "/dev/zero",
                "/dev/urandom", "/dev/random")


def _requirement_name(req: str) -> str | None:
    if "extra ==" in req.replace("extra==", "extra =="):
        return None  # optional extras are not installed for the student side
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return match.group(1) if match else None


def _distribution_entries(dist) -> set[str]:
    """The top-level files and folders a distribution installed (from RECORD, else top_level.txt)."""
    base = str(dist.locate_file(""))
    heads: set[str] = set()
    record = dist.read_text("RECORD")
    if record:
        for line in record.splitlines():
            path = line.split(",", 1)[0].strip('"')
            head = path.split("/", 1)[0]
            if head and head not in ("..", "."):
                heads.add(head)
    else:
        heads.update(n.strip() for n in (dist.read_text("top_level.txt") or "").split() if n.strip())
        heads.update(n + ".py" for n in list(heads))
        path = getattr(dist, "_path", None)
        if path is not None:
            heads.add(os.path.basename(str(path)))
    out = set()
    for head in heads:
        full = os.path.join(base, head)
        if os.path.lexists(full):
            out.add(os.path.realpath(full))
    return out


def distribution_closure(roots=ROOT_DISTRIBUTIONS) -> list[str]:
    """Names of ``roots`` and every installed distribution they require, transitively."""
    from importlib import metadata

    seen: dict[str, object] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen or key == "torchdojo":
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        for req in dist.requires or ():
            dep = _requirement_name(req)
            if dep:
                todo.append(dep)
    return sorted(seen)


def _stdlib_entries() -> set[str]:
    """The standard library's files and folders, never its site-packages or dist-packages."""
    out: set[str] = set()
    base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
    for key in ("stdlib", "platstdlib"):
        folder = base.get(key)
        if not folder or not os.path.isdir(folder):
            continue
        for child in os.listdir(folder):
            if child not in ("site-packages", "dist-packages"):
                out.add(os.path.realpath(os.path.join(folder, child)))
    return out


def _library_roots() -> list[str]:
    """Folders that hold Python packages (site-packages, sys.path entries): never allowed whole."""
    roots = set()
    for mapping in (sysconfig.get_paths(),
                    sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})):
        for key in ("purelib", "platlib"):
            if mapping.get(key):
                roots.add(os.path.realpath(mapping[key]))
    roots.update(os.path.realpath(p) for p in sys.path if p)
    return sorted(roots)


def _mapped_library_folders() -> set[str]:
    """Folders of the shared libraries this process has mapped (its interpreter included).

    A folder that holds Python packages (``lib/`` above ``site-packages``) is
    never allowed whole: only the mapped file itself.
    """
    roots = _library_roots()
    out: set[str] = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    path = parts[5].strip()
                    if path.endswith(" (deleted)") or path.startswith(("/dev/", "/proc/", "/memfd:")):
                        continue
                    real = os.path.realpath(path)
                    folder = os.path.dirname(real)
                    out.add(real if any(inside(r, folder) for r in roots) else folder)
    except OSError:
        pass
    return out


def _student_module_entries() -> set[str]:
    out = set()
    for name in STUDENT_MODULES:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if not path:
            continue
        path = os.path.realpath(path)
        if os.path.basename(path) == "__init__.py" and "." in name:
            out.add(os.path.dirname(path))
        else:
            out.add(path)
    return out


def allow_list() -> list[str]:
    """Every path the student process may read, built from what the student side needs.

    The standard library (without its site-packages), each third-party
    distribution of :data:`ROOT_DISTRIBUTIONS` and their dependencies (exactly
    the files and folders each installed), the student-side modules of
    torchdojo (:data:`STUDENT_MODULES`, imported already), the folders of the
    shared libraries mapped in this process, and a few named system files.
    Computed once, in the zygote, after :func:`~torchdojo.student.zygote.warm`.
    """
    from importlib import metadata

    paths: set[str] = set()
    paths |= _stdlib_entries()
    for name in distribution_closure():
        try:
            paths |= _distribution_entries(metadata.distribution(name))
        except (metadata.PackageNotFoundError, OSError):
            continue
    paths |= _mapped_library_folders()
    paths |= _student_module_entries()
    paths |= {p for p in SYSTEM_FILES if os.path.exists(p)}
    return sorted(paths)


def read_rules(allowed: list[str], protected: list[str], trusted: list[str] = ()) -> list[tuple[str, int]]:
    """(path, rights) pairs to allow reading: ``allowed`` minus anything ``protected``.

    An allowed path that contains a protected one is replaced by its children
    (recursively), so no protected path is ever readable; ``trusted`` paths
    are allowed as they are (the student-side modules inside the package).
    """
    prot = sorted({os.path.realpath(p) for p in protected if p})
    rules: dict[str, int] = {}

    def add(path: str, depth: int = 0) -> None:
        if path in rules or depth > 12 or path in prot:
            return
        if any(inside(p, path) for p in prot):
            try:
                children = os.listdir(path)
            except OSError:
                return
            for child in children:
                add(os.path.join(path, child), depth + 1)
            return
        rules[path] = READ_ONLY

    trusted = {os.path.realpath(p) for p in trusted}
    for path in allowed:
        if path in trusted:
            rules[path] = READ_ONLY
        elif os.path.lexists(path):
            add(path)
    return sorted(rules.items())


def restrict(read: list[tuple[str, int]], private: str, *, devices: list[str],
             writable: list[str] = (), shm: bool = True) -> list[str]:
    """Apply Landlock to this process (and its future children); returns what took effect."""
    libc = _libc()
    abi = landlock_abi()
    if libc is None or abi < 1:
        return []
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    handled = READ_ONLY | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_ALL
    if abi >= 2:
        handled |= REFER
    if abi >= 3:
        handled |= TRUNCATE
    attr = _RulesetAttr(handled, 0, 0)
    size = 8
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP  # no rule: every TCP bind/connect denied
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    ruleset = syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return []
    rules = list(read)
    rules.append((private, handled))
    rules += [(folder, handled) for folder in writable]
    rules.append(("/dev/null", READ_FILE | WRITE_FILE))
    if shm:  # DataLoader workers share tensors there: private where :func:`enter_sandbox` ran, else the host's
        rules.append(("/dev/shm", handled))
    rules.append(("/proc/self", READ_FILE | READ_DIR))
    if any(d.startswith("cuda") for d in devices):
        rules.append(("/proc/driver", READ_FILE | READ_DIR))
        try:
            for entry in os.listdir("/dev"):
                if entry.startswith("nvidia"):
                    rules.append((f"/dev/{entry}", READ_FILE | WRITE_FILE))
        except OSError:
            pass
    try:
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not os.path.isdir(path):
                    rights &= FILE_RIGHTS
                rights &= handled
                if not rights:
                    continue
                rule = _PathBeneathAttr(rights, fd)
                if syscall(_SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                           ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
                    return []
            finally:
                os.close(fd)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        if syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return []
    finally:
        os.close(ruleset)
    active = [P_LANDLOCK.format(abi=abi)]
    if abi >= 4:
        active.append(P_LANDLOCK_NET)
    if abi >= 6:
        active.append(P_LANDLOCK_SIGNALS)
    return active
