"""One grading job in the judge: start the student process, run the hidden grader, collect verdicts.

Runs in a judge child forked for this job (:mod:`torchdojo.judge.server`); it
never imports, unpickles or calls anything the student process made.
"""

from __future__ import annotations

from pathlib import Path

from torchdojo.judge import seeding
from torchdojo.judge.session import ImportFailed, StudentSession
from torchdojo.judge.student_zygote import ZygoteSlot
from torchdojo.wire.job import JobSpec
from torchdojo.wire.result import JobResult, Verdict


def available_devices() -> list[str]:
    """``cpu`` plus every accelerator torch sees (asked here, never in a process that forks)."""
    import torch

    out = ["cpu"]
    if torch.cuda.is_available():
        out.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.append("mps")
    return out


def resolve_devices(wanted: str | tuple[str, ...]) -> list[str] | str:
    """The grading devices; the name of a missing device (a ``str``) when one asked for is absent."""
    import torch

    available = available_devices()
    if wanted in (None, "auto"):
        return available
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    for d in names:
        if torch.device(d).type not in available:
            return d
    return names


def judge_protections(job: JobSpec, subreaper: bool) -> list[str]:
    from torchdojo.shared import confine

    out = [confine.P_JUDGE_PROCESS, confine.P_DATA_ONLY, confine.P_WALL_CLOCK,
           confine.P_RSS.format(mb=job.limits.memory_mb), confine.P_OUTPUT, confine.P_TEMP]
    if subreaper:
        out.append(confine.P_SUBREAPER)
    return out


def run_job(job: JobSpec, zygote: ZygoteSlot, tmp_root: Path, *, zygote_pid: int | None = None,
            subreaper: bool = False) -> JobResult:
    """Grade one submission for one topic."""
    import pytest
    import torch

    from torchdojo.judge.plugin import GradingPlugin

    seeding.set_secret(job.secret)
    torch.set_num_threads(max(1, job.threads))
    devices = resolve_devices(job.devices)
    if isinstance(devices, str):
        return JobResult(device_unavailable=devices)
    session = StudentSession(job, zygote, tmp_root, devices, zygote_pid=zygote_pid)
    result = JobResult(devices=list(devices))
    try:
        try:
            ready = session.start()
        except ImportFailed as exc:
            result.import_error = Verdict(exc.status, exc.es, exc.en)
            return result
        cells = ready.get("cell_errors")
        if isinstance(cells, list):
            result.cell_errors = [(str(e[0])[:1000], str(e[1])[:1000]) for e in cells[:50]
                                  if isinstance(e, list) and len(e) == 2]
        plugin = GradingPlugin(session=session, job=job, devices=devices)
        ini = tmp_root / "grader.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        grader = Path(job.grader)
        args = [
            str(grader), "-c", str(ini), "--rootdir", str(grader.parent), "--confcutdir", str(grader.parent),
            "-p", "no:cacheprovider", "-p", "no:faulthandler", "-p", "no:terminal", "-p", "no:warnings",
            "-p", "no:legacypath",
            # Log capture wraps every phase of every test in handler swaps: a
            # tenth of the job, for records nobody reads (graders log nothing).
            "-p", "no:logging",
            # These run several full gc.collect() passes at the end of the session:
            # seconds with torch loaded, and the judge child exits right after.
            "-p", "no:unraisableexception", "-p", "no:threadexception",
            "-s",
        ]
        code = pytest.main(args, plugins=[plugin])
        plugin.finish()
        result.tests, result.overrides, result.internal = plugin.tests, plugin.overrides, plugin.internal()
        if int(code) in (2, 3, 4):  # interrupted, internal error, usage error
            result.internal.append(f"pytest exited with {code!r}")
    finally:
        session.close()
        result.protections = judge_protections(job, subreaper) + session.protections
        result.processes = session.processes
        result.output = bytes(session.output[:4096]).decode("utf-8", "replace")
        lost = session.lost  # the clean session's too (close() carries it over)
        if lost:
            # Ours, not the student's: whatever the tests saw is void, the server retries the job.
            return JobResult.infrastructure(f"student zygote lost: {lost}", zygote_lost=True)  # noqa: B012 - overrides any verdict
    return result
