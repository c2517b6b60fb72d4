"""The warm parent of student processes: ``python -m torchdojo.student.zygote FD[,FD...] [--training]``.

It imports torch and the student side of torchdojo once (never a grader, a
solution or anything that decides a grade), never runs a torch operation
(a child forked after OpenMP work can deadlock), and serves commands from its
judge on UNIX sockets (one per slot: each judge child grading at a time has its
own), one JSON line each:

* ``spawn`` (with two file descriptors: the judge's request socket and the
  output pipe) forks a student process (:mod:`torchdojo.student.process`),
  inside new PID and network namespaces where the machine allows, and answers
  with its pid;
* ``kill`` kills one student process and everything it started;
* ``killall`` kills every student process of that socket and every orphan left
  (the zygote is a child subreaper);
* ``exit``.

Its first line is a hello with the machine's :func:`~torchdojo.shared.confine.capabilities`.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from torchdojo.wire.hello import ZygoteHello
from torchdojo.wire.ops import ZYGOTE_OPS, ZygoteOp


def _clean_sys_path() -> None:
    here = os.getcwd()
    sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != os.path.realpath(here)]


def warm(training: bool) -> None:
    """Import what student code and the student side need, so each fork starts warm.

    A zygote forked by its judge (:mod:`torchdojo.shared.warm_fork`) finds all of it imported already.
    """
    from torchdojo.shared.warm_fork import warm_student_side

    warm_student_side(training)


def protected_paths() -> list[str]:
    """Paths the student process must never read, even if the allow-list held them."""
    import torchdojo
    from torchdojo.course import paths

    package = Path(torchdojo.__file__).resolve().parent
    protected = [str(package)]
    try:
        protected.append(str(paths.content_root()))
    except FileNotFoundError:
        pass
    return protected


class Zygote:
    def __init__(self, controls: list[socket.socket]):
        from torchdojo.shared import confine

        #: One control socket per slot of the judge: the student processes spawned through one are its own.
        self.controls = controls
        #: What the student process may read (computed once: every spawn uses it).
        self.allowed = confine.allow_list()
        self.protected = protected_paths()
        self.trusted = [p for p in self.allowed if any(confine.inside(p, f) for f in self.protected)]
        root = os.geteuid() == 0
        #: Folders an unprivileged uid cannot traverse on the way to what it may read (as root only).
        self.plan = confine.traversal_plan(self.allowed) if root else []
        self.caps = confine.capabilities(self.plan)
        self.sandbox = bool(self.caps.get("sandbox"))
        self.namespaces = bool(self.caps["namespaces"])
        self._rules: dict[tuple[str, ...], list] = {}
        self.children: dict[int, int] = {}  # holder pid -> student pid
        self.slot_of: dict[int, int] = {}  # holder pid -> the control socket's index
        self.ended: dict[int, dict[str, Any]] = {}  # holder pid -> how it ended (reaped, not yet asked)
        self.subreaper = confine.become_subreaper()
        self.rules(())
        self._share_init()

    # -- a share of the machine per job (torchdojo.shared.job_share) ------------------
    def _share_init(self) -> None:
        from torchdojo.shared import job_share as share

        if (self.caps.get("share") or {}).get("kind") == "cgroup2":
            self.caps["share"] = share.detect(prepare=True)
        self.groups: dict[int, Any] = {}  # slot -> its current job's JobGroup
        self._group_seq = 0

    def _group(self, slot: int, spec: dict[str, Any]):
        """The job group of ``slot``, made on the job's first student process (None: no cgroups here)."""
        from torchdojo.shared import job_share as share

        if slot not in self.groups:
            info = self.caps.get("share") or {}
            if not info.get("kind"):
                # No control groups: the student process pins itself to its slot's CPUs
                # (:func:`torchdojo.shared.job_share.limit_student`), so a classmate's CPU stays theirs.
                spec["share"] = {"protections": [], "cpu": False, "pin": share.slot_cpus(slot, len(self.controls))[1]}
                return None
            self._group_seq += 1
            name = f"td-{os.getpid()}-{slot}-{self._group_seq}"
            # Each slot's job may use its part of the CPUs, never all of them.
            cpus, pinned = share.slot_cpus(slot, len(self.controls))
            self.groups[slot] = share.JobGroup(info, name, int(spec.get("memory_mb") or 0), cpus, pinned)
        group = self.groups[slot]
        spec["share"] = {"protections": group.protections(), "cpu": "cpu" in group.applied}
        return group

    def _drop_groups(self, slot: int | None) -> None:
        """Kill everything of the job(s) and remove their groups."""
        for index in [i for i in self.groups if slot is None or i == slot]:
            self.groups.pop(index).remove()

    def rules(self, extra: tuple[str, ...]) -> list:
        from torchdojo.shared import confine

        if extra not in self._rules:
            self._rules[extra] = confine.read_rules(self.allowed, self.protected + list(extra), self.trusted)
        return self._rules[extra]

    # -- commands --------------------------------------------------------------
    def spawn(self, spec: dict[str, Any], sock_fd: int, out_fd: int, slot: int = 0) -> dict[str, Any]:
        from torchdojo.shared import confine
        from torchdojo.student import process

        rules = self.rules(tuple(spec.get("protect", ())))
        group = self._group(slot, spec)
        r, w = os.pipe()
        holder = os.fork()
        if holder == 0:  # the holder: never returns
            try:
                if group is not None:  # first, so that all it starts is in the job's group
                    group.join()
                os.close(r)
                for control in self.controls:
                    control.close()
                confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
                sandbox: list[str] = []
                if self.sandbox:
                    writable = [str(p) for p in spec.get("writable", ())]
                    plan = self.plan
                    if self.plan or os.geteuid() == 0:
                        plan = confine.merge_plans(self.plan + confine.traversal_plan([spec["workdir"], *writable]))
                    sandbox = confine.enter_sandbox(shm_mb=int(spec.get("memory_mb") or 0) or 1024, plan=plan,
                                                    own=[spec["workdir"]], own_top=writable)
                if sandbox or (self.namespaces and confine.enter_namespaces()):
                    pid = os.fork()
                    if pid == 0:  # pid 1 of the new namespace
                        os.close(w)
                        process.run(spec, sock_fd, out_fd, rules, namespaces=True, sandbox=sandbox)
                    os.write(w, str(pid).encode())
                    os.close(w)
                    os.close(sock_fd)
                    os.close(out_fd)
                    _, status = os.waitpid(pid, 0)
                    # Mirrored for the zygote: 128 + signal when the student process was killed.
                    os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
                os.write(w, str(os.getpid()).encode())
                os.close(w)
                process.run(spec, sock_fd, out_fd, rules, namespaces=False)
            except BaseException:  # noqa: BLE001
                os._exit(70)
            os._exit(70)
        os.close(w)
        data = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            chunk = os.read(r, 32)
            if not chunk:
                break
            data += chunk
        os.close(r)
        pid = int(data) if data.strip().isdigit() else holder
        self.children[holder] = pid
        self.slot_of[holder] = slot
        return {"holder": holder, "pid": pid, "watch": group.watch() if group is not None else {}}

    def kill(self, holder: int, wait: float = 0.0) -> dict[str, Any]:
        """Kill a student process; how it had ended if it ended by itself within ``wait`` seconds."""
        if holder not in self.children:  # already reaped: it ended by itself
            return self.ended.pop(holder, {})
        pid = self.children[holder]
        info: dict[str, Any] = {}
        deadline = time.monotonic() + wait
        while True:
            try:
                done, status = os.waitpid(holder, os.WNOHANG)
            except ChildProcessError:
                done, status = -1, 0
            if done == holder:
                info = _status(status, mirrored=pid != holder)
                break
            if done == -1 or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        self.children.pop(holder, None)
        self.slot_of.pop(holder, None)
        if info:  # it ended by itself (the holder outlives its student process): nothing to kill
            return info
        for target in (pid, holder):
            for fn in (os.killpg, os.kill):
                try:
                    fn(target, signal.SIGKILL)
                except OSError:
                    pass
        try:
            os.waitpid(holder, 0)
        except ChildProcessError:
            pass
        return info

    def killall(self, slot: int | None = None) -> None:
        """Kill the student processes of ``slot`` (all when ``None``), and every orphan left."""
        self._drop_groups(slot)
        for holder in list(self.children):
            if slot is None or self.slot_of.get(holder) == slot:
                self.kill(holder)
        me = os.getpid()
        for _ in range(50):
            # Orphans adopted by the zygote (daemons whose parent died), never another slot's students.
            strays = _children_of(me) - set(self.children)
            if not strays:
                break
            for stray in strays:
                for fn in (os.killpg, os.kill):
                    try:
                        fn(stray, signal.SIGKILL)
                    except OSError:
                        pass
            for stray in strays:
                try:
                    os.waitpid(stray, 0)
                except ChildProcessError:
                    pass
        self.reap()

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            student = self.children.pop(pid, None)
            self.slot_of.pop(pid, None)
            if student is not None:
                self.ended[pid] = _status(status, mirrored=student != pid)
                if len(self.ended) > 1000:
                    self.ended.clear()

    # -- the loop ----------------------------------------------------------------
    def serve(self) -> None:
        """Answer commands on every control socket until one says ``exit`` or all are closed."""
        import selectors

        sel = selectors.DefaultSelector()
        state: dict[int, tuple[bytes, list[int]]] = {}
        for index, control in enumerate(self.controls):
            sel.register(control, selectors.EVENT_READ, index)
            state[index] = (b"", [])
        while state:
            for key, _ in sel.select():
                index = key.data
                control = self.controls[index]
                buffer, fds = state[index]
                data, new_fds, _, _ = socket.recv_fds(control, 1 << 16, 4)
                if not data:  # its judge is gone: so are its student processes
                    self.killall(index)
                    sel.unregister(control)
                    del state[index]
                    continue
                buffer += data
                fds += new_fds
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    cmd = json.loads(line)
                    if cmd.get("op") == ZygoteOp.EXIT.value:
                        self.killall()
                        control.sendall(json.dumps({"ok": True, "id": cmd.get("id")}).encode() + b"\n")
                        return
                    reply = self.handle(cmd, fds, index)
                    reply["id"] = cmd.get("id")
                    control.sendall(json.dumps(reply).encode() + b"\n")
                state[index] = (buffer, fds)
        self.killall()

    def handle(self, cmd: dict[str, Any], fds: list[int], slot: int) -> dict[str, Any]:
        self.reap()
        op = cmd.get("op")
        if op not in ZYGOTE_OPS:  # the closed set: anything else is refused, never guessed at
            return {"error": f"unknown operation {str(op)[:50]!r}"}
        if op == ZygoteOp.SPAWN.value:
            sock_fd, out_fd = fds[:2]
            del fds[:2]
            try:
                return self.spawn(cmd["spec"], sock_fd, out_fd, slot)
            except OSError as exc:  # the machine is full (fork or a group failed): ours to retry
                return {"error": f"{type(exc).__name__}: {exc}"[:300]}
            finally:
                os.close(sock_fd)
                os.close(out_fd)
        if op == ZygoteOp.KILL.value:
            return self.kill(int(cmd["holder"]), float(cmd.get("wait", 0.0)))
        if op == ZygoteOp.KILLALL.value:
            self.killall(slot)
        return {"ok": True}


def _status(status: int, mirrored: bool) -> dict[str, Any]:
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}
    code = os.WEXITSTATUS(status)
    if mirrored and code > 128:
        return {"signal": code - 128}
    return {"exit": code}


def _children_of(pid: int) -> set[int]:
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
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Student processes compile nothing to disk (a zygote forked by its judge
    # inherits the judge's setting, which compiles torchdojo's own modules).
    sys.dont_write_bytecode = True
    controls = [socket.socket(fileno=int(fd)) for fd in argv[0].split(",")]
    _clean_sys_path()
    warm(training="--training" in argv)
    zygote = Zygote(controls)
    # Everything imported so far is long-lived: out of the children's collections
    # (no collection first: a twentieth of a second to free almost nothing).
    gc.freeze()
    hello = ZygoteHello(pid=os.getpid(), caps=zygote.caps, subreaper=bool(zygote.subreaper))
    controls[0].sendall(hello.to_json().encode() + b"\n")
    zygote.serve()
    # Every student process is dead (serve ends with killall): skip the interpreter's teardown.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
