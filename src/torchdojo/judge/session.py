"""One submission's student process, seen from the judge: start it, ask it, stop it.

The judge sends a request and waits for the reply with the current exercise's
clock running; while it waits it drains the student's output into a bounded
buffer and watches its memory. What comes back is decoded as untrusted data
(:class:`torchdojo.wire.codec.Decoder`). A student process that runs past the
exercise's time, dies, or answers with something that is not a reply to the
request just sent is killed; the exercise ends there (:class:`Stopped`) or the
test fails (:class:`ProtocolViolation`), and the next exercise gets a fresh
process.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import stat
import tempfile
import time
import weakref
from pathlib import Path
from typing import Any

import torch

from torchdojo.judge.remote import Handle, MissingName, StudentRaised
from torchdojo.judge.student_zygote import ZygoteLost, ZygoteSlot
from torchdojo.shared import job_share as share
from torchdojo.text.i18n import Rendered, tr_pair
from torchdojo.wire.codec import Decoder, Encoder, Unsendable, WireError
from torchdojo.wire.frames import FrameError, FrameReader, frame
from torchdojo.wire.job import JobSpec, is_sibling_module
from torchdojo.wire.ops import StudentOp, ZygoteOp

#: Largest reply accepted from a student process.
MAX_REPLY = 256 << 20
POLL_S = 0.05


class Stopped(Exception):
    """The student process was stopped; the current exercise ends with ``status``."""

    def __init__(self, status: str, said: Rendered):
        super().__init__(said.en)
        self.status = status
        self.es, self.en = said


class ImportFailed(Exception):
    """The submission did not import in a (re)started student process.

    ``info``: the student process's report (``status``, ``es``, ``en``), or ours (:meth:`saying`).
    """

    @classmethod
    def saying(cls, said: Rendered, status: str = "error") -> ImportFailed:
        return cls({"status": status, "es": said.es, "en": said.en})

    def __init__(self, info: dict[str, Any]):
        self.es = str(info.get("es", ""))[:2000]
        self.en = str(info.get("en", ""))[:2000]
        status = info.get("status")
        self.status = status if status in ("timeout", "crashed") else "error"
        super().__init__(self.en)


class ProtocolViolation(Exception):
    """The student process answered with something that is not a reply to the request."""


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _rmtree(path: Path) -> None:
    def onerror(func, p, _exc):
        try:
            os.chmod(p, stat.S_IRWXU)
            func(p)
        except OSError:
            pass

    for root, dirs, _files in os.walk(path):
        for d in dirs:
            try:
                os.chmod(os.path.join(root, d), stat.S_IRWXU)
            except OSError:
                pass
    shutil.rmtree(path, onerror=onerror)


def _exit_reason(info: dict[str, Any]) -> Rendered:
    import signal as _signal

    if info.get("signal"):
        sig = int(info["signal"])
        if sig == _signal.SIGXFSZ:
            return tr_pair("wrote a file that is too large")
        try:
            name = _signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return tr_pair("was killed by signal {name}", name=name)
    if info.get("exit") is not None:
        return tr_pair("exited with code {code}", code=info["exit"])
    return tr_pair("ended")


class StudentSession:
    """The student process of one job (one at a time; a new one after a stop)."""

    def __init__(self, job: JobSpec, zygote: ZygoteSlot, tmp_root: Path, devices: list[str],
                 zygote_pid: int | None = None, *, clean: bool = False):
        self.job = job
        #: A clean process imports no submission: for work that must not run beside student code.
        self.clean = clean
        self._clean_session: StudentSession | None = None
        self.zygote = zygote
        self.tmp_root = tmp_root
        self.devices = devices
        self.device_types = {torch.device(d).type for d in devices} | {"cpu"}
        self.generation = 0
        self.sock: socket.socket | None = None
        self.out_fd: int | None = None
        self.holder: int | None = None
        self.pid: int | None = None
        self.workdir: Path | None = None
        self.reader: FrameReader | None = None
        self.names: dict[str, Any] = {}
        self.output = bytearray()
        self.deadline: float | None = None
        self.budget_s: float | None = None
        self.tainted = False
        self.protections: list[str] = []
        self.ready: dict[str, Any] | None = None
        self.notes: list[str] = []
        self.seq = 0
        self.processes = 0
        self._release: list[int] = []
        self._handles: weakref.WeakValueDictionary[int, Handle] = weakref.WeakValueDictionary()
        self.base_rss = rss_bytes(zygote_pid) if zygote_pid else 0
        #: Why the student zygote was lost (an infrastructure failure: the job is retried), if it was.
        self.lost: str | None = None
        self._oom_seen = 0
        self._group_base = 0
        #: When the job's memory was last summed: every tenth of a second at most, across calls too
        #: (summing it on each of a grader's hundreds of quick calls cost a twentieth of its time).
        self._last_mem = 0.0
        self._encoder = Encoder(self._handle_ref, strides=True)

    # -- clocks -------------------------------------------------------------------
    def set_budget(self, seconds: float | None) -> None:
        """Start the clock of an exercise (``None``: no exercise running)."""
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.budget_s = seconds

    @property
    def alive(self) -> bool:
        return self.sock is not None

    # -- starting and stopping --------------------------------------------------------
    def _prepare(self) -> Path:
        workdir = Path(tempfile.mkdtemp(prefix="student-", dir=self.tmp_root))
        sub = workdir / "submission"
        sub.mkdir()
        if self.clean:
            return workdir
        shutil.copyfile(self.job.submission, sub / self.job.submission_name)
        for extra in self.job.siblings:
            name = Path(extra).name
            if is_sibling_module(name) and name != self.job.submission_name:
                try:
                    shutil.copyfile(extra, sub / name)
                except OSError:
                    pass
        return workdir

    def _settle(self) -> None:
        """Wait (briefly) until a process stopped for memory has given it back to the job's group.

        A killed process frees its memory as it exits, after the kill returns: a new
        process started meanwhile would be charged for it, or killed for it.
        """
        if not self.zygote.watch:
            return
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            used = share.usage(self.zygote.watch)
            if used is None or used < (self.job.limits.memory_mb << 20) // 2:
                return
            time.sleep(0.02)

    def start(self) -> dict[str, Any]:
        """A new student process with the submission imported; its ``ready`` report."""
        self.stop()
        if self.generation:
            self._settle()
        self.generation += 1
        self._release, self._handles = [], weakref.WeakValueDictionary()
        self.processes += 1
        self.names = {}
        self.tainted = False
        self.workdir = self._prepare()
        ours, theirs = socket.socketpair()
        r_out, w_out = os.pipe()
        spec = {
            "workdir": str(self.workdir),
            "filename": "" if self.clean else self.job.submission_name,
            "module": self.job.module,
            "devices": list(self.devices),
            "threads": self.job.threads,
            "file_mb": self.job.limits.file_mb,
            "memory_mb": self.job.limits.memory_mb,
            "protect": list(self.job.protect),
            "writable": list(self.job.writable),
        }
        try:
            self.holder, self.pid = self.zygote.spawn_student(spec, theirs.fileno(), w_out)
        except ZygoteLost as exc:
            self.lost = str(exc)
            raise
        finally:
            theirs.close()
            os.close(w_out)
        ours.setblocking(False)
        os.set_blocking(r_out, False)
        self.sock, self.out_fd = ours, r_out
        self.reader = FrameReader(MAX_REPLY)
        self._oom_seen = share.oom_kills(self.zygote.watch) if self.zygote.watch else 0
        limit = self.job.limits.import_timeout_s
        deadline = time.monotonic() + limit
        try:
            confined = self._decode(self._wait_frame(deadline, phase="import"))
            # What the job's group holds before any student code runs (the process's
            # copies of the zygote's pages): the budget is on top, as RLIMIT_AS is.
            self._group_base = (share.usage(self.zygote.watch) or 0) if self.zygote.watch else 0
            if isinstance(confined, dict) and isinstance(confined.get("confined"), list):
                self.protections = [str(p)[:200] for p in confined["confined"]][:20]
            ready = self._decode(self._wait_frame(deadline, phase="import"))
        except ProtocolViolation as exc:
            self.stop()
            raise ImportFailed.saying(tr_pair("the student process answered something unreadable while importing: "
                                              "{detail}", detail=str(exc))) from exc
        if not isinstance(ready, dict) or not ready.get("ready"):
            self.stop()
            raise ImportFailed.saying(tr_pair("the student process did not report its import"))
        self.ready = ready
        error = ready.get("import_error")
        if isinstance(error, dict):
            self.stop()
            raise ImportFailed(error)
        return ready

    def stop(self, wait: float = 0.0) -> dict[str, Any]:
        """Kill the current student process (and all it started); how it had ended, if it had."""
        info: dict[str, Any] = {}
        if self.holder is not None:
            try:
                info = self.zygote.command(ZygoteOp.KILL, {"holder": self.holder, "wait": wait})
            except ZygoteLost as exc:
                self.lost = str(exc)
        if self.sock is not None:
            self.sock.close()
        if self.out_fd is not None:
            self._drain_output()
            os.close(self.out_fd)
        if self.workdir is not None:
            _rmtree(self.workdir)
        self.sock = self.out_fd = self.holder = self.pid = self.workdir = None
        self.reader = None
        self.names = {}
        return info

    def close(self) -> None:
        self.stop()
        if self._clean_session is not None:
            self._clean_session.close()
            # A zygote the clean process lost is this job's loss too (the caller reads ``lost`` after closing).
            self.lost = self.lost or self._clean_session.lost
            self._clean_session = None

    def clean_session(self) -> StudentSession:
        """A second, clean student process (no submission imported), started on first use."""
        if self._clean_session is None:
            self._clean_session = StudentSession(self.job, self.zygote, self.tmp_root, self.devices, clean=True)
            self._clean_session.base_rss = self.base_rss
        return self._clean_session

    # -- asking ---------------------------------------------------------------------
    def ensure(self) -> None:
        if not self.alive:
            started = time.monotonic()
            self.start()
            if self.deadline is not None:  # importing again is not the exercise's time
                self.deadline += time.monotonic() - started

    def get_name(self, name: str) -> Any:
        self.ensure()
        if name not in self.names:
            self.names[name] = self.op(StudentOp.GET, name=name)
        return self.names[name]

    def op(self, op: StudentOp, **fields: Any) -> Any:
        """One request and its decoded reply; raises for what student code raised."""
        name = StudentOp(op).value  # the closed set: an unknown operation is a bug of ours, never sent
        self.ensure()
        self.seq += 1
        request = {"op": name, "seq": self.seq, **fields}
        if self._release:
            request["release"], self._release = self._release, []
        payload = self._encoder.encode(request)
        deadline = self.deadline if self.deadline is not None else time.monotonic() + 60.0
        data = self._exchange(payload, deadline)
        reply = self._decode(data)
        if not isinstance(reply, dict) or reply.get("seq") != self.seq:
            self.stop()
            raise ProtocolViolation("a reply to another request (or a forged one)")
        if "ok" in reply:
            return reply["ok"]
        if "raised" in reply and isinstance(reply["raised"], dict):
            raise StudentRaised(reply["raised"])
        if "missing" in reply:
            raise MissingName(self.job.submission_name, str(reply["missing"])[:100])
        if "unsendable" in reply:
            return Unsendable("value", str(reply["unsendable"])[:300])
        raise ProtocolViolation(str(reply.get("error", "a reply without a result"))[:300])

    # -- plumbing ---------------------------------------------------------------------
    def _handle_ref(self, value: Any) -> tuple:
        if isinstance(value, Handle):
            if value._session is not self or value._generation != self.generation:
                raise RuntimeError("a handle of an earlier student process (a grader kept it across a restart)")
            return ("H", value._id, value.type_name, value.kind)
        raise TypeError(f"a grader sent a {type(value).__name__} to the student process")

    def _make_handle(self, ident: int, type_name: str, kind: str) -> Handle:
        # One Handle per student object: ``model.to(device)`` answers with the model's
        # own id, and a second Handle dying would release the object under the first.
        handle = self._handles.get(ident)
        if handle is not None:
            return handle
        if ident in self._release:  # let go of here, not yet there: it is alive again
            self._release.remove(ident)
        handle = Handle(self, ident, self.generation, type_name, kind)
        self._handles[ident] = handle
        generation = self.generation

        def forget() -> None:
            if self.generation == generation:
                self._release.append(ident)  # the list of now, not the one of the handle's birth

        weakref.finalize(handle, forget)
        return handle

    def _device_ok(self, name: str) -> bool:
        try:
            return torch.device(name).type in self.device_types
        except RuntimeError:
            return False

    def _decode(self, data: bytes) -> Any:
        decoder = Decoder(data, handle=self._make_handle, device_ok=self._device_ok)
        try:
            value = decoder.decode()
        except WireError as exc:
            self.stop()
            raise ProtocolViolation(str(exc)[:300]) from None
        except Exception as exc:  # noqa: BLE001 - e.g. a tensor that does not fit on its device
            self.stop()
            raise ProtocolViolation(f"{type(exc).__name__}: {str(exc)[:200]}") from None
        self.notes.extend(decoder.notes[:10])
        return value

    def _drain_output(self) -> None:
        if self.out_fd is None:
            return
        limit = self.job.limits.output_limit
        for _ in range(64):
            try:
                data = os.read(self.out_fd, 65536)
            except (BlockingIOError, OSError):
                return
            if not data:
                return
            room = limit - len(self.output)
            if room > 0:
                self.output += data[:room]

    def _wait_frame(self, deadline: float, phase: str, outgoing: bytes = b"") -> bytes:
        assert self.sock is not None and self.reader is not None
        view = memoryview(outgoing)
        memory_limit = self.job.limits.memory_mb << 20
        sock_fd = self.sock.fileno()
        while True:
            try:
                got = self.reader.next_frame()
            except FrameError as exc:
                self.stop()
                raise ProtocolViolation(str(exc)) from None
            if got is not None and not view:
                return got
            now = time.monotonic()
            if now >= deadline:
                self._stopped("timeout", phase)
            rlist = [sock_fd] + ([self.out_fd] if self.out_fd is not None else [])
            wlist = [sock_fd] if view else []
            try:
                readable, writable, _ = select.select(rlist, wlist, [], min(POLL_S, deadline - now))
            except InterruptedError:
                continue
            if sock_fd in writable:
                try:
                    sent = self.sock.send(view)
                    view = view[sent:]
                except BlockingIOError:
                    pass
                except OSError:
                    self._stopped("crashed", phase)
            if self.out_fd is not None and self.out_fd in readable:
                self._drain_output()
            if sock_fd in readable:
                try:
                    self.reader.read_from(sock_fd)
                except FrameError as exc:
                    self.stop()
                    raise ProtocolViolation(str(exc)) from None
                if self.reader.eof and self.reader.next_frame() is None:
                    self._stopped("crashed", phase)
            if memory_limit and self.pid and now - self._last_mem > 0.1:
                self._last_mem = now
                if self._memory() > memory_limit or self._killed_for_memory():
                    self._stopped("memory", phase)

    def _memory(self) -> int:
        """The job's memory beyond the zygote's: its control group's count, else the process tree's sum."""
        assert self.pid is not None
        used = share.usage(self.zygote.watch) if self.zygote.watch else None
        if used is not None:
            return used - self._group_base
        return share.tree_memory(self.pid, rss_bytes(self.pid)) - self.base_rss

    def _killed_for_memory(self) -> bool:
        """Whether the kernel killed a process of the job for the group's memory limit since the start."""
        return bool(self.zygote.watch) and share.oom_kills(self.zygote.watch) > self._oom_seen

    def _exchange(self, payload: bytes, deadline: float) -> bytes:
        return self._wait_frame(deadline, phase="tests", outgoing=frame(payload))

    def _stopped(self, why: str, phase: str) -> None:
        if why == "crashed" and self._killed_for_memory():
            why = "memory"
        info = self.stop(wait=0.5 if why == "crashed" else 0.0)
        limits = self.job.limits
        if phase == "import":
            if why == "timeout":
                raise ImportFailed.saying(tr_pair("importing the module took longer than {secs} s (an infinite loop "
                                                  "at module level?)", secs=f"{limits.import_timeout_s:g}"), "timeout")
            raise ImportFailed.saying(tr_pair("the process died while importing the module: {why}",
                                              why=self._why(why, info)), "crashed")
        if why == "timeout":
            if self.budget_s:
                raise Stopped("timeout", tr_pair("ran past the time limit of {secs} s (an infinite loop, or training "
                                                 "that is too long?)", secs=f"{self.budget_s:g}"))
            raise Stopped("timeout", tr_pair("ran past the time limit (an infinite loop, or training that is too "
                                             "long?)"))
        raise Stopped("crashed", tr_pair("the process died during this exercise: {why} (sys.exit, os._exit, "
                                         "memory?)", why=self._why(why, info)))

    def _why(self, why: str, info: dict[str, Any]) -> Rendered:
        if why == "memory":
            return tr_pair("used more than {mb} MiB of memory", mb=self.job.limits.memory_mb)
        return _exit_reason(info)
