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
@pytest.mark.parametrize("lang", ["es", "en"])
def test_list_columns_line_up_whatever_the_longest_id(tmp_path, lang):
    from torchdojo.learner import progress
    from torchdojo.course.manifest import course
    from torchdojo.wire.report import ItemResult, Report, TopicResult
    from torchdojo.learner.workspace import mark

    mark(tmp_path)
    # Statuses of every width, so the device column must not follow the label's length.
    statuses = ["passed", "failed", "timeout", "crashed", "error", "not_attempted"]
    for t in course().exercise_topics:
        items = [ItemResult(e.id, 0.0, e.points, statuses[i % len(statuses)]) for i, e in enumerate(t.exercises)]
        progress.record_report(tmp_path, Report(topics=[TopicResult.from_items(t.id, items)], lang=lang))
    proc = run("--lang", lang, "list", "-w", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("  ") and " pt " in line + " "]
    assert len(rows) == sum(len(t.exercises) for t in course().exercise_topics)
    assert len({row.index(" pt") for row in rows}) == 1, "\n".join(rows)  # the points column
    device = "(dispositivo)" if lang == "es" else "(device)"
    assert len({row.index(device) for row in rows if device in row}) == 1, "\n".join(rows)
    assert all(row == row.rstrip() for row in rows)


def test_installation_by_role():
    import re

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    root = Path(SRC).parent
    extras = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    name = lambda req: re.split(r"[<>=\[; ]", req, maxsplit=1)[0].lower()  # noqa: E731
    instructor = {name(r) for r in extras["instructor"]}
    assert {"nbgrader", "ipykernel", "dask", "copydetect"} <= instructor
    # .ci/run installs [test]: it must hold every instructor package (the tests run those verbs) and pexpect.
    assert instructor | {"pexpect", "pytest-xdist", "jsonschema"} <= {name(r) for r in extras["test"]}
    assert 'pip install -q -e ".[test]"' in (root / ".ci" / "run").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("## Quickstart", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    # One line, and a learner's: no instructor or test tools.
    assert quickstart.count("\n") == 1 and "pip install -e . &&" in quickstart and "[" not in quickstart
    assert "python -m pytest -q\n" in readme and 'pip install -e ".[test]"' in readme
    assert 'pip install -e ".[instructor]"' in readme
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu && pip install wheel/" in readme


@pytest.mark.process
def test_check_output_says_each_cause_once_and_in_sentences(tmp_path):
    """A syntax error or a missing file is said once per file, not per exercise; a student exception is
    a sentence (a MemoryError has no message of its own), never a repr with quotes and a literal \\n."""
    from torchdojo.course.manifest import course

    ws = tmp_path / "ws"
    assert run("start", str(ws)).returncode == 0
    stub = (ws / "tensors.py").read_text(encoding="utf-8")
    source = stub.replace("def tensor_info(t):", "def tensor_info(t):\n    hog = bytearray(1 << 44)\n", 1)
    source = source.replace("def add_batch_dim(x):",
                            'def add_batch_dim(x):\n    raise ValueError("first line\\nsecond line")\n', 1)
    assert source.count("hog =") == 1 and source.count("first line") == 1
    (ws / "tensors.py").write_text(source, encoding="utf-8")
    (ws / "fc_nets.py").write_text("import torch\ndef FCNet(:\n    pass\n", encoding="utf-8")
    (ws / "cnns.py").unlink()
    n_fc = len(course().topic("fc_nets").exercises)
    said = {"en": ("syntax error in fc_nets.py", f"all {n_fc} exercises above: syntax error", "cnns.py",
                   "your code ran out of memory", "your code raised ValueError at line"),
            "es": ("error de sintaxis en fc_nets.py", f"los {n_fc} ejercicios de arriba: error de sintaxis",
                   "cnns.py", "tu código se quedó sin memoria", "tu código lanzó ValueError en la línea")}
    for lang, (syntax, shared, missing, memory, raised) in said.items():
        proc = run("--lang", lang, "check", "tensors/tensor_info", "tensors/add_batch_dim", "fc_nets", "cnns",
                   "-w", str(ws), "--device", "cpu")
        assert proc.returncode == 1, proc.stderr
        out = proc.stdout
        assert out.count(syntax) == 1 and shared in out and out.count(missing) == 1, out
        assert memory in out and "MemoryError: " not in out, out
        assert raised in out and "first line second line" in out, out
        assert "\\n" not in out and "'ValueError" not in out, out


def test_nbgrader_config_names_the_verb_that_writes_it(tmp_path):
    from torchdojo.editions.notebooks.nbgrader_source import write_source

    write_source(tmp_path, ["tensors"])
    config = (tmp_path / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "torchdojo nbgrader source" in config and "nbgrader export" not in config


@pytest.mark.process
def test_the_quickstart_workspace_is_ignored_by_git():
    root = Path(SRC).parent
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    proc = subprocess.run(["git", "check-ignore", "-q", "my-course/tensors.py"], cwd=root, timeout=30)
    assert proc.returncode == 0, "README's quickstart leaves my-course/ untracked in the clone"
