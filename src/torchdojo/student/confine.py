"""Confinement of the student process (Linux first; each piece used when the OS offers it).

What a student process gets, in the order it is applied:

1. in the process that forks it (:func:`enter_namespaces`): a new PID namespace
   (it sees and signals no process outside it, and when it ends every process
   it started ends too) and a new network namespace (no interface but a down
   loopback), inside a user namespace when not root;
2. in the process itself (:func:`apply_limits`): its own session and process
   group, no core dumps, a file-size limit, an address-space limit (not with
   CUDA, whose mappings are huge: the judge's RSS watchdog limits memory
   there), ``no_new_privs``, and a parent-death signal;
3. Landlock (:func:`restrict`), which needs no privilege: reads only below the
   Python installation's libraries (never the torchdojo package, whose course
   content holds solutions and graders, nor any protected path) and the
   system folders a library may read; writes only below its private folder;
   no TCP bind or connect; signals and abstract UNIX sockets only within its
   own sandbox (ABI 6+).

:func:`capabilities` says what this machine offers, so that a grading run can
say before it starts what will be missing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import site
import sys
import sysconfig

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

#: System folders a library may read (shared libraries, locale data, CPU topology, ...).
SYSTEM_READ = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/sys")

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


def namespace_flags() -> int:
    """The namespaces :func:`enter_namespaces` asks for on this machine."""
    flags = CLONE_NEWPID | CLONE_NEWNET
    return flags if os.geteuid() == 0 else flags | CLONE_NEWUSER


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


def capabilities() -> dict[str, object]:
    """What this machine offers the sandbox (asked once, in the student zygote)."""
    abi = landlock_abi()
    return {
        "platform": sys.platform,
        "landlock_abi": abi,
        "namespaces": namespaces_work(),
        "rlimits": _has_resource(),
        "share": _share_caps(),  # per-job control groups (torchdojo.student.share)
    }


def _share_caps() -> dict[str, object]:
    from torchdojo.student import share

    return share.detect()


def _has_resource() -> bool:
    try:
        import resource  # noqa: F401
    except ImportError:
        return False
    return True


def missing_protections(caps: dict[str, object]) -> list[str]:
    """What the student process will lack here, as program messages (English msgids; empty when nothing is)."""
    from torchdojo.i18n import N_

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
    if not caps.get("rlimits"):
        out.append(N_("no resource limits (no resource module)"))
    from torchdojo.student import share

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
    soft, hard = resource.getrlimit(which)
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
        active.append("parent-death signal")
    if prctl(PR_SET_NO_NEW_PRIVS, 1):
        active.append("no new privileges")
    try:
        os.setsid()
        active.append("own session and process group")
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return active
    _setrlimit(resource, resource.RLIMIT_CORE, 0)
    _setrlimit(resource, resource.RLIMIT_FSIZE, file_mb << 20)
    active.append(f"file-size limit ({file_mb} MiB)")
    if memory_mb and limit_address_space and sys.platform.startswith("linux"):
        # The process inherits the zygote's mappings (torch is big): those plus the budget.
        _setrlimit(resource, resource.RLIMIT_AS, vm_size_bytes() + (memory_mb << 20))
        active.append(f"address-space limit (+{memory_mb} MiB)")
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


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def read_rules(protected: list[str], allowed_inside: list[str]) -> list[tuple[str, int]]:
    """(path, rights) pairs to allow reading: the Python libraries and system folders, minus protected paths.

    A candidate that contains a protected path is replaced by its children
    (recursively), so that reading stays allowed everywhere but below a
    protected path; ``allowed_inside`` are paths below a protected one that
    are allowed anyway (the student-side packages of torchdojo).
    """
    prot = sorted({os.path.realpath(p) for p in protected if p})
    candidates: list[str] = list(SYSTEM_READ)
    paths = sysconfig.get_paths()
    base_paths = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
    for mapping in (paths, base_paths):
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            if mapping.get(key):
                candidates.append(mapping[key])
    try:
        candidates += site.getsitepackages()
    except AttributeError:  # virtualenv's old site.py
        pass
    user_site = getattr(site, "getusersitepackages", lambda: None)()
    if user_site:
        candidates.append(user_site)
    here = os.path.realpath(os.getcwd())
    for entry in sys.path:
        if entry and os.path.realpath(entry) != here:
            candidates.append(entry)
    rules: dict[str, int] = {}

    def add(path: str, depth: int = 0) -> None:
        # A protected path is never added and never descended into; a path that
        # contains one is replaced by its children; anything else is allowed (a
        # virtualenv inside a protected checkout included: it holds no course content).
        if path in rules or depth > 12 or path in prot:
            return
        if any(_inside(p, path) for p in prot):
            try:
                children = os.listdir(path)
            except OSError:
                return
            for child in children:
                add(os.path.join(path, child), depth + 1)
            return
        rules[path] = READ_ONLY

    for cand in candidates:
        try:
            real = os.path.realpath(cand)
        except OSError:
            continue
        if os.path.exists(real):
            add(real)
    for path in allowed_inside:
        real = os.path.realpath(path)
        if os.path.exists(real):
            rules[real] = READ_ONLY
    return sorted(rules.items())


def restrict(read: list[tuple[str, int]], private: str, *, devices: list[str],
             writable: list[str] = ()) -> list[str]:
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
    rules.append(("/dev", READ_FILE | READ_DIR))
    rules.append(("/dev/null", READ_FILE | WRITE_FILE))
    rules.append(("/dev/shm", handled))  # DataLoader workers share tensors there
    rules.append(("/proc/self", READ_FILE | READ_DIR))
    for name in ("/proc/cpuinfo", "/proc/meminfo", "/proc/stat"):
        rules.append((name, READ_FILE))
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
    active = [f"Landlock ABI {abi}: reads only the Python libraries and system folders (no course content, "
              "no other files), writes only in its private folder"]
    if abi >= 4:
        active.append("Landlock: no TCP bind or connect")
    if abi >= 6:
        active.append("Landlock: signals only within its own sandbox")
    return active
