"""The CLI end to end, in real subprocesses: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import reference_source
from torchdojo.course import paths

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120):
    full_env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
                "TORCHDOJO_LANG": "en", **(env or {})}
    return subprocess.run([sys.executable, "-m", "torchdojo", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(proc):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("torchdojo: "), proc.stderr


def test_start_creates_stubs_and_never_overwrites(tmp_path):
    ws = tmp_path / "ws"
    first = run("start", str(ws))
    assert first.returncode == 0, first.stderr
    assert ((ws / "tensors.py").read_text(encoding="utf-8")
            == (paths.exercises_dir() / "tensors.py").read_text(encoding="utf-8"))
    (ws / "tensors.py").write_text("# my work\n", encoding="utf-8")
    second = run("start", str(ws))
    assert second.returncode == 0
    assert "kept" in second.stdout
    assert (ws / "tensors.py").read_text(encoding="utf-8") == "# my work\n"


def test_check_json_full_marks_and_exit_code(tmp_path):
    (tmp_path / "tensors.py").write_text(reference_source("tensors"), encoding="utf-8")
    proc = run("check", "tensors", "-w", str(tmp_path), "--json", "--device", "cpu")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema"] == "torchdojo.report/2"
    topic = report["topics"][0]
    assert topic["topic"] == "tensors" and topic["score"] == topic["max_score"] == 11.0
    assert all(e["status"] == "passed" and e["id"].startswith("tensors/") for e in topic["exercises"])


def test_check_human_output_says_expected_and_got(tmp_path):
    source = reference_source("tensors").replace("return x.unsqueeze(0)", "return x.unsqueeze(-1)")
    (tmp_path / "tensors.py").write_text(source, encoding="utf-8")
    proc = run("check", "tensors/add_batch_dim", "-w", str(tmp_path), "--device", "cpu")
    assert proc.returncode == 1
    assert "tensors/add_batch_dim" in proc.stdout
    assert "expected shape (1, 3, 8, 8)" in proc.stdout and "(3, 8, 8, 1)" in proc.stdout
    es = run("check", "tensors/add_batch_dim", "-w", str(tmp_path), "--device", "cpu", "--lang", "es")
    assert "forma esperada (1, 3, 8, 8)" in es.stdout and "(3, 8, 8, 1)" in es.stdout


def test_check_stub_is_not_attempted_and_exits_0(tmp_path):
    # Not attempted is work still to do, not a failure: exit 0 (README, "Exit status").
    shutil.copy(paths.exercises_dir() / "tensors.py", tmp_path / "tensors.py")
    proc = run("check", "tensors", "-w", str(tmp_path), "--json", "--device", "cpu")
    assert proc.returncode == 0, proc.stderr
    statuses = {e["status"] for e in json.loads(proc.stdout)["topics"][0]["exercises"]}
    assert statuses == {"not_attempted"}


@pytest.mark.parametrize("args", [
    ("check", "-w", "/nonexistent/folder"),
    ("check", "nosuchtopic"),
    ("check", "tensors/nosuch"),
    ("check", "why_ml"),
    ("check", "--device", "tpu"),
    ("hint", "tensors"),
    ("hint", "tensors/seeded_rand", "--level", "9"),
    ("solution", "tensors/nosuch"),
    ("frobnicate",),
    ("check", "--no-such-flag"),
])
def test_bad_input_is_one_line_and_exit_2(args, tmp_path):
    assert_one_line_error(run(*args, cwd=tmp_path))


def test_cuda_when_absent_is_a_clear_error(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: asking for it is not an error here")
    (tmp_path / "tensors.py").write_text(reference_source("tensors"), encoding="utf-8")
    proc = run("check", "tensors", "-w", str(tmp_path), "--device", "cuda")
    assert_one_line_error(proc)
    assert "not available" in proc.stderr


def test_corrupt_manifest_is_one_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(paths.content_root() / "graders", content / "graders")
    (content / "course.toml").write_text("format_version = 1\n[[topics]]\nid = 3\n", encoding="utf-8")
    proc = run("list", env={"TORCHDOJO_CONTENT": str(content)})
    assert_one_line_error(proc)
    assert "course.toml:" in proc.stderr and "topics[0].id" in proc.stderr


def test_hint_levels_in_both_languages():
    en = run("hint", "tensors/seeded_rand")
    assert en.returncode == 0 and "Hint 1/3" in en.stdout and "--level 2" in en.stdout
    es = run("hint", "tensors/seeded_rand", "--level", "2", "--lang", "es")
    assert "Pista 2/3" in es.stdout and "torch.Generator" in es.stdout and "--level 3" in es.stdout
    last = run("hint", "tensors/seeded_rand", "--level", "3", "--lang", "es")
    assert last.returncode == 0 and "Pista 3/3" in last.stdout and "___" in last.stdout
    assert "Más ayuda" not in last.stdout


def test_solution_only_after_an_attempt_then_progress(tmp_path):
    refused = run("solution", "tensors/add_batch_dim", "-w", str(tmp_path))
    assert_one_line_error(refused)
    forced = run("solution", "tensors/add_batch_dim", "-w", str(tmp_path), "--force")
    assert forced.returncode == 0 and "def add_batch_dim" in forced.stdout
    assert "### BEGIN SOLUTION" not in forced.stdout
    source = reference_source("tensors").replace("return x.unsqueeze(0)", "return x")
    (tmp_path / "tensors.py").write_text(source, encoding="utf-8")
    run("check", "tensors/add_batch_dim", "-w", str(tmp_path), "--device", "cpu")
    shown = run("solution", "tensors/add_batch_dim", "-w", str(tmp_path))
    assert shown.returncode == 0 and "unsqueeze(0)" in shown.stdout
    progress = json.loads(run("progress", "-w", str(tmp_path), "--json").stdout)
    item = progress["items"]["tensors/add_batch_dim"]
    assert item["status"] == "failed" and item["attempts"] == 1
    table = run("progress", "-w", str(tmp_path))
    assert table.returncode == 0 and "What is a tensor?" in table.stdout


def test_list_shows_topics_and_status(tmp_path):
    proc = run("list", "-w", str(tmp_path))
    assert proc.returncode == 0
    for topic in ("why_ml", "paradigms", "tensors", "fc_nets", "cnns", "transfer_learning"):
        assert topic in proc.stdout
    assert "tensors/seeded_rand" in proc.stdout and "not attempted" in proc.stdout


def test_the_cli_process_itself_imports_no_torch():
    # torch lives in the grading process; the CLI stays light so check/quiz/hint start fast.
    code = ("import sys, torchdojo.cli.main, torchdojo.judge.client, torchdojo.classroom.batch, torchdojo.course.quiz;"
            "torchdojo.cli.main.build_parser();"
            "print(sorted(m for m in ('torch', 'pytest', 'hypothesis') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": SRC})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_check_on_a_folder_that_is_no_workspace_is_one_line_and_exit_2(tmp_path):
    # A folder with neither the marker nor any exercise file: a mistyped -w, not 30 "no tensors.py" lines.
    (tmp_path / "notes").mkdir()
    for lang, words in (("en", "is not a torchdojo workspace"), ("es", "no es un espacio de trabajo")):
        proc = run("--lang", lang, "check", "-w", str(tmp_path / "notes"))
        assert_one_line_error(proc)
        assert words in proc.stderr and proc.stdout == ""
    # A file named as the workspace is called a file, and no 'torchdojo start <file>' is suggested.
    (tmp_path / "quickstart.log").write_text("log\n", encoding="utf-8")
    for verb in ("check", "list", "progress", "watch"):
        proc = run(verb, "-w", str(tmp_path / "quickstart.log"))
        assert_one_line_error(proc)
        assert "is a file, not a folder" in proc.stderr
        assert "torchdojo start " + str(tmp_path / "quickstart.log") not in proc.stderr
    proc = run("check", env={"TORCHDOJO_WORKSPACE": str(tmp_path / "quickstart.log")})
    assert_one_line_error(proc)
    assert "is a file, not a folder" in proc.stderr and "torchdojo start" not in proc.stderr


def _descendants(pid: int) -> set[int]:
    """The live processes below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.process
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_during_a_stuck_check_returns_at_once_and_kills_the_student_code(tmp_path):
    import time

    pexpect = pytest.importorskip("pexpect", reason="pexpect comes with the test extra: pip install -e .[test]")
    run("start", str(tmp_path / "ws"))
    stub = (tmp_path / "ws" / "tensors.py").read_text(encoding="utf-8")
    looping = stub.replace("def tensor_info(t):", "def tensor_info(t):\n    while True:\n        pass\n", 1)
    assert looping != stub
    (tmp_path / "ws" / "tensors.py").write_text(looping, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": SRC, "TORCHDOJO_LANG": "en", "TERM": "dumb"}
    child = pexpect.spawn(sys.executable, ["-m", "torchdojo", "check", "tensors", "-w", str(tmp_path / "ws"),
                                           "--device", "cpu"], env=env, encoding="utf-8", timeout=120)
    try:
        # Wait until student code runs (a student process below the judge), then a little longer: it loops.
        deadline = time.monotonic() + 90
        while len(_descendants(child.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        below = _descendants(child.pid)
        assert len(below) >= 3, "the check never reached the student code"
        sent = time.monotonic()
        child.sendintr()
        child.expect(pexpect.EOF, timeout=10)
        took = time.monotonic() - sent
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, child.before
    assert took < 1.0, f"Ctrl-C took {took:.2f} s"
    # "^C" is echoed by the terminal; our line starts a line of its own.
    lines = [line.strip() for line in child.before.splitlines()]
    assert "torchdojo: interrupted" in lines, child.before
    time.sleep(0.5)
    assert not [p for p in below if _alive(p)], "the judge or student processes outlived the check"
