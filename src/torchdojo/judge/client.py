"""The judge's client API: a job from a submission, sent to a running judge, its result per exercise.

What ``check`` (:mod:`torchdojo.learner.check`), class grading and the
Gradescope autograder call to grade one file or one folder for one topic.
"""

from __future__ import annotations

import stat
import tempfile
import time
from pathlib import Path, PurePosixPath
from typing import Any

from torchdojo.course import paths
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr
from torchdojo.judge.aggregate import topic_result
from torchdojo.judge.service import Judge
from torchdojo.course.manifest import Exercise, Topic
from torchdojo.wire.report import ERROR, NOT_ATTEMPTED, ItemResult, TopicResult
from torchdojo.wire.job import ExerciseSpec, JobSpec, is_sibling_module
from torchdojo.judge.submission import choose_submission

def sibling_modules(submission: Path) -> list[Path]:
    """The other ``.py`` files beside a submission, which it may import (never pytest or site config).

    ``submission`` is a private copy made through the intake (:func:`stage_submission`, the class
    layout): what lies beside it was already checked there (regular files, bounded sizes).
    """
    return [p for p in sorted(submission.parent.glob("*.py"))
            if p != submission and is_sibling_module(p.name) and p.is_file()]


def find_submission(folder: Path, topic: Topic) -> Path | None:
    """``<module>.py`` or ``<module>.ipynb`` in ``folder``; with both, the one the learner changed
    (:func:`torchdojo.judge.submission.choose_submission`)."""
    return choose_submission(folder, topic)[0]


def stage_submission(folder: Path, topic: Topic, into: Path) -> Path | None:
    """Read ``topic``'s module and its sibling modules from ``folder`` into the private folder ``into``.

    Everything goes through the one intake (:mod:`torchdojo.judge.intake`):
    a link, a named pipe, a device or a file too large raises
    :class:`~torchdojo.judge.intake.Refused` with a one-line reason. The
    judge is given only the copies, so an entry swapped after it was read
    cannot reach it. A module of the topic (``.py`` or ``.ipynb``, both when
    both are there) is in ``into``; ``None`` when there is none.
    """
    from torchdojo.judge import intake

    with intake.StudentFolder(folder) as student:
        entries = dict(student.entries())
        # A folder named like a module is not a module (as in class grading's layout).
        names = [n for n in (f"{topic.module_name}{s}" for s in (".py", ".ipynb"))
                 if n in entries and not stat.S_ISDIR(entries[n])]
        if not names:
            return None
        for other in sorted(entries):
            # A folder named like a module is not a module; any other entry (a link...) is refused.
            if other in names or (is_sibling_module(other) and not stat.S_ISDIR(entries[other])):
                data, st = student.read_stat(other)
                # The modification time goes along: it decides between a module and a notebook.
                intake.write_private(into, PurePosixPath(other), data, st.st_mtime_ns)
    return into / names[0]


def refused_module(topic: Topic, exercises: list[Exercise], reason: str, lang: str) -> TopicResult:
    """Every exercise of ``topic`` as *error*: a file of the submission was not accepted (``reason``)."""
    text = tr(lang, "could not be graded: {why}", why=reason)
    return TopicResult.from_items(topic.id, [ItemResult(e.id, 0.0, e.points, ERROR, text) for e in exercises])


def make_job(topic: Topic, exercises: list[Exercise], submission: Path, *, device: str | list[str] = "auto",
             lang: str = "es", threads: int | None = None, **options: Any) -> JobSpec:
    """The job a judge runs for one submission file and one topic.

    ``options``: other :class:`~torchdojo.wire.job.JobSpec` fields (``secret``,
    ``protect``) and resource limits (``memory_mb``, ``import_timeout_s``, ...).
    """
    return JobSpec.build(
        topic=topic.id,
        module=topic.module_name,
        submission=str(submission),
        siblings=[str(p) for p in sibling_modules(submission)],
        grader=str(paths.graders_dir() / f"test_{topic.id}.py"),
        exercises=[ExerciseSpec(e.name, float(e.timeout_s), bool(e.device)) for e in exercises],
        devices=device if isinstance(device, str) else tuple(device),
        lang=lang,
        # One thread: tiny tensors gain nothing from more, and under load
        # OpenMP threads fighting for cores made jobs 30 times slower.
        threads=threads or 1,
        **options,
    )


def missing_module(topic: Topic, exercises: list[Exercise], folder: Path, lang: str) -> TopicResult:
    text = tr(lang, "no {module}.py or {module}.ipynb in {folder}", module=topic.module_name, folder=folder)
    items = [ItemResult(e.id, 0.0, e.points, NOT_ATTEMPTED, text) for e in exercises]
    return TopicResult.from_items(topic.id, items)


def grade_file(judge: Judge, topic: Topic, exercises: list[Exercise], submission: Path, *,
               device: str | list[str] = "auto", lang: str = "es", reveal_hidden: bool = True,
               **job_options: Any) -> TopicResult:
    """Grade one submission file (``.py`` or ``.ipynb``) for one topic with a running judge."""
    job = make_job(topic, exercises, submission, device=device, lang=lang, **job_options)
    start = time.perf_counter()
    result = judge.run(job)
    if result.device_unavailable:
        raise UserError("device '{device}' is not available on this machine", device=result.device_unavailable)
    topic_res = topic_result(topic, exercises, result, lang=lang, source=submission.name,
                             reveal_hidden=reveal_hidden)
    topic_res.duration_s = round(time.perf_counter() - start, 3)
    return topic_res


def grade_topic(judge: Judge, topic: Topic, exercises: list[Exercise], folder: Path, *, device: str = "auto",
                lang: str = "es", reveal_hidden: bool = True, **job_options: Any) -> TopicResult:
    """Grade one topic of one submission folder with a running judge.

    The module (and notebook) and the sibling modules are read through the one
    intake into a private copy, and only that copy is graded
    (:func:`stage_submission`); with both a module and a notebook, the one the
    learner changed (:func:`torchdojo.judge.submission.choose_submission`).
    """
    from torchdojo.judge import intake

    with tempfile.TemporaryDirectory(prefix="torchdojo-check-") as tmp:
        try:
            staged = stage_submission(folder, topic, Path(tmp))
        except intake.Refused as exc:
            return refused_module(topic, exercises, str(exc), lang)
        if staged is None:
            return missing_module(topic, exercises, folder, lang)
        submission, why = choose_submission(Path(tmp), topic)
        assert submission is not None
        result = grade_file(judge, topic, exercises, submission, device=device, lang=lang,
                            reveal_hidden=reveal_hidden, **job_options)
    if why:
        result.notes.insert(0, tr(lang, why[0], **why[1]))
    return result
