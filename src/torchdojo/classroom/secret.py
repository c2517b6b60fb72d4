"""The instructor's grading secret: where it comes from, never where it goes.

The secret changes the hidden inputs of every randomised grader test, so that
students cannot precompute them; the same secret gives the same grades. It is
read, first found wins, from ``--secret TEXT`` (visible to other users of the
machine in the process list: prefer the others), ``--secret-file PATH`` (its
first line), or the environment variable named by the course's
``[grading] secret_env`` (default ``TORCHDOJO_GRADING_SECRET``). It is never
written to any output: ``grades.json`` only says whether one was used, and
the gradebook's content hashes mix in a digest of it (so a new secret grades
every file again).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from torchdojo.text.errors import UserError
from torchdojo.course.manifest import Course

MAX_SECRET_BYTES = 4096


def resolve_secret(course: Course, *, secret: str | None = None, secret_file: str | Path | None = None,
                   environ: Mapping[str, str] | None = None) -> str | None:
    """The grading secret, or ``None`` when none is set anywhere."""
    if secret is not None:
        if not secret.strip():
            raise UserError("--secret is empty")
        return secret
    if secret_file is not None:
        path = Path(secret_file).expanduser()
        try:
            data = path.read_bytes()[:MAX_SECRET_BYTES]
        except OSError as exc:
            raise UserError("cannot read the secret file '{path}': {detail}", path=str(path),
                            detail=exc.strerror or str(exc)) from None
        try:
            lines = data.decode("utf-8").splitlines()
        except UnicodeDecodeError:
            raise UserError("the secret file '{path}' is not UTF-8 text", path=str(path)) from None
        first = lines[0].strip() if lines else ""
        if not first:
            raise UserError("the secret file '{path}' is empty", path=str(path))
        return first
    value = (os.environ if environ is None else environ).get(course.grading.secret_env, "")
    return value.strip() or None
