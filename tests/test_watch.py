"""`torchdojo watch`: a save shows a new result quickly; Ctrl-C ends it cleanly, with exit status 130."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import reference_source

from torchdojo.course import paths
from torchdojo.cli.watch import changed, snapshot, topics_to_grade
from torchdojo.course.manifest import course

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

SRC = str(Path(__file__).resolve().parents[1] / "src")
RESULT = re.compile(r"⟳ tensors ([\d.]+)/11 ")


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put((time.monotonic(), line))
    lines.put((time.monotonic(), None))


def _wait_for(lines: queue.Queue, pattern: re.Pattern, timeout: float, seen: list[str]) -> tuple[float, re.Match]:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "no result line in time:\n" + "".join(seen[-40:])
        try:
            stamp, line = lines.get(timeout=left)
        except queue.Empty:
            continue
        assert line is not None, "watch exited early:\n" + "".join(seen[-40:])
        seen.append(line)
        m = pattern.search(line)
        if m:
            return stamp, m


def test_snapshot_and_topics(tmp_path):
    (tmp_path / "tensors.py").write_text("x = 1")
    (tmp_path / ".tensors.py.swp").write_text("")
    (tmp_path / "notes.txt").write_text("")
    first = snapshot(tmp_path)
    assert set(first) == {tmp_path / "tensors.py"}
    (tmp_path / "fc_nets.ipynb").write_text("{}")
    assert changed(first, snapshot(tmp_path)) == {tmp_path / "fc_nets.ipynb"}
    watched = [t for t in course().exercise_topics]
    assert [t.id for t in topics_to_grade({tmp_path / "fc_nets.ipynb"}, watched)] == ["fc_nets"]
    assert len(topics_to_grade({tmp_path / "helpers.py"}, watched)) == len(watched)


@pytest.mark.slow
def test_watch_regrades_on_save(tmp_path):
    stub = (paths.exercises_dir() / "tensors.py").read_text(encoding="utf-8")
    (tmp_path / "tensors.py").write_text(stub, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=SRC, PYTHONUNBUFFERED="1", TORCHDOJO_LANG="en")
    proc = subprocess.Popen([sys.executable, "-m", "torchdojo", "watch", "tensors", "-w", str(tmp_path),
                             "--device", "cpu"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8", env=env)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        _, first = _wait_for(lines, RESULT, 120, seen)
        assert float(first.group(1)) == 0
        _wait_for(lines, re.compile("Watching"), 30, seen)
        saved = time.monotonic()
        (tmp_path / "tensors.py").write_text(reference_source("tensors"), encoding="utf-8")
        shown, second = _wait_for(lines, RESULT, 30, seen)
        latency = shown - saved
        print(f"\ntorchdojo watch: save-to-result latency {latency:.2f} s (tensors, 11 exercises)")
        assert float(second.group(1)) == 11
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    time.sleep(0.2)  # let the reader thread take the last lines
    while not lines.empty():
        line = lines.get_nowait()[1]
        seen.append(line or "")
    assert rc == 130, "".join(seen[-20:])  # Ctrl-C: 130, as for every verb (README)
    assert "Stopped watching." in "".join(seen)
    assert "Traceback" not in "".join(seen)


def test_watch_bad_workspace_is_one_line(tmp_path, capsys):
    from torchdojo.cli.main import main

    assert main(["--lang", "en", "watch", "-w", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a folder" in err
    assert main(["watch", "why_ml", "-w", str(tmp_path)]) == 2
    capsys.readouterr()
    # A folder with no workspace marker and no exercise file: one line, nothing watched.
    assert main(["--lang", "en", "watch", "-w", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a torchdojo workspace" in err
