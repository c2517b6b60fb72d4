"""The ``transfer_learning`` grader (graders/test_transfer_learning.py), judged from outside.

* The reference solution and correct solutions written in other styles
  (``tests/variants/transfer_learning/correct_*.py``) get full marks.
* Each ``tests/variants/transfer_learning/mistake_*.py`` is the reference with ONE
  realistic mistake (its docstring says which, a ``# MISTAKE`` comment marks the
  line); it loses points on exactly the exercise below, whose feedback names the
  problem. Data left on the CPU shows only where an accelerator is present.

Every submission is graded once, through the real engine
(:func:`torchdojo.check.check_workspace`), with one shared warm zygote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from torchdojo.check import check_workspace
from torchdojo.manifest import course
from torchdojo.report import PASSED
from torchdojo.sandbox.client import Zygote

TOPIC = "transfer_learning"
ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / f"{TOPIC}.py"
VARIANTS = ROOT / "tests" / "variants" / TOPIC
EXERCISE_IDS = [e.id for e in course().topic(TOPIC).exercises]
ACCELERATOR = torch.cuda.is_available() or torch.backends.mps.is_available()

# mistake file -> (exercise that loses points, words the English feedback contains, accelerator only)
MISTAKES = {
    "mistake_freeze_eval_only.py": ("freeze", ["still require gradients"], False),
    "mistake_freeze_attribute.py": ("freeze", ["6 of 6 parameters still require gradients"], False),
    "mistake_freeze_conv_only.py": ("freeze", ["4 of 6 parameters still require gradients", "BatchNorm"], False),
    "mistake_head_wrong_dtype_device.py": ("replace_head", ["dtype torch.float32", "float64", "dtype=old.weight.dtype"], False),
    "mistake_head_whole_classifier.py": ("replace_head", ["no longer runs", "Flatten"], False),
    "mistake_head_only_fc.py": ("replace_head", ["AttributeError", "fc"], False),
    "mistake_build_freeze_after_head.py": ("build_transfer_model", ["no parameter requires gradients", "freeze after"], False),
    "mistake_trainable_filter.py": ("trainable_parameters", ["must return a list", "filter"], False),
    "mistake_trainable_names.py": ("trainable_parameters", ["nn.Parameter"], False),
    "mistake_finetune_train_mode.py": ("fine_tune", ["BatchNorm statistics", "running_mean", "model.eval()"], False),
    "mistake_finetune_all_parameters.py": ("fine_tune", ["frozen parameters", "trainable_parameters(model)"], False),
    "mistake_finetune_unfreezes.py": ("fine_tune", ["changed frozen parameters"], False),
    "mistake_finetune_sgd.py": ("fine_tune", ["uses SGD", "Adam"], False),
    "mistake_finetune_data_not_moved.py": ("fine_tune", ["device"], True),
}
CORRECT = sorted(p.name for p in VARIANTS.glob("correct_*.py"))


@pytest.fixture(scope="module")
def zygote():
    with Zygote() as z:
        yield z


def grade(zygote: Zygote, workspace: Path, source: str, *, device: str = "auto", lang: str = "en") -> dict:
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / f"{TOPIC}.py").write_text(source, encoding="utf-8")
    report = check_workspace(workspace, [TOPIC], device=device, lang=lang, record=False, zygote=zygote)
    (topic,) = report.topics
    return {item.id: item for item in topic.exercises}


def assert_full_marks(results: dict) -> None:
    assert sorted(results) == sorted(EXERCISE_IDS)
    wrong = {i: (r.status, r.feedback) for i, r in results.items() if r.status != PASSED or r.score != r.max_score}
    assert not wrong, wrong


def test_variant_files_and_table_agree():
    assert len(CORRECT) >= 4, CORRECT
    assert sorted(p.name for p in VARIANTS.glob("mistake_*.py")) == sorted(MISTAKES)
    names = {e.name for e in course().topic(TOPIC).exercises}
    assert {ex for ex, _, _ in MISTAKES.values()} == names  # every exercise has a mistake that it catches


def test_reference_solution_gets_full_marks(zygote, tmp_path):
    assert_full_marks(grade(zygote, tmp_path / "ws", SOLUTION.read_text(encoding="utf-8")))


def test_reference_solution_full_marks_in_spanish(zygote, tmp_path):
    assert_full_marks(grade(zygote, tmp_path / "ws", SOLUTION.read_text(encoding="utf-8"), device="cpu", lang="es"))


def test_stub_is_not_attempted(zygote, tmp_path):
    results = grade(zygote, tmp_path / "ws", (ROOT / "exercises" / f"{TOPIC}.py").read_text(encoding="utf-8"),
                    device="cpu")
    assert {i: r.status for i, r in results.items()} == {i: "not_attempted" for i in EXERCISE_IDS}


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_full_marks(zygote, tmp_path, name):
    assert_full_marks(grade(zygote, tmp_path / "ws", (VARIANTS / name).read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_loses_points_on_its_exercise_only(zygote, tmp_path, name):
    exercise, words, accelerator_only = MISTAKES[name]
    source = (VARIANTS / name).read_text(encoding="utf-8")
    assert "# MISTAKE" in source
    results = grade(zygote, tmp_path / "ws", source)
    if accelerator_only and not ACCELERATOR:
        assert_full_marks(results)  # a CPU cannot tell where a tensor would have been
        return
    losing = sorted(i for i, r in results.items() if r.score < r.max_score)
    assert losing == [f"{TOPIC}/{exercise}"], {i: (r.status, r.feedback) for i, r in results.items()}
    item = results[f"{TOPIC}/{exercise}"]
    assert item.status in ("failed", "error"), item
    for word in words:
        assert word in item.feedback, (word, item.feedback)
    for other, result in results.items():
        if other != item.id:
            assert result.status == PASSED and result.score == result.max_score, (other, result)


def test_feedback_speaks_spanish(zygote, tmp_path):
    results = grade(zygote, tmp_path / "ws", (VARIANTS / "mistake_finetune_train_mode.py").read_text(encoding="utf-8"),
                    device="cpu", lang="es")
    feedback = results[f"{TOPIC}/fine_tune"].feedback
    assert "estadísticas de BatchNorm" in feedback and "model.eval()" in feedback, feedback
