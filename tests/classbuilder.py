"""Small synthetic classes for the executor and Gradescope tests (and scripts/bench_scaling.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from variant_suite import build_mistake

from torchdojo.course import paths
from torchdojo.course.stubs import strip_markers

SRC = str(Path(__file__).resolve().parents[1] / "src")
REFERENCE = strip_markers((paths.solutions_dir() / "tensors.py").read_text(encoding="utf-8"))
MISTAKE = REFERENCE.replace("return x.unsqueeze(0)", "return x.unsqueeze(-1)")
SYNTAX_ERROR = "import torch\n\ndef tensor_info(x:\n    return {}\n"


def notebook(source: str) -> str:
    """A notebook whose one code cell is ``source`` (with a magic the loader drops)."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Tensores"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "%matplotlib inline\n" + source}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def kinds() -> dict[str, tuple[str, str | bytes]]:
    """Named submissions: ``kind -> (file name, content)``."""
    return {
        "correct": ("tensors.py", REFERENCE),
        "notebook": ("tensors.ipynb", notebook(REFERENCE)),
        "mistake": ("tensors.py", MISTAKE),
        "mistake_seed": ("tensors.py", build_mistake("tensors", "mistake_rand_ignores_seed.py")),
        "stub": ("tensors.py", (paths.exercises_dir() / "tensors.py").read_text(encoding="utf-8")),
        "syntax": ("tensors.py", SYNTAX_ERROR),
        "binary": ("tensors.py", b"\x00\xffELF binary"),
    }


def write_submission(folder: Path, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name, content = kinds()[kind]
    target = folder / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    return target


def write_class(root: Path, students: dict[str, str]) -> Path:
    """``{student: kind}`` -> a class folder, one folder per student."""
    for student, kind in students.items():
        write_submission(root / student, kind)
    return root


def mixed_class(root: Path, n: int, only: list[str] | None = None) -> Path:
    """``n`` students cycling through every kind of submission (or the kinds in ``only``)."""
    names = list(only or kinds())
    return write_class(root, {f"s{i:03d}": names[i % len(names)] for i in range(n)})


def exercise_scores(grades_json: Path) -> dict[str, dict[str, float]]:
    """``{student: {exercise id: score}}`` from a ``torchdojo.grades/1`` file."""
    doc = json.loads(grades_json.read_text(encoding="utf-8"))
    return {s["student"]: {e["id"]: e["score"] for t in s["topics"] for e in t["exercises"]}
            for s in doc["students"]}


def unpack_bundle(bundle: Path, root: Path) -> Path:
    """Lay a Gradescope autograder zip out as Gradescope does, in ``root`` (a stand-in for /autograder):
    the zip in ``source/``, ``run_autograder`` copied up, an empty ``submission/``."""
    source = root / "source"
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            zf.extract(info, source)
            os.chmod(source / info.filename, (info.external_attr >> 16) & 0o777)
    (root / "run_autograder").write_bytes((source / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    return root


def run_bundle(root: Path) -> dict:
    """Run ``root/run_autograder`` with this environment's packages (instead of setup.sh); results.json."""
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "TORCHDOJO_PYTHON": sys.executable,
           "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("TORCHDOJO_CONTENT", None)
    proc = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


VARIANTS = Path(__file__).resolve().parent / "variants"


def independent_solutions(topic: str) -> dict[str, Path]:
    """The independent correct styles of ``tests/variants/<topic>/`` that are one file: ``{name: path}``."""
    out = {p.stem: p for p in sorted((VARIANTS / topic).glob("correct_*.py"))}
    notebook_dir = VARIANTS / topic / "correct_notebook"
    if notebook_dir.is_dir():
        out["correct_notebook"] = next(notebook_dir.glob("*.ipynb"))
    return out


class _RenameLocals:
    """Rename every variable a function assigns (never its parameters: graders call by keyword)."""

    WORDS = ("valor", "tmp", "res", "aux", "dato", "cosa", "item", "acc", "buf", "elem")

    def __init__(self, salt: int):
        self.salt = salt

    def __call__(self, func) -> None:
        import ast

        params = {a.arg for a in func.args.args + func.args.kwonlyargs + func.args.posonlyargs}
        stored = sorted({n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
                        - params)
        names = {old: f"{self.WORDS[(i + self.salt) % len(self.WORDS)]}_{i}" for i, old in enumerate(stored)}
        for node in ast.walk(func):
            if isinstance(node, ast.Name) and node.id in names:
                node.id = names[node.id]


def disguise(source: str, salt: int = 0) -> str:
    """A copy dressed up: local variables renamed, top-level functions in another order, docstrings
    and comments rewritten, formatting changed. It still passes the grader if the original did."""
    import ast
    import random

    tree = ast.parse(source)
    rename = _RenameLocals(salt)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            rename(node)
            if ast.get_docstring(node) is not None:
                node.body[0] = ast.Expr(ast.Constant(f"Mi propia versión de {node.name}, escrita desde cero."))
    if ast.get_docstring(tree) is not None:
        tree.body[0] = ast.Expr(ast.Constant("Trabajo original: nadie me ayudó."))
    head = [n for n in tree.body if not isinstance(n, ast.FunctionDef)]
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    random.Random(salt).shuffle(funcs)
    tree.body = head + funcs
    lines = []
    for line in ast.unparse(tree).splitlines():
        if line.startswith("def "):
            lines += ["", "", "# ---- escrito por mí ----"]
        indent = line[: len(line) - len(line.lstrip())]
        if line.lstrip().startswith("return "):
            lines.append(f"{indent}# devolvemos el resultado")
        lines.append(line)
    return "\n".join(lines) + "\n"
