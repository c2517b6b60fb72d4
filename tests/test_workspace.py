"""Every verb finds the workspace the same way, writes state only there, and learner verbs stay light.

Real subprocesses of the CLI, run from the folders a newcomer stands in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from torchdojo.text.errors import UserError
from torchdojo.learner.workspace import find_workspace, start_workspace

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

SRC = str(Path(__file__).resolve().parents[1] / "src")
ROOT = Path(SRC).parent


def run(*args: str, cwd: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("TORCHDOJO_WORKSPACE", "TORCHDOJO_CONTENT")}
    base.update({"PYTHONPATH": SRC, "TORCHDOJO_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200", **env})
    return subprocess.run([sys.executable, "-m", "torchdojo", *args], cwd=cwd, env=base, capture_output=True,
                          text=True, timeout=timeout)


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_find_workspace_walks_up_like_git(tmp_path, monkeypatch):
    monkeypatch.delenv("TORCHDOJO_WORKSPACE", raising=False)
    ws = tmp_path / "course"
    start_workspace(ws)
    deep = ws / "notes" / "week1"
    deep.mkdir(parents=True)
    assert find_workspace(start=deep) == ws.resolve()
    assert find_workspace(start=ws) == ws.resolve()
    assert find_workspace(str(ws)) == ws  # -w names it
    with pytest.raises(UserError, match="no torchdojo workspace"):
        find_workspace(start=tmp_path)  # the parent is not one
    with pytest.raises(UserError, match="is not a folder"):
        find_workspace(str(tmp_path / "missing"))
    monkeypatch.setenv("TORCHDOJO_WORKSPACE", str(ws))
    assert find_workspace(start=tmp_path) == ws
    assert find_workspace(str(tmp_path)) == tmp_path  # -w wins over the environment
    monkeypatch.setenv("TORCHDOJO_WORKSPACE", str(tmp_path / "gone"))
    with pytest.raises(UserError, match="TORCHDOJO_WORKSPACE names"):
        find_workspace(start=ws)


def test_from_the_parent_of_a_workspace_nothing_is_written_there(tmp_path):
    # The stumble of issue 11: from the parent, solution/check/quiz used the parent as a workspace.
    assert run("start", "course", cwd=tmp_path).returncode == 0
    before = files_under(tmp_path)
    answers = tmp_path / "answers.yaml"
    answers.write_text("topic: why_ml\nanswers: {}\n", encoding="utf-8")
    before = files_under(tmp_path)
    for args in (("solution", "tensors/add_batch_dim"), ("check", "tensors/add_batch_dim"), ("progress",),
                 ("quiz", "why_ml", "--answers", str(answers)), ("watch",)):
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "torchdojo start DIR" in proc.stderr and "-w DIR" in proc.stderr
    assert files_under(tmp_path) == before
    assert not (tmp_path / ".torchdojo").exists()


def test_progress_of_a_missing_workspace_is_an_error_not_zeros(tmp_path):
    proc = run("progress", "-w", str(tmp_path / "MISSING"), cwd=tmp_path)
    assert proc.returncode == 2 and "is not a folder" in proc.stderr and proc.stdout == ""


def test_inside_a_workspace_every_verb_finds_it_and_state_lands_there(tmp_path):
    assert run("start", "course", cwd=tmp_path).returncode == 0
    ws = tmp_path / "course"
    sub = ws / "scratch"
    sub.mkdir()
    answers = sub / "answers.yaml"
    answers.write_text("topic: why_ml\nanswers: {tax_brackets: a}\n", encoding="utf-8")
    graded = run("quiz", "--answers", str(answers), cwd=sub)
    assert graded.returncode == 0, graded.stderr
    progress = json.loads(run("progress", "--json", cwd=sub).stdout)
    assert "quiz:why_ml" in progress["items"]
    assert json.loads((ws / ".torchdojo" / "progress.json").read_text(encoding="utf-8")) == progress
    assert not (sub / ".torchdojo").exists()
    listed = run("list", cwd=sub)
    assert listed.returncode == 0 and "not attempted" in listed.stdout and listed.stderr == ""


def test_list_outside_a_workspace_shows_the_course_and_says_why_no_status(tmp_path):
    proc = run("list", cwd=tmp_path)
    assert proc.returncode == 0 and "tensors/seeded_rand" in proc.stdout and "not attempted" not in proc.stdout
    assert "no workspace here" in proc.stderr and "torchdojo start DIR" in proc.stderr
    assert files_under(tmp_path) == []


def test_the_quickstart_exits_0_on_its_first_run(tmp_path):
    # README: `torchdojo start my-course && torchdojo check -w my-course`, every exercise not attempted.
    assert run("start", "my-course", cwd=tmp_path).returncode == 0
    proc = run("check", "-w", "my-course", "--device", "cpu", cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr)
    assert "not attempted" in proc.stdout and "0 of " in proc.stdout


@pytest.mark.parametrize("args,code", [
    (("list",), 0), (("learn",), 0), (("learn", "tensors"), 0), (("hint", "tensors/seeded_rand"), 0), (("quiz",), 0),
    (("quiz", "why_ml", "--template"), 0),
    (("start", "ws"), 0), (("progress", "-w", "ws"), 0), (("solution", "tensors/add_batch_dim", "--force"), 0),
    (("solution", "tensors/add_batch_dim", "-w", "ws"), 2), (("--help",), 0),
])
def test_learner_verbs_run_without_the_resource_module(tmp_path, args, code):
    # As on Windows: `resource` (POSIX only, used by the grading sandbox) cannot be imported.
    probe = ("import sys; sys.modules['resource'] = None\n"
             "from torchdojo.cli.main import main\n"
             "try:\n    rc = main(sys.argv[1:])\nexcept SystemExit as exc:\n    rc = exc.code\n"
             "engine = ('torchdojo.sandbox', 'torchdojo.judge', 'torchdojo.student', 'torchdojo.judge.client')\n"
             "loaded = sorted(m for m in sys.modules if m in engine or m.startswith(tuple(e + '.' for e in engine)))\n"
             "print('LOADED', loaded, file=sys.stderr)\n"
             "sys.exit(rc)\n")
    (tmp_path / "ws").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TORCHDOJO_WORKSPACE", "TORCHDOJO_CONTENT")}
    proc = subprocess.run([sys.executable, "-c", probe, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={**env, "PYTHONPATH": SRC, "TORCHDOJO_LANG": "en"})
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "LOADED []" in proc.stderr, proc.stderr


def test_the_cli_copy_of_the_release_formats_agrees_with_the_engine():
    from torchdojo.editions import release
    from torchdojo.cli import release as release_cmd

    assert release_cmd.FORMATS == release.FORMATS
