"""The grading job: one submission file, one topic, sent by a caller to a judge.

A typed, JSON-serialisable structure (no torch needed), defined once: the
CLI, class grading, Dask workers and the Gradescope bundle all build it with
:meth:`JobSpec.build`, and the judge reads it back with :meth:`JobSpec.from_json`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

FORMAT = "torchdojo.job/1"
#: The grading devices a caller may ask for: ``auto`` is the CPU and every accelerator present (the judge
#: resolves it, :func:`torchdojo.judge.run.resolve_devices`); an accelerator by name must be present.
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
ACCELERATORS = ("cuda", "mps")
#: Files beside a submission that never take part in grading: they would configure Python or pytest.
EXCLUDED = frozenset({"conftest.py", "sitecustomize.py", "usercustomize.py", "pytest.ini", "tox.ini", "setup.cfg"})


def is_sibling_module(name: str) -> bool:
    """Whether a file beside a submission goes along with it as a module it may import (decided here only)."""
    return name.endswith(".py") and not name.startswith(".") and name not in EXCLUDED


@dataclass(frozen=True)
class ExerciseSpec:
    """One exercise to grade: its name, wall-clock limit and whether it is graded per device."""

    name: str
    timeout_s: float = 10.0
    device: bool = False


@dataclass(frozen=True)
class ResourceLimits:
    """Limits of the student process (the judge enforces the clocks and the watchdog)."""

    #: Seconds to import the submission (each time a student process starts).
    import_timeout_s: float = 10.0
    #: Memory on top of what torch itself maps, in MiB (RLIMIT_AS where possible, RSS watchdog always).
    memory_mb: int = 2048
    #: Bytes of the student's stdout/stderr kept.
    output_limit: int = 65536
    #: Largest file the student process may write, in MiB.
    file_mb: int = 256


@dataclass(frozen=True)
class JobSpec:
    """Everything a judge needs to grade one submission file for one topic."""

    topic: str
    #: The module name the submission defines (``tensors``).
    module: str
    #: Path of the submission file (``.py`` or ``.ipynb``), readable by the judge.
    submission: str
    #: Path of the hidden grader (``graders/test_<topic>.py``).
    grader: str
    exercises: tuple[ExerciseSpec, ...]
    #: Sibling ``.py`` files the submission may import.
    siblings: tuple[str, ...] = ()
    #: ``auto`` (the CPU and every accelerator present) or device names.
    devices: str | tuple[str, ...] = "auto"
    lang: str = "es"
    #: torch threads in the student process and the judge.
    threads: int = 1
    limits: ResourceLimits = field(default_factory=ResourceLimits)
    #: The instructor's grading secret: it changes the hidden inputs of randomised tests.
    secret: str = ""
    #: Extra paths the student process must never read (the class folder, the output folder).
    protect: tuple[str, ...] = ()
    #: Extra folders the student process may write (tests and debugging only; never in a class run).
    writable: tuple[str, ...] = ()

    @property
    def submission_name(self) -> str:
        return self.submission.replace("\\", "/").rsplit("/", 1)[-1]

    def budget_s(self) -> float:
        """The longest the whole job can legitimately take (restarts included)."""
        per_ex = sum(e.timeout_s for e in self.exercises)
        return self.limits.import_timeout_s * (len(self.exercises) + 2) + per_ex * 1.5 + 120.0

    @classmethod
    def build(cls, **options: Any) -> JobSpec:
        """A job from keyword options; limit names (``memory_mb``, ...) go to :attr:`limits`."""
        limit_names = {f.name for f in fields(ResourceLimits)}
        limits = {k: options.pop(k) for k in list(options) if k in limit_names}
        base = options.pop("limits", None) or ResourceLimits()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown job options: {', '.join(unknown)}")
        options["exercises"] = tuple(e if isinstance(e, ExerciseSpec) else ExerciseSpec(**e)
                                     for e in options.get("exercises", ()))
        for name in ("siblings", "protect", "writable"):
            options[name] = tuple(str(p) for p in options.get(name, ()))
        if not isinstance(options.get("devices", "auto"), str):
            options["devices"] = tuple(str(d) for d in options["devices"])
        return cls(limits=replace(base, **limits), **options)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> JobSpec:
        data = json.loads(text)
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        limits = ResourceLimits(**data.pop("limits", {}))
        return cls.build(limits=limits, **data)
