"""A request to grade one file, as it crosses to another machine (a Dask worker): :class:`GradeRequest`.

It carries the file's bytes and its sibling modules', so the worker needs no
shared filesystem; Dask pickles it. Made from a class folder by
:func:`torchdojo.classroom.request.request_from_file` (through the one intake)
and graded there by :func:`torchdojo.classroom.request.grade_request`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GradeRequest:
    """One student's file for one topic, with what grading it needs to know."""

    student: str
    topic: str
    filename: str
    content: bytes
    content_hash: str
    siblings: tuple[tuple[str, bytes], ...] = ()
    lang: str = "es"
    device: str = "cpu"
    job_options: dict[str, Any] = field(default_factory=dict)
