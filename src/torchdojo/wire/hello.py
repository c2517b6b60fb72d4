"""The first line each long-lived process says when it is ready, defined once for both ends.

* :class:`ZygoteHello`: the student zygote to its judge, on its first control
  socket (:mod:`torchdojo.student.zygote`, read by
  :meth:`torchdojo.judge.student_zygote.StudentZygote.wait_ready`);
* :class:`JudgeHello`: the judge server to its caller, on its protocol channel
  (:mod:`torchdojo.judge.server`, read by :meth:`torchdojo.judge.service.Judge.wait_ready`).

Each is one JSON object with ``"ready": true``; anything else (nothing, a
garbled line, a process that died first) is not a hello: :meth:`from_json`
raises :class:`ValueError`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


def _fields(line: bytes | str) -> dict[str, Any]:
    data = json.loads(line) if line and line.strip() else None
    if not isinstance(data, dict) or data.get("ready") is not True:
        raise ValueError("not a hello line")
    pid, caps = data.get("pid"), data.get("caps", {})
    if not isinstance(pid, int) or isinstance(pid, bool) or not isinstance(caps, dict):
        raise ValueError("a hello line without a pid or with malformed capabilities")
    return data


@dataclass(frozen=True)
class ZygoteHello:
    """The student zygote is warm: its pid, what the machine offers the sandbox, whether it reaps orphans."""

    pid: int
    caps: dict[str, Any] = field(default_factory=dict)
    subreaper: bool = False

    def to_json(self) -> str:
        return json.dumps({"ready": True, **asdict(self)})

    @classmethod
    def from_json(cls, line: bytes | str) -> ZygoteHello:
        data = _fields(line)
        return cls(pid=data["pid"], caps=dict(data.get("caps") or {}), subreaper=bool(data.get("subreaper")))


@dataclass(frozen=True)
class JudgeHello:
    """The judge is warm: its pid and its zygote's capabilities."""

    pid: int
    caps: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"ready": True, **asdict(self)})

    @classmethod
    def from_json(cls, line: bytes | str) -> JudgeHello:
        data = _fields(line)
        return cls(pid=data["pid"], caps=dict(data.get("caps") or {}))
