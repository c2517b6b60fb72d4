"""A learner's workspace: the stubs to work on, and their progress.

``torchdojo start DIR`` copies the generated stubs into DIR and never overwrites
a file that is already there.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo import __version__, atomic, paths
from torchdojo.errors import UserError
from torchdojo.manifest import Course, course as load_course
from torchdojo.progress import STATE_DIR


@dataclass
class StartResult:
    workspace: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def start_workspace(folder: str | Path, the_course: Course | None = None) -> StartResult:
    """Create (or complete) a workspace with every topic's stub; existing files are kept."""
    the_course = the_course or load_course()
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"'{folder}' exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    result = StartResult(folder)
    for topic in the_course.exercise_topics:
        stub = paths.exercises_dir() / topic.module
        target = folder / topic.module
        if target.exists():
            result.kept.append(topic.module)
            continue
        if not stub.is_file():
            raise UserError(f"the course has no stub for {topic.id} ({stub})")
        # Copy to a temporary name first: an interrupted start leaves no half file.
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(stub, tmp)
        tmp.replace(target)
        result.created.append(topic.module)
    marker = folder / STATE_DIR / "workspace.json"
    if not marker.exists():
        atomic.write_text(marker, json.dumps({"schema": "torchdojo.workspace/1", "version": __version__}, indent=2))
    return result
