"""Rough edges a newcomer met (issue 18, item 8), each with the real CLI or the real writer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC, "TORCHDOJO_LANG": "en", "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "torchdojo", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


@pytest.mark.process
def test_one_cause_shared_by_every_exercise_is_said_once(tmp_path):
    run("start", str(tmp_path / "ws"))
    ws = tmp_path / "ws"
    (ws / "tensors.py").write_text("import torch\ndef tensor_info(t:\n    pass\n", encoding="utf-8")
    (ws / "fc_nets.py").unlink()
    # One grading (judges are slow to start); Spanish, so the shared line's own words are checked too.
    proc = run("--lang", "es", "check", "tensors", "fc_nets", "-w", str(ws), "--device", "cpu")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("error de sintaxis en tensors.py") == 1, proc.stdout
    assert proc.stdout.count("fc_nets.py") == 1, proc.stdout
    assert "los 11 ejercicios de arriba: error de sintaxis" in proc.stdout, proc.stdout
