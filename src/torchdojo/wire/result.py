"""What a judge answers for one job: :class:`JobResult`, defined once for both ends.

The judge child builds it (:mod:`torchdojo.judge.run`), the judge server sends
it as one JSON line (:meth:`JobResult.to_json`), the caller reads it back
(:meth:`JobResult.from_json`) and turns it into per-exercise results
(:mod:`torchdojo.judge.aggregate`). A failure of our grading infrastructure
(a judge child or the student zygote lost) is said in one field,
:attr:`JobResult.infra_error`, and nothing else: whoever retries decides from
that field only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from torchdojo.wire.report import STATUSES

FORMAT = "torchdojo.jobresult/1"
#: The longest infrastructure-failure text carried.
INFRA_LIMIT = 1000


@dataclass(frozen=True)
class TestVerdict:
    """One grader test (one device of a device test) as the judge recorded it, in both languages."""

    __test__ = False  # not a pytest class

    #: The exercise the test belongs to (its ``exercise`` marker).
    ex: str
    name: str
    status: str
    weight: float = 1.0
    hidden: bool = False
    es: str = ""
    en: str = ""
    hint_es: str = ""
    hint_en: str = ""
    dur: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES and self.status != "skipped":
            raise ValueError(f"unknown test status {self.status!r}")


@dataclass(frozen=True)
class Verdict:
    """A verdict for a whole exercise or module (an import that failed, a process that died), in both languages."""

    status: str
    es: str
    en: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")


@dataclass
class JobResult:
    """Everything one grading job found (see the module docstring)."""

    #: The devices the job was graded on.
    devices: list[str] = field(default_factory=list)
    #: Exercise name -> its tests' verdicts.
    tests: dict[str, list[TestVerdict]] = field(default_factory=dict)
    #: Exercise name -> a verdict that replaces its tests' (the student process died in it...).
    overrides: dict[str, Verdict] = field(default_factory=dict)
    #: Remarks of ours about the grader (not the submission), one line each.
    internal: list[str] = field(default_factory=list)
    #: The submission did not import: every exercise gets this verdict.
    import_error: Verdict | None = None
    #: Notebook cells that failed, ``(es, en)``.
    cell_errors: list[tuple[str, str]] = field(default_factory=list)
    protections: list[str] = field(default_factory=list)
    #: Student processes started for the job.
    processes: int = 0
    #: The start of what the student's code printed.
    output: str = ""
    #: A device asked for that this machine lacks (the job was not graded).
    device_unavailable: str = ""
    #: Set when our grading infrastructure, not the submission, failed: nothing else in the result counts.
    infra_error: str = ""
    #: With ``infra_error``: the student zygote was lost, so the job is retried in a fresh one (a judge
    #: child's own failure is retried on the same zygote, whose slot was cleaned after it).
    zygote_lost: bool = False

    @classmethod
    def infrastructure(cls, why: str, *, zygote_lost: bool = False) -> JobResult:
        """The result of a job our infrastructure failed to grade (retried by whoever reads it)."""
        return cls(infra_error=(str(why) or "unknown failure")[:INFRA_LIMIT], zygote_lost=zygote_lost)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any) -> JobResult:
        """Read a result back; a document of another kind or shape raises ``ValueError``."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        try:
            imp = data.get("import_error")
            return cls(
                devices=[str(d) for d in _list(data.get("devices"))],
                tests={str(ex): [TestVerdict(**t) for t in _list(ts)] for ex, ts in _dict(data.get("tests")).items()},
                overrides={str(ex): Verdict(**v) for ex, v in _dict(data.get("overrides")).items()},
                internal=[str(m) for m in _list(data.get("internal"))],
                import_error=Verdict(**imp) if imp is not None else None,
                cell_errors=[(str(es), str(en)) for es, en in _list(data.get("cell_errors"))],
                protections=[str(p) for p in _list(data.get("protections"))],
                processes=int(data.get("processes", 0)),
                output=str(data.get("output", "")),
                device_unavailable=str(data.get("device_unavailable", "")),
                infra_error=str(data.get("infra_error", ""))[:INFRA_LIMIT],
                zygote_lost=bool(data.get("zygote_lost", False)),
            )
        except TypeError as exc:  # unknown or missing fields in a nested record
            raise ValueError(f"malformed {FORMAT} document: {exc}") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> JobResult:
        return cls.from_dict(json.loads(text))


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value


def _dict(value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    return value
