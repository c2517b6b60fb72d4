"""The caller's side: start a warm judge, send it jobs.

>>> with Judge() as judge:               # doctest: +SKIP
...     result = judge.run(job)          # a torchdojo.wire.job.JobSpec

The caller needs no torch (this module imports none). A judge serves any number
of jobs one after another; class grading runs one judge per worker. Each judge
has its own student zygote; see :mod:`torchdojo.judge.server`.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torchdojo
from torchdojo import paths
from torchdojo.wire.job import JobSpec

_PACKAGE_PARENT = str(Path(torchdojo.__file__).resolve().parent.parent)


class JudgeError(RuntimeError):
    """The judge could not start or stopped answering."""


class Judge:
    """A warm judge process and its student zygote (see :mod:`torchdojo.judge.server`)."""

    def __init__(self, topics: list[str] | None = None, start_timeout_s: float = 120.0):
        """``topics``: the graders to keep warm (all when None); others still work, a little slower."""
        if topics is None:
            self.graders = [str(paths.graders_dir())]
        else:
            self.graders = [str(paths.graders_dir() / f"test_{t}.py") for t in topics]
        self.start_timeout_s = start_timeout_s
        self.proc: subprocess.Popen | None = None
        self._log = None
        self._buffer = b""
        #: What the machine offers the sandbox (from the student zygote), once started.
        self.caps: dict[str, Any] = {}

    def __enter__(self) -> Judge:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the judge and wait until it is warm."""
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        """Start the judge without waiting (several can warm up in parallel)."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH", "")) if p)
        env.setdefault("TORCHDOJO_CONTENT", str(paths.content_root()))
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "torchdojo.judge.server", *self.graders],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        hello = self._read_line(self.start_timeout_s)
        data = json.loads(hello) if hello else {}
        if not data.get("ready"):
            raise JudgeError(f"the grading process did not start: {self.log_tail()}")
        self.caps = dict(data.get("caps") or {})

    def missing_protections(self) -> list[str]:
        """What student processes will lack on this machine (program messages, English msgids)."""
        from torchdojo.student.confine import missing_protections

        return missing_protections(self.caps)

    def log_tail(self, limit: int = 2000) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-limit:].strip()

    def _read_line(self, timeout: float) -> str | None:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(timeout=left):
                    return None
                data = os.read(fd, 1 << 20)
                if not data:
                    return None
                self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode("utf-8")

    def run(self, job: JobSpec) -> dict[str, Any]:
        """Grade one job; a dead or stuck judge is replaced and the job reported as lost."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write((job.to_json() + "\n").encode())
            self.proc.stdin.flush()
            line = self._read_line(job.budget_s() + 30.0)
        except (BrokenPipeError, OSError):
            line = None
        if line is None:
            tail = self.log_tail()
            self.close()
            return {"zygote_error": f"the grading process stopped answering. {tail}"}
        return json.loads(line)

    def close(self) -> None:
        if self.proc is not None:
            try:
                if self.proc.stdin:
                    self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (subprocess.TimeoutExpired, OSError):
                pass
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, 9)
                except OSError:
                    pass
                self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None
        self._buffer = b""
        if self._log is not None:
            self._log.close()
            self._log = None
