"""The maintainer self-check (after rustlings' ``dev check``).

* manifest and files agree: every topic with a module has a solution, a stub and
  a grader; every exercise's functions exist in the solution; every grader test
  names an exercise of the manifest and every exercise has a test;
* stubs are what the solutions generate;
* (in the test suite, through the real sandbox) every stub scores zero as not
  attempted and every solution gets full marks.
"""

from __future__ import annotations

import ast
from pathlib import Path

from torchdojo.course import paths, stubs
from torchdojo.course.manifest import Course, Topic


def _defined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def grader_exercises(path: Path) -> dict[str, list[str]]:
    """``{exercise: [test names]}`` from ``@pytest.mark.exercise("...")`` decorators."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test"):
            continue
        for deco in node.decorator_list:
            if (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)
                    and deco.func.attr == "exercise" and deco.args
                    and isinstance(deco.args[0], ast.Constant)):
                out.setdefault(str(deco.args[0].value), []).append(node.name)
    return out


def topic_problems(topic: Topic) -> list[str]:
    problems = []
    solution = paths.solutions_dir() / topic.module
    stub = paths.exercises_dir() / topic.module
    grader = paths.graders_dir() / f"test_{topic.id}.py"
    for path in (solution, stub, grader):
        if not path.is_file():
            problems.append(f"{topic.id}: missing {path}")
    if problems:
        return problems
    defined = _defined_names(solution)
    for ex in topic.exercises:
        for name in ex.functions:
            if name not in defined:
                problems.append(f"{ex.id}: the solution does not define {name}")
    tests = grader_exercises(grader)
    names = {e.name for e in topic.exercises}
    for ex_name in sorted(set(tests) - names):
        problems.append(f"{topic.id}: grader tests name an unknown exercise '{ex_name}'")
    for ex_name in sorted(names - set(tests)):
        problems.append(f"{topic.id}/{ex_name}: no grader test")
    return problems


def problems(course: Course) -> list[str]:
    """Everything that disagrees between the manifest and the files (empty: all good)."""
    out: list[str] = []
    for topic in course.exercise_topics:
        out.extend(topic_problems(topic))
    for path in stubs.out_of_sync():
        out.append(f"out of date: {path} (run python scripts/sync_content.py)")
    modules = {t.module for t in course.exercise_topics}
    for path in sorted(paths.solutions_dir().glob("*.py")):
        if path.name not in modules:
            out.append(f"{path}: not a module of any topic in course.toml")
    return out
