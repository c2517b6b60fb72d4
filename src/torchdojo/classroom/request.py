"""Make a :class:`~torchdojo.wire.request.GradeRequest` from a class folder, and grade one on a worker."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from torchdojo.judge.client import sibling_modules
from torchdojo.judge import intake
from torchdojo.judge.service import Judge
from torchdojo.wire.report import TopicResult
from torchdojo.wire.request import GradeRequest


def request_from_file(student: str, topic: str, path: Path, content_hash: str, **kw: Any) -> GradeRequest:
    """The request for ``path`` and its sibling modules, read through the one intake (no link followed,
    regular bounded files only)."""
    siblings = tuple((p.name, intake.read_file(p)) for p in sibling_modules(path))
    return GradeRequest(student, topic, path.name, intake.read_file(path), content_hash, siblings, **kw)


def grade_request(judge: Judge, request: GradeRequest) -> TopicResult:
    """Grade one request with a running judge."""
    from torchdojo.judge.client import grade_file
    from torchdojo.course.manifest import course

    topic = course().topic(request.topic)
    folder = Path(tempfile.mkdtemp(prefix="torchdojo-req-"))
    try:
        for name, data in request.siblings:
            (folder / name).write_bytes(data)
        path = folder / request.filename
        path.write_bytes(request.content)
        result = grade_file(judge, topic, list(topic.exercises), path, device=request.device, lang=request.lang,
                            reveal_hidden=False, threads=1, **request.job_options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result
