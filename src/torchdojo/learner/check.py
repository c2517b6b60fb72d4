"""Check a learner's workspace: the API behind ``torchdojo check``.

>>> report = check_workspace("my-course", ["tensors"], device="cpu", lang="en")  # doctest: +SKIP
>>> report.to_json()                                                             # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from torchdojo.course.manifest import Course, Exercise, Topic, course as load_packaged_course
from torchdojo.course import targets as course_targets
from torchdojo.wire.job import DEVICE_CHOICES
from torchdojo.judge.service import Judge
from torchdojo.learner import progress
from torchdojo.text.errors import UserError
from torchdojo.wire.report import Report


def check_workspace(
    workspace: str | Path = ".",
    targets: Iterable[str] | None = None,
    *,
    device: str = "auto",
    lang: str = "es",
    record: bool = True,
    course: Course | None = None,
    judge: Judge | None = None,
    plan: list[tuple[Topic, list[Exercise]]] | None = None,
    meanwhile: Callable[[], object] | None = None,
    **job_options: Any,
) -> Report:
    """Grade the learner's modules in ``workspace``.

    ``targets``: topics (``"tensors"``) or exercises (``"tensors/seeded_rand"``);
    none means every topic with exercises. ``device``: ``auto`` grades device
    exercises on the CPU and every accelerator present; ``cpu``, ``cuda`` or
    ``mps`` on that one only. Results are stored in the workspace's progress
    unless ``record`` is false. ``meanwhile``: the caller's own preparation
    (imports for the report, say), run while the judge imports torch.
    """
    folder = Path(workspace)
    if not folder.is_dir():
        raise UserError("workspace '{path}' is not a folder (create one with 'torchdojo start {path}')",
                        path=str(folder))
    if device not in DEVICE_CHOICES:
        raise UserError("unknown device '{device}' (choose from {choices})", device=device,
                        choices=", ".join(DEVICE_CHOICES))
    course = course or load_packaged_course()
    if plan is None:  # ``plan``: the targets already resolved by the caller (course.targets.topics)
        plan = course_targets.topics(course, list(targets or []))
    own = judge is None
    z = judge or Judge(topics=[topic.id for topic, _ in plan])
    try:
        if own:
            z.spawn()  # it imports torch while we read the submissions
        # Imported once the judge is on its way: the caller's imports overlap its torch import.
        from torchdojo.judge.client import grade_topic

        if meanwhile is not None:
            meanwhile()
        topics = [grade_topic(z, topic, exercises, folder, device=device, lang=lang, **job_options)
                  for topic, exercises in plan]
    except KeyboardInterrupt:
        if own:  # Ctrl-C: end the student code now, not after its time limit
            z.kill()
        raise
    finally:
        if own:
            z.close()
    report = Report(topics=topics, lang=lang, device=device)
    if record:
        progress.record_report(folder, report)
    return report
