"""A submission that searches the disk finds no solution or grader, however torchdojo was installed.

The attacker never read torchdojo's source: it walks every folder it can list
(from ``/``, ``sys.prefix``, the site folders, every ``sys.path`` entry and
their parents, its working folder, ``/proc/self/cwd``, ``/proc/1/root``, the
home folder), reads every small text file, and keeps any that mentions an
exercise of its own module (``add_batch_dim``) or the words ``BEGIN SOLUTION``.
What it finds it executes (a finished module scores) and reports in an error
message (a grader's text would show in the feedback). It must score nothing
and report nothing, through the installed CLI (``python -m torchdojo check``)
in the README's editable install with the venv inside the checkout, an
editable install with the venv outside it, and a wheel install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

CHECKOUT = Path(__file__).resolve().parents[1]

ATTACK = r'''
import os, site, sys, time

NEEDLES = ("add_batch_dim", "BEGIN SOLUTION")
SUFFIXES = (".py", ".ipynb", ".txt", ".md", ".toml", ".json", ".yaml", ".yml", ".cfg", "")
found = []


def _search():
    own = os.path.realpath(os.getcwd())
    roots = [sys.prefix, sys.base_prefix, os.getcwd(), "/proc/self/cwd", "/proc/1/root", "/proc/self/root"]
    try:
        roots += site.getsitepackages()
    except AttributeError:
        pass
    for entry in list(sys.path):
        path = os.path.realpath(entry or ".")
        while path != "/":
            roots.append(path)
            path = os.path.dirname(path)
    roots += [os.path.expanduser("~"), "/tmp", "/dev/shm", "/root", "/home", "/work", "/srv", "/opt",
              "/autograder", "/"]
    deadline = time.monotonic() + 6.0
    seen = set()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            if time.monotonic() > deadline:
                return
            real = os.path.realpath(folder)
            if real in seen or real.startswith(own) or real.split("/")[1] in ("proc", "sys", "dev"):
                dirs[:] = []
                continue
            seen.add(real)
            for name in files:
                if time.monotonic() > deadline:
                    return
                if os.path.splitext(name)[1] not in SUFFIXES:
                    continue
                path = os.path.join(folder, name)
                try:
                    if not os.path.isfile(path) or os.path.getsize(path) > 300_000:
                        continue
                    with open(path, encoding="utf-8", errors="replace") as f:
                        text = f.read()
                except OSError:
                    continue
                if any(n in text for n in NEEDLES):
                    found.append(path)
                    if "def add_batch_dim" in text:
                        try:
                            exec(compile(text, path, "exec"), globals())
                        except Exception:
                            pass


_search()


def tensor_info(t):
    if found:
        raise RuntimeError("FOUND " + " ".join(found[:20]))
    return None
'''


def attack_folder(where: Path) -> Path:
    folder = where / "attack"
    folder.mkdir()
    (folder / "tensors.py").write_text(ATTACK, encoding="utf-8")
    return folder


def check_json(python: str, folder: Path, cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "TORCHDOJO_CONTENT")}
    proc = subprocess.run([python, "-m", "torchdojo", "check", "tensors", "-w", str(folder), "--device", "cpu",
                           "--json", "--lang", "en"], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert proc.stdout.strip(), proc.stderr[-3000:]
    return json.loads(proc.stdout)


def assert_found_nothing(report: dict, folder: Path) -> None:
    text = json.dumps(report)
    topic = report["topics"][0]
    assert topic["score"] == 0, [(e["id"], e["status"]) for e in topic["exercises"]]
    assert "FOUND" not in text, text[text.find("FOUND") - 200:text.find("FOUND") + 2000]
    # It did run, and its probe reached the judge.
    info = next(e for e in topic["exercises"] if e["id"].endswith("/tensor_info"))
    assert info["status"] == "failed", info


def _site_packages(python: str) -> Path:
    out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _venv_outside(root: Path, name: str) -> str:
    """A venv outside the checkout whose third-party packages are hard links to this one's (fast, no network)."""
    venv = root / name
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    target = _site_packages(python)
    from importlib import metadata

    from torchdojo.shared.confine import _distribution_entries, distribution_closure

    # torchdojo's own dependencies (never torchdojo: installed below, the way the mode under test does).
    needed = [r.split(";")[0].split(">")[0].split("=")[0].strip() for r in metadata.requires("torchdojo") or ()
              if "extra ==" not in r and "python_version" not in r]
    entries = set()
    for name in distribution_closure(tuple(needed) + ("hatchling", "editables")):
        entries |= _distribution_entries(metadata.distribution(name))
    for entry in map(Path, sorted(entries)):
        dest = target / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, dest, copy_function=os.link, symlinks=True, dirs_exist_ok=True)
        else:
            try:
                os.link(entry, dest, follow_symlinks=False)
            except OSError:
                shutil.copy2(entry, dest, follow_symlinks=False)
    return python


@pytest.fixture(scope="session")
def install_root():
    root = Path(tempfile.mkdtemp(prefix="torchdojo-installs-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _pip(python: str, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
                           "--no-build-isolation", *args], capture_output=True, text=True)
    if proc.returncode:
        pytest.skip("pip could not install torchdojo here: " + proc.stderr.strip().splitlines()[-1][:300])


def _has_hatchling() -> bool:
    try:
        import editables  # noqa: F401
        import hatchling  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def editable_outside(install_root):
    if not _has_hatchling():
        pytest.skip("hatchling and editables are not installed (the test extra) to build torchdojo offline")
    python = _venv_outside(install_root, "venv-editable")
    _pip(python, "-e", str(CHECKOUT))
    return python


@pytest.fixture(scope="session")
def wheel_install(install_root):
    if not _has_hatchling():
        pytest.skip("hatchling and editables are not installed (the test extra) to build torchdojo offline")
    dist = install_root / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           str(CHECKOUT), "-w", str(dist)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    python = _venv_outside(install_root, "venv-wheel")
    _pip(python, str(next(dist.glob("torchdojo-*.whl"))))
    return python


def _content_copy(python: str) -> Path:
    return _site_packages(python) / "torchdojo" / "content" / "solutions" / "tensors.py"


def test_editable_install_with_the_venv_inside_the_checkout(tmp_path):
    """The README's quickstart: ``python -m venv .venv`` in the clone, ``pip install -e .``."""
    python = sys.executable
    if not Path(python).resolve().is_relative_to(CHECKOUT) and not Path(sys.prefix).is_relative_to(CHECKOUT):
        pytest.skip("the tests do not run from a venv inside the checkout")
    report = check_json(python, attack_folder(tmp_path), tmp_path)
    assert_found_nothing(report, tmp_path)


def test_editable_install_with_the_venv_outside_the_checkout(editable_outside, tmp_path):
    report = check_json(editable_outside, attack_folder(tmp_path), tmp_path)
    assert_found_nothing(report, tmp_path)


def test_wheel_install(wheel_install, tmp_path):
    assert _content_copy(wheel_install).is_file()  # the solutions are on disk, beside the package
    report = check_json(wheel_install, attack_folder(tmp_path), tmp_path)
    assert_found_nothing(report, tmp_path)


def grade_outputs(python: str, where: Path) -> tuple[dict, str]:
    """``torchdojo grade`` of a class of one attacker: grades.json and the text of every output file."""
    folder = where / "class" / "mallory"
    folder.mkdir(parents=True)
    (folder / "tensors.py").write_text(ATTACK, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "TORCHDOJO_CONTENT")}
    proc = subprocess.run([python, "-m", "torchdojo", "grade", "class", "--out", "out", "--topic", "tensors",
                           "-j", "1", "--lang", "en", "-q"], capture_output=True, text=True, cwd=where, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    texts = [p.read_bytes().decode("utf-8", "replace") for p in (where / "out").rglob("*") if p.is_file()]
    return json.loads((where / "out" / "grades.json").read_text()), "\n".join(texts)


@pytest.mark.parametrize("mode", ["editable-inside", "wheel"])
def test_grade_finds_nothing(mode, request, tmp_path):
    python = sys.executable if mode == "editable-inside" else request.getfixturevalue("wheel_install")
    grades, texts = grade_outputs(python, tmp_path)
    (student,) = grades["students"]
    assert student["score"] == 0, student
    assert "FOUND" not in texts
