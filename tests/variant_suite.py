"""One suite for judging a grader from outside with variant files.

A topic's test module subclasses :class:`VariantSuite` and fills in ``TOPIC``,
``MISTAKES`` and ``SPANISH``. Then

* the reference solution and every ``tests/variants/<topic>/correct_*.py`` get
  full marks (in English and, for the reference, in Spanish);
* the stub is not attempted everywhere;
* each mistake of ``tests/variants/<topic>/mistakes.py`` (the reference with ONE
  realistic mistake: a function or class replaced) loses points on exactly its
  exercise, with feedback naming the problem; mistakes only an accelerator can
  reveal pass on a CPU;
* one mistake's feedback is checked in Spanish.

Every submission is graded once, through the real engine, with the session's
warm judge.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import lru_cache
from pathlib import Path

import torch

from torchdojo.check import check_workspace
from torchdojo.manifest import course
from torchdojo.report import PASSED
from torchdojo.stubs import strip_markers

ROOT = Path(__file__).resolve().parents[1]
ACCELERATOR = torch.cuda.is_available() or torch.backends.mps.is_available()


@lru_cache(maxsize=None)
def load_mistakes(topic: str) -> dict[str, dict]:
    """The mistake table ``tests/variants/<topic>/mistakes.py``."""
    path = ROOT / "tests" / "variants" / topic / "mistakes.py"
    spec = importlib.util.spec_from_file_location(f"mistakes_{topic}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


def build_mistake(topic: str, name: str) -> str:
    """The reference solution with mistake ``name``: its definitions replaced, its extra lines added."""
    entry = load_mistakes(topic)[name]
    source = strip_markers((ROOT / "solutions" / f"{topic}.py").read_text(encoding="utf-8"))
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    spans = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in entry["replace"]:
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            spans.append((start, node.end_lineno, entry["replace"][node.name]))
    assert len(spans) == len(entry["replace"]), f"{name}: a replaced name is not in the reference"
    for start, end, code in sorted(spans, reverse=True):
        lines[start:end] = [code]
    if entry.get("extra"):
        first = tree.body[1].lineno - 1 if ast.get_docstring(tree) is not None else 0
        lines[first:first] = [entry["extra"]]
    return f"# MISTAKE: {entry['what']}\n" + "".join(lines)


def grade(judge, workspace: Path, topic: str, source: str, *, device: str = "auto", lang: str = "en") -> dict:
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / f"{topic}.py").write_text(source, encoding="utf-8")
    report = check_workspace(workspace, [topic], device=device, lang=lang, record=False, judge=judge)
    (result,) = report.topics
    return {item.id: item for item in result.exercises}


class VariantSuite:
    #: the topic id
    TOPIC: str = ""
    #: mistake file -> (exercise that loses points, words the English feedback contains, accelerator only)
    MISTAKES: dict[str, tuple[str, list[str], bool]] = {}
    #: (mistake file, exercise, words its Spanish feedback contains)
    SPANISH: tuple[str, str, list[str]] = ("", "", [])

    @property
    def variants(self) -> Path:
        return ROOT / "tests" / "variants" / self.TOPIC

    @property
    def exercise_ids(self) -> list[str]:
        return [e.id for e in course().topic(self.TOPIC).exercises]

    def pytest_generate_tests(self, metafunc):
        if "correct" in metafunc.fixturenames:
            metafunc.parametrize("correct", sorted(p.name for p in self.variants.glob("correct_*.py")))
        if "mistake" in metafunc.fixturenames:
            metafunc.parametrize("mistake", sorted(self.MISTAKES))

    def assert_full_marks(self, results: dict) -> None:
        assert sorted(results) == sorted(self.exercise_ids)
        wrong = {i: (r.status, r.feedback) for i, r in results.items() if r.status != PASSED or r.score != r.max_score}
        assert not wrong, wrong

    def source(self, name: str) -> str:
        if name.startswith("mistake_"):
            return build_mistake(self.TOPIC, name)
        return (self.variants / name).read_text(encoding="utf-8")

    def test_variant_files_and_table_agree(self):
        assert len(list(self.variants.glob("correct_*.py"))) >= 4
        assert sorted(load_mistakes(self.TOPIC)) == sorted(self.MISTAKES)
        assert all(m["what"] and m["replace"] for m in load_mistakes(self.TOPIC).values())
        names = {e.name for e in course().topic(self.TOPIC).exercises}
        assert {ex for ex, _, _ in self.MISTAKES.values()} == names  # every exercise has a mistake it catches

    def test_reference_solution_gets_full_marks(self, judge, tmp_path):
        reference = (ROOT / "solutions" / f"{self.TOPIC}.py").read_text(encoding="utf-8")
        self.assert_full_marks(grade(judge, tmp_path / "en", self.TOPIC, reference))
        self.assert_full_marks(grade(judge, tmp_path / "es", self.TOPIC, reference, device="cpu", lang="es"))

    def test_stub_is_not_attempted(self, judge, tmp_path):
        stub = (ROOT / "exercises" / f"{self.TOPIC}.py").read_text(encoding="utf-8")
        results = grade(judge, tmp_path / "ws", self.TOPIC, stub, device="cpu")
        assert {i: r.status for i, r in results.items()} == {i: "not_attempted" for i in self.exercise_ids}

    def test_correct_variant_gets_full_marks(self, judge, tmp_path, correct):
        self.assert_full_marks(grade(judge, tmp_path / "ws", self.TOPIC, self.source(correct)))

    def test_mistake_loses_points_on_its_exercise_only(self, judge, tmp_path, mistake):
        exercise, words, accelerator_only = self.MISTAKES[mistake]
        source = self.source(mistake)
        results = grade(judge, tmp_path / "ws", self.TOPIC, source)
        if accelerator_only and not ACCELERATOR:
            self.assert_full_marks(results)  # a CPU cannot tell where a tensor would have been
            return
        losing = sorted(i for i, r in results.items() if r.score < r.max_score)
        assert losing == [f"{self.TOPIC}/{exercise}"], {i: (r.status, r.feedback) for i, r in results.items()}
        item = results[f"{self.TOPIC}/{exercise}"]
        assert item.status in ("failed", "error"), item
        for word in words:
            assert word in item.feedback, (word, item.feedback)
        for other, result in results.items():
            if other != item.id:
                assert result.status == PASSED and result.score == result.max_score, (other, result)

    def test_feedback_speaks_spanish(self, judge, tmp_path):
        name, exercise, words = self.SPANISH
        results = grade(judge, tmp_path / "ws", self.TOPIC, self.source(name), device="cpu", lang="es")
        feedback = results[f"{self.TOPIC}/{exercise}"].feedback
        assert all(w in feedback for w in words), feedback
