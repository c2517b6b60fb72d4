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
