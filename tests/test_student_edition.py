"""The student edition, installed by pip from the wheel the release builds, used as a student would.

It has no solutions, hidden graders or answer keys: ``check`` runs the public
tests, notebooks check names and signatures, and the verbs that need what it
lacks say so in one line (exit 2) instead of crashing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from torchdojo.course.manifest import course
from torchdojo.editions.student_wheel import build_student_wheel

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The student wheel installed with pip into a folder of its own (no dependencies: they are this venv's)."""
    root = tmp_path_factory.mktemp("student")
    wheel = build_student_wheel(root / "wheel", course())
    target = root / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
                           "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return target


def student(site: Path, cwd: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TORCHDOJO_CONTENT", "TORCHDOJO_WORKSPACE")}
    env.update(PYTHONPATH=str(site), TORCHDOJO_LANG=lang, NO_COLOR="1", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "torchdojo", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def one_line_error(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("torchdojo: ") and fragment in lines[0], proc.stderr


def test_it_is_the_student_edition_and_has_nothing_to_hide(site):
    content = site / "torchdojo" / "content"
    assert json.loads((content / "edition.json").read_text(encoding="utf-8"))["edition"] == "student"
    assert not (content / "solutions").exists() and not (content / "graders").exists()
    # Quizzes only as answer files to fill in (<topic>.<lang>.yaml), never a bank with its key.
    names = [p.name for p in (content / "quizzes").iterdir()]
    assert names and all(re.fullmatch(r"[a-z_]+\.(es|en)\.yaml", n) for n in names), names


def test_check_runs_the_public_tests(site, tmp_path):
    assert student(site, tmp_path, "start", "ws").returncode == 0
    ws = tmp_path / "ws"
    fresh = student(site, ws, "check", "--json")  # found from inside the workspace
    assert fresh.returncode == 0, fresh.stderr
    doc = json.loads(fresh.stdout)
    assert doc["schema"] == "torchdojo.public-check/1" and doc["edition"] == "student"
    statuses = {e["id"]: e["status"] for t in doc["topics"] for e in t["exercises"]}
    # Untouched stubs have the right names and signatures, but they are work to do, as progress says: no ✔.
    assert set(statuses.values()) == {"not_attempted"}, statuses
    stub = (ws / "tensors.py").read_text(encoding="utf-8")
    written = stub.replace('def add_batch_dim(x):\n', 'def add_batch_dim(x):\n    return x.unsqueeze(0)\n', 1)
    assert written != stub
    (ws / "tensors.py").write_text(written, encoding="utf-8")
    again = student(site, ws, "check", "tensors", "--json")
    statuses = {e["id"]: e["status"] for t in json.loads(again.stdout)["topics"] for e in t["exercises"]}
    assert statuses["tensors/add_batch_dim"] == "passed" and statuses["tensors/summarize"] == "not_attempted"
    human = student(site, ws, "check", "tensors")
    assert human.returncode == 0 and human.stdout.count("✔") == 1, human.stdout
    # A wrong signature fails its public test: exit 1, in the chosen language.
    (ws / "tensors.py").write_text(stub.replace("def add_batch_dim(x", "def add_batch_dim(y, z"), encoding="utf-8")
    en = student(site, ws, "check", "tensors")
    assert en.returncode == 1, en.stderr
    assert "add_batch_dim" in en.stdout and "expected the parameters ['x']" in en.stdout
    assert "Student edition" in en.stdout and "hidden graders" in en.stdout
    es = student(site, ws, "check", "tensors/add_batch_dim", lang="es")
    assert es.returncode == 1 and "se esperaban los parámetros ['x']" in es.stdout
    assert "Edición para estudiantes" in es.stdout
    # A module that is not there is not attempted, not a failure.
    (ws / "cnns.py").unlink()
    missing = student(site, ws, "check", "cnns", "--json")
    assert missing.returncode == 0
    assert {e["status"] for e in json.loads(missing.stdout)["topics"][0]["exercises"]} == {"not_attempted"}


def test_learner_verbs_work_and_the_rest_say_why_not(site, tmp_path):
    assert student(site, tmp_path, "start", "ws").returncode == 0
    ws = tmp_path / "ws"
    for args in (("list",), ("hint", "tensors/seeded_rand"), ("progress",), ("quiz",)):
        proc = student(site, ws, *args)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)
    template = student(site, ws, "quiz", "why_ml", "--template")
    assert template.returncode == 0 and "schema: torchdojo.answers/1" in template.stdout
    as_json = json.loads(student(site, ws, "quiz", "why_ml", "--template", "--json").stdout)
    assert as_json["topic"] == "why_ml" and all(v is None or isinstance(v, dict) for v in as_json["answers"].values())
    for args in (("solution", "tensors/add_batch_dim"), ("solution", "tensors/add_batch_dim", "--force"),
                 ("grade", str(ws)), ("release", str(tmp_path / "rel")),
                 ("gradescope", "build", "tensors", "-o", str(tmp_path / "a.zip"))):
        one_line_error(student(site, ws, *args), "needs the full edition")
    one_line_error(student(site, ws, "quiz", "why_ml"), "no quiz answer keys")
    one_line_error(student(site, ws, "quiz", "why_ml", "--lang", "es"), "no tiene las claves")


def test_the_notebook_check_cell_checks_names_and_signatures(site, tmp_path):
    # In = IPython's input history: what the check cell reads to know it runs in a notebook.
    code = ("from torchdojo.learner.notebook import check\n"
            "def add_batch_dim(x):\n    return x\n"
            "In = ['', 'def add_batch_dim(x):\\n    return x']\n"
            "check('tensors/add_batch_dim', globals())\n"
            "check('tensors/summarize', globals())\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TORCHDOJO_CONTENT")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": str(site), "TORCHDOJO_LANG": "en"})
    assert proc.returncode == 0, proc.stderr
    assert "✔ tensors/add_batch_dim" in proc.stdout
    assert "✘ tensors/summarize: summarize is not defined yet" in proc.stdout
    # A stub run from a file (its source readable, as in Jupyter) is not attempted, not a ✔.
    stub = (site / "torchdojo" / "content" / "exercises" / "tensors.py").read_text(encoding="utf-8")
    script = tmp_path / "cells.py"
    script.write_text(stub + "\nfrom torchdojo.learner.notebook import check\nIn = ['', 'x']\n"
                      "check('tensors/add_batch_dim', globals())\n", encoding="utf-8")
    for lang, said in (("en", "· tensors/add_batch_dim: not attempted yet (still the stub)"),
                       ("es", "· tensors/add_batch_dim: sin hacer todavía (sigue siendo la plantilla)")):
        proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120, env={**env, "PYTHONPATH": str(site), "TORCHDOJO_LANG": lang})
        assert proc.returncode == 0, proc.stderr
        assert said in proc.stdout and "✔" not in proc.stdout, proc.stdout
