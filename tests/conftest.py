"""Shared fixtures: one warm grading process for the whole test session."""

from __future__ import annotations


import pytest

from torchdojo import paths
from torchdojo.check import check_workspace
from torchdojo.report import TopicResult
from torchdojo.judge.service import Judge
from torchdojo.stubs import strip_markers


@pytest.fixture(scope="session")
def judge():
    with Judge() as z:
        yield z


def reference_source(topic: str) -> str:
    """The reference solution of ``topic`` without solution markers."""
    return strip_markers((paths.solutions_dir() / f"{topic}.py").read_text(encoding="utf-8"))


@pytest.fixture
def grade(judge, tmp_path):
    """``grade(source, topic)``: write ``<topic>.py`` to a fresh folder and grade it."""

    def _grade(source: str | bytes, topic: str = "tensors", *, name: str | None = None,
               lang: str = "en", extra: dict[str, str] | None = None, **options) -> TopicResult:
        folder = tmp_path / f"sub{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        target = folder / (name or f"{topic}.py")
        if isinstance(source, bytes):
            target.write_bytes(source)
        else:
            target.write_text(source, encoding="utf-8")
        for fname, text in (extra or {}).items():
            (folder / fname).write_text(text, encoding="utf-8")
        report = check_workspace(folder, [topic], device="cpu", lang=lang, record=False, judge=judge, **options)
        return report.topics[0]

    return _grade


def statuses(topic: TopicResult) -> dict[str, str]:
    return {e.id.split("/", 1)[1]: e.status for e in topic.exercises}


def by_name(topic: TopicResult, name: str):
    return next(e for e in topic.exercises if e.id.endswith("/" + name))


def marked_processes(mark: str) -> list[tuple[int, int, str]]:
    """Processes whose environment holds ``TORCHDOJO_TEST_MARK=mark``: (pid, parent pid, kind).

    A test sets the mark before starting a judge, so the judge, its student
    zygote and every process they start inherit it; ``kind`` is ``judge``,
    ``zygote`` (a student zygote), ``student`` (anything forked from one) or ``other``.
    """
    import os

    needle = f"TORCHDOJO_TEST_MARK={mark}".encode()
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read().rsplit(")", 1)[1].split()
            if stat[0] == "Z":
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        kind = "judge" if b"torchdojo.judge.server" in cmdline else (
            "zygote" if b"torchdojo.student.zygote" in cmdline else "other")
        out.append((int(entry), int(stat[1]), kind))
    # A student process has its zygote's command line: the zygote is the one a judge started.
    judges = {pid for pid, _, kind in out if kind == "judge"}
    return [(pid, ppid, "student" if kind == "zygote" and ppid not in judges else kind) for pid, ppid, kind in out]
