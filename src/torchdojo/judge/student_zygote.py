"""The judge's handle on its student zygote (:mod:`torchdojo.student.zygote`).

The judge server's first zygote is forked from the judge itself once the
student side is imported (:mod:`torchdojo.shared.warm_fork`: torch is imported
once per judge); a lost zygote is replaced by a freshly started one
(:meth:`StudentZygote.spawn`). Judge children (one job each) ask it for student processes
over the inherited control socket, passing the two file descriptors each
student process gets: its end of the request socket and its output pipe.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from typing import Any

# Both ways of starting a zygote (forked from a warm judge, spawned afresh) give it this one environment.
from torchdojo.shared.warm_fork import zygote_environment
from torchdojo.wire.hello import ZygoteHello
from torchdojo.wire.ops import ZygoteOp


class ZygoteLost(RuntimeError):
    """The student zygote died or stopped answering."""


class StudentZygote:
    """The zygote process, with one control socket per slot (a judge child grades on one slot at a time)."""

    def __init__(self, *, training: bool = False, slots: int = 1):
        self.training = training
        self.slots = max(1, int(slots))
        self.proc: subprocess.Popen | None = None
        self.controls: list[ZygoteSlot] = []
        self.caps: dict[str, Any] = {}

    def fork_warm(self) -> None:
        """The first zygote: warm the student side in this process and fork it (before the judge side is imported)."""
        from torchdojo.shared.warm_fork import fork_student_zygote

        pid, ours = fork_student_zygote(self.training, self.slots)
        self.proc = _ForkedProcess(pid)
        self.controls = [ZygoteSlot(sock, i) for i, sock in enumerate(ours)]

    def spawn(self) -> None:
        """A zygote in a fresh interpreter (a restart: this process has imported the judge side by now)."""
        pairs = [socket.socketpair() for _ in range(self.slots)]
        # Only torchdojo itself on the path: the student process reads the
        # interpreter's libraries, never folders a caller added (tests, courses).
        env = zygote_environment(os.environ)
        theirs = [t for _, t in pairs]
        args = [sys.executable, "-m", "torchdojo.student.zygote", ",".join(str(t.fileno()) for t in theirs)]
        if self.training:
            args.append("--training")
        self.proc = subprocess.Popen(args, pass_fds=[t.fileno() for t in theirs], env=env, cwd="/",
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        for t in theirs:
            t.close()
        self.controls = [ZygoteSlot(ours, i) for i, (ours, _) in enumerate(pairs)]

    def wait_ready(self, timeout: float = 120.0) -> ZygoteHello:
        try:
            hello = ZygoteHello.from_json(self.controls[0].read_raw_line(timeout) if self.controls else b"")
        except ValueError:
            raise ZygoteLost("the student zygote did not start") from None
        self.caps = dict(hello.caps)
        return hello

    def slot(self, index: int) -> ZygoteSlot:
        return self.controls[index]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        pid = self.proc.pid if self.proc is not None else None
        if self.controls:
            try:
                self.controls[0].command(ZygoteOp.EXIT, timeout=5)
            except ZygoteLost:
                pass
            for control in self.controls:
                control.sock.close()
            self.controls = []
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, 9)
                except OSError:
                    pass
                self.proc.wait()
            self.proc = None
        if pid is not None and self.caps.get("share"):
            from torchdojo.shared import job_share as share

            share.sweep(self.caps["share"], f"td-{pid}-")  # the job groups of a zygote that died mid-job


class _ForkedProcess:
    """The bits of ``subprocess.Popen`` the judge uses, for a zygote it forked."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                done, status = self.pid, 0
            if done == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"zygote {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode


class ZygoteSlot:
    """One control socket of the zygote: the student processes started through it are its own."""

    def __init__(self, sock: socket.socket, index: int):
        self.sock = sock
        self.index = index
        self._buffer = b""
        self.watch: dict[str, str] = {}

    def read_raw_line(self, timeout: float) -> bytes:
        """The next line the zygote says on this socket; empty when none came in time or the zygote is gone."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return b""
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                return b""
            data = self.sock.recv(1 << 16)
            if not data:
                return b""
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def read_line(self, timeout: float) -> dict[str, Any] | None:
        line = self.read_raw_line(timeout)
        return json.loads(line) if line else None

    def command(self, op: ZygoteOp, fields: dict[str, Any] | None = None, fds: list[int] = (),
                timeout: float = 30.0) -> dict[str, Any]:
        """One command of the closed set :class:`~torchdojo.wire.ops.ZygoteOp` and its reply."""
        ident = f"{os.getpid()}-{time.monotonic_ns()}"
        data = json.dumps({**(fields or {}), "op": ZygoteOp(op).value, "id": ident}).encode() + b"\n"
        try:
            if fds:
                socket.send_fds(self.sock, [data], list(fds))
            else:
                self.sock.sendall(data)
        except OSError as exc:
            raise ZygoteLost(f"the student zygote is gone ({exc})") from None
        deadline = time.monotonic() + timeout
        while True:
            # A reply to another id is left over from a judge child that died mid-command.
            reply = self.read_line(max(0.0, deadline - time.monotonic()))
            if reply is None:
                raise ZygoteLost("the student zygote stopped answering")
            if reply.get("id") == ident:
                return reply

    def spawn_student(self, spec: dict[str, Any], sock_fd: int, out_fd: int) -> tuple[int, int]:
        """A new student process; returns (holder pid, student pid)."""
        reply = self.command(ZygoteOp.SPAWN, {"spec": spec}, [sock_fd, out_fd])
        if "error" in reply:  # the zygote could not fork: the machine's failure, not the student's
            raise ZygoteLost(f"the student zygote could not start a process ({reply['error']})")
        #: Files of the job's control group the watchdog reads (empty without one).
        self.watch = dict(reply.get("watch") or {})
        return int(reply["holder"]), int(reply["pid"])

    def kill(self, holder: int) -> None:
        self.command(ZygoteOp.KILL, {"holder": holder})

    def killall(self) -> None:
        """Kill every student process of this slot (and the orphans any student left)."""
        self.command(ZygoteOp.KILLALL)
