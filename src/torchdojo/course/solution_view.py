"""The reference solution of one exercise, as a learner should read it."""

from __future__ import annotations

import ast

from torchdojo.course import paths
from torchdojo.course.manifest import Exercise
from torchdojo.course.stubs import strip_markers


def solution_source(ex: Exercise) -> str:
    """The source of the functions and classes of ``ex`` in the reference solution."""
    path = paths.solutions_dir() / f"{ex.topic}.py"
    text = strip_markers(path.read_text(encoding="utf-8"))
    tree = ast.parse(text)
    wanted = set(ex.functions)
    parts = [ast.get_source_segment(text, node, padded=False) or ""
             for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.name in wanted]
    return "\n\n\n".join(p for p in parts if p)
