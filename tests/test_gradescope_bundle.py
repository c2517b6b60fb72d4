"""The Gradescope autograder zip: its layout, and run_autograder on real submissions.

Each run unpacks the zip into a temporary stand-in for ``/autograder``
(``AUTOGRADER_ROOT``) and runs ``run_autograder`` as Gradescope would, with the
dependencies of this environment instead of ``setup.sh``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from classbuilder import SRC, run_bundle, unpack_bundle, write_submission

from torchdojo.editions.gradescope.bundle import CONFIG, REQUIREMENTS, SETUP_SH, build_bundle

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema comes with the test extra: pip install -e .[test]")

ROOT = Path(__file__).resolve().parents[1]
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
#: Gradescope's results.json, as documented ("Autograder Specifications"), strict
#: about names so that a typo in a key fails here rather than silently on Gradescope.
RESULTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},  # ignored by Gradescope; kept for readers
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "score", "max_score", "status", "output", "visibility"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "score": {"type": "number", "minimum": 0},
                "max_score": {"type": "number", "minimum": 0},
                "status": {"enum": ["passed", "failed"]},
                "output": {"type": "string"},
                "visibility": VISIBILITY,
                "number": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "extra_data": {"type": "object"},
            },
        }},
    },
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return build_bundle(["tensors"], tmp_path_factory.mktemp("bundle") / "autograder.zip", lang="en")


def run_autograder(root: Path) -> dict:
    doc = run_bundle(root)
    jsonschema.validate(doc, RESULTS_SCHEMA)
    return doc


def grade(bundle: Path, root: Path, kind: str | None, *, subfolder: str = "") -> dict:
    unpack_bundle(bundle, root)
    if kind is not None:
        write_submission(root / "submission" / subfolder, kind)
    return run_autograder(root)


def by_test(doc: dict) -> dict[str, dict]:
    return {t["name"]: t for t in doc["tests"]}


def test_bundle_layout(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        config = json.loads(zf.read(CONFIG))
        setup = zf.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt", CONFIG} <= names
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert "vendor/torchdojo/content/graders/test_tensors.py" in names
    assert "vendor/torchdojo/content/course.toml" in names
    assert not any("/solutions/" in n or "__pycache__" in n for n in names)  # never the reference solutions
    assert config["topics"] == ["tensors"] and config["lang"] == "en"
    assert "download.pytorch.org/whl/cpu" in setup and "requirements.txt" in setup
    root = unpack_bundle(bundle, tmp_path / "layout")
    for script in (root / "source" / "setup.sh", root / "run_autograder"):  # setup.sh needs the network to run
        assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0, script
    # Reproducible: the same course gives the same bytes.
    again = build_bundle(["tensors"], tmp_path / "again.zip", lang="en")
    assert again.read_bytes() == bundle.read_bytes()


def test_requirements_match_pyproject():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert sorted(d for d in deps if not d.startswith("torch")) == sorted(REQUIREMENTS)
    torch = next(d for d in deps if d.startswith("torch"))
    assert f'"{torch}"' in SETUP_SH  # the bundle installs torch with the same floor


def test_correct_py_gets_full_marks(bundle, tmp_path):
    doc = grade(bundle, tmp_path, "correct")
    assert doc["score"] == sum(t["max_score"] for t in doc["tests"]) == 11
    assert {t["status"] for t in doc["tests"]} == {"passed"}
    assert doc["score"] == sum(t["score"] for t in doc["tests"])


def test_correct_notebook_in_a_subfolder_gets_full_marks(bundle, tmp_path):
    # A student who uploads a zip with a wrapping folder.
    doc = grade(bundle, tmp_path, "notebook", subfolder="entrega")
    assert doc["score"] == 11


def test_mistake_costs_its_exercise_only(bundle, tmp_path):
    doc = grade(bundle, tmp_path, "mistake")
    tests = by_test(doc)
    assert tests["tensors/add_batch_dim"]["status"] == "failed"
    assert "expected shape" in tests["tensors/add_batch_dim"]["output"]
    assert doc["score"] == pytest.approx(10.2)


@pytest.mark.parametrize("kind, reason", [("syntax", "syntax"), (None, "no tensors.py or tensors.ipynb")])
def test_broken_or_missing_file_scores_zero_with_a_reason(bundle, tmp_path, kind, reason):
    doc = grade(bundle, tmp_path, kind)
    assert doc["score"] == 0 and sum(t["max_score"] for t in doc["tests"]) == 11
    assert len(doc["tests"]) == len(by_test(doc)) == 11
    assert all(reason in t["output"].lower() for t in doc["tests"]), doc["tests"][0]["output"]
    assert str(tmp_path) not in json.dumps(doc)  # no grader paths shown to students


def test_a_grader_failure_still_writes_results(bundle, tmp_path):
    root = unpack_bundle(bundle, tmp_path)
    config = root / "source" / CONFIG
    config.write_text(json.dumps({**json.loads(config.read_text()), "topics": ["nosuch"]}), encoding="utf-8")
    write_submission(root / "submission", "correct")
    doc = run_autograder(root)
    assert doc["score"] == 0 and doc["tests"] == []
    assert "could not grade" in doc["output"] and "nosuch" in doc["output"]


def test_cli_builds_the_zip(tmp_path):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = tmp_path / "ag.zip"
    ok = subprocess.run([sys.executable, "-m", "torchdojo", "gradescope", "build", "tensors", "-o", str(out),
                         "--lang", "en"], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert zipfile.is_zipfile(out) and "autograder" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "torchdojo", "gradescope", "build", "nosuch", "-o", str(out)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr

