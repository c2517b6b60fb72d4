"""The wheel carries the course: content folders and the pretrained weights."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
import pytest

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_course_and_finds_it(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(tmp_path.glob("torchdojo-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("exercises", "solutions", "graders"):
        for path in (ROOT / folder).glob("*.py"):
            assert f"torchdojo/content/{folder}/{path.name}" in names
    for path in (ROOT / "quizzes").glob("*.yaml"):
        assert f"torchdojo/content/quizzes/{path.name}" in names
    assert "torchdojo/content/course.toml" in names
    # The program messages' catalog: its source and the compiled file gettext reads.
    assert {"torchdojo/text/locale/es/LC_MESSAGES/torchdojo.po",
            "torchdojo/text/locale/es/LC_MESSAGES/torchdojo.mo"} <= names
    lessons = [ROOT / "lessons" / "sections.toml", *(ROOT / "lessons").glob("*.md"),
               *(ROOT / "lessons" / "figures").glob("*.svg")]
    assert len(lessons) > 12
    for path in lessons:
        assert f"torchdojo/content/{path.relative_to(ROOT).as_posix()}" in names
    for path in (ROOT / "src" / "torchdojo" / "models").glob("*.pt"):
        assert f"torchdojo/models/{path.name}" in names
    # Installed from the wheel (here: unpacked), torchdojo finds its packaged content.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TORCHDOJO_CONTENT")}
    env["PYTHONPATH"] = str(site)
    probe = subprocess.run([sys.executable, "-c", "from torchdojo.course import paths; print(paths.content_root())"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert probe.returncode == 0, probe.stderr
    assert Path(probe.stdout.strip()) == site / "torchdojo" / "content"
