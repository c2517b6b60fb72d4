"""Hints build up in three levels and never hand over the solution.

Level 1 names the misconception to avoid, level 2 the API to use with a link to
its PyTorch documentation, level 3 a skeleton with blanks (``___``). None of them
contains a line of the reference solution (``torchdojo solution`` is for that).
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import lru_cache

import pytest

from torchdojo.course import paths
from torchdojo.course.manifest import course

EXERCISES = [ex for topic in course().exercise_topics for ex in topic.exercises]
DOCS = re.compile(r"https://pytorch\.org/docs/stable/([\w./-]*)(?:#([\w.-]+))?")
# Documentation pages that are about a subject rather than one object.
SUBJECT_PAGES = {"tensor_attributes.html", "optim.html", "notes/serialization.html", "data.html", "backends.html"}
BLANK = "___"
# A bare call without arguments (``model.train()``, ``nn.ReLU()``) is API vocabulary
# that docstrings and hints must be able to name; so is anything this short.
VOCABULARY = re.compile(r"^[A-Za-z_][\w.]*\(\)$")
MIN_SOLUTION_LINE = 12


def _normalise(code: str) -> str:
    code = re.sub(r"\s+|`", "", code)
    code = code.rstrip(",:")
    return code[len("return"):] if code.startswith("return") else code


@lru_cache(maxsize=None)
def _solution_regions(module: str) -> dict[str, list[tuple[int, str]]]:
    """Top-level name -> (line number, line) of its BEGIN/END SOLUTION regions."""
    source = (paths.solutions_dir() / module).read_text(encoding="utf-8")
    lines = source.splitlines()
    regions: dict[str, list[tuple[int, str]]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            continue
        inside, found = False, []
        for number in range(node.lineno, node.end_lineno + 1):
            line = lines[number - 1]
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside:
                found.append((number, line.split("  #")[0]))
        regions[node.name] = found
    return regions


def _solution_lines(ex) -> list[tuple[int, str]]:
    module = course().topic(ex.topic).module
    regions = _solution_regions(module)
    out = []
    for name in ex.functions:
        assert regions.get(name), f"{ex.id}: no solution region for {name} in solutions/{module}"
        for number, line in regions[name]:
            code = _normalise(line)
            if len(code) >= MIN_SOLUTION_LINE and not VOCABULARY.match(code):
                out.append((number, code))
    return out


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def test_every_exercise_has_three_levels_in_both_languages():
    assert len(EXERCISES) >= 30
    for ex in EXERCISES:
        assert len(ex.hints) == 3, f"{ex.id}: {len(ex.hints)} levels of hints, not 3"
        for level, hint in enumerate(ex.hints[:2], start=1):
            assert hint.es != hint.en, f"{ex.id}: hint {level} is not translated"


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.id for ex in EXERCISES])
def test_levels_build_up(ex):
    first, second, third = ex.hints
    for lang in ("es", "en"):
        where = f"{ex.id} ({lang})"
        assert not DOCS.search(first.get(lang)) and BLANK not in first.get(lang), \
            f"{where}: level 1 names the misconception; links and skeletons come later"
        assert DOCS.search(second.get(lang)), f"{where}: level 2 links to the PyTorch documentation"
        assert BLANK in third.get(lang), f"{where}: level 3 is a skeleton with {BLANK} blanks"


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.id for ex in EXERCISES])
def test_documentation_links_name_real_objects(ex):
    for hint in ex.hints:
        for lang in ("es", "en"):
            for match in DOCS.finditer(hint.get(lang)):
                page, anchor = match.groups()
                where = f"{ex.id} ({lang}): {match.group(0)}"
                if page.startswith("generated/") and page.endswith(".html"):
                    name = page[len("generated/"):-len(".html")]
                    assert _resolves(name), f"{where}: torch has no {name}"
                    if anchor:
                        assert anchor.startswith(name) and _resolves(anchor), f"{where}: no such member"
                else:
                    assert page in SUBJECT_PAGES, f"{where}: unknown page"
                    if anchor and anchor.startswith("torch."):
                        assert _resolves(anchor), f"{where}: torch has no {anchor}"


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.id for ex in EXERCISES])
def test_no_hint_is_a_line_of_the_solution(ex):
    module = course().topic(ex.topic).module
    lines = _solution_lines(ex)
    assert lines, f"{ex.id}: no solution lines found"
    for level, hint in enumerate(ex.hints, start=1):
        for lang in ("es", "en"):
            text = _normalise(hint.get(lang))
            for number, code in lines:
                assert code not in text, (f"{ex.id}: hint {level} ({lang}) gives away the solution line "
                                          f"solutions/{module}:{number}: {code}")


def test_the_rule_catches_a_hint_that_is_the_solution():
    # The check above would pass vacuously if normalisation never matched.
    ex = next(e for e in EXERCISES if e.id == "tensors/add_batch_dim")
    assert any(code in _normalise("Just `return x.unsqueeze(0)`.") for _, code in _solution_lines(ex))


def test_a_misspelt_link_is_caught():
    assert _resolves("torch.utils.data.DataLoader") and _resolves("torch.backends.mps.is_available")
    assert not _resolves("torch.Tensor.unsqeeze") and not _resolves("torch.nn.Conv3x3")


def _docstrings(ex) -> str:
    source = (paths.solutions_dir() / course().topic(ex.topic).module).read_text(encoding="utf-8")
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in ex.functions:
            out.append(ast.get_docstring(node) or "")
            out += [ast.get_docstring(n) or "" for n in ast.walk(node)
                    if isinstance(n, ast.FunctionDef) and n is not node]
    return "\n".join(out)


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.id for ex in EXERCISES])
def test_no_statement_is_a_line_of_the_solution(ex):
    # The statement says what goes in, what comes out and what is checked; the
    # method belongs to the hints, level by level.
    text = _normalise(_docstrings(ex))
    assert text, f"{ex.id}: no statement"
    for number, code in _solution_lines(ex):
        assert code not in text, f"{ex.id}: the statement gives away the solution line {number}: {code}"


def test_statements_leave_the_thinking_to_the_student():
    # The giveaways a reviewer found (issue 19): the Linear's input size of TinyVGG,
    # fine_tune's one trap, and a level 3 that left nothing to decide.
    by_id = {ex.id: ex for ex in EXERCISES}
    assert "image_size//4" not in _normalise(_docstrings(by_id["cnns/TinyVGG"]))
    assert "eval" not in _docstrings(by_id["transfer_learning/fine_tune"])
    for lang in ("es", "en"):
        assert "//" not in by_id["cnns/TinyVGG"].hints[2].get(lang)
        third = by_id["transfer_learning/build_transfer_model"].hints[2].get(lang)
        assert "= ___(" not in third, third
