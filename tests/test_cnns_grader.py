"""The ``cnns`` grader (graders/test_cnns.py), judged from outside.

* The reference solution and correct solutions written in other styles
  (``tests/variants/cnns/correct_*.py``) get full marks.
* Each ``tests/variants/cnns/mistake_*.py`` is the reference with ONE realistic
  mistake (its docstring says which, a ``# MISTAKE`` comment marks the line); it
  loses points on exactly the exercise below, whose feedback names the problem.
  Mistakes that only an accelerator can reveal (a batch or a model left on the
  CPU) lose points only where one is present; on a CPU-only machine they pass.

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

TOPIC = "cnns"
ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / f"{TOPIC}.py"
VARIANTS = ROOT / "tests" / "variants" / TOPIC
EXERCISE_IDS = [e.id for e in course().topic(TOPIC).exercises]
ACCELERATOR = torch.cuda.is_available() or torch.backends.mps.is_available()

# mistake file -> (exercise that loses points, words the English feedback contains, accelerator only)
MISTAKES = {
    "mistake_conv_no_dilation.py": ("conv_output_size", ["forgot the dilation"], False),
    "mistake_conv_padding_once.py": ("conv_output_size", ["padding once"], False),
    "mistake_tinyvgg_hardcoded_flatten.py": ("TinyVGG", ["image_size", "hidden_units * (image_size // 4)**2"], False),
    "mistake_tinyvgg_missing_relu.py": ("TinyVGG", ["output differs", "ReLU"], False),
    "mistake_tinyvgg_softmax.py": ("TinyVGG", ["softmax", "return logits"], False),
    "mistake_loader_global_seed.py": ("make_loader", ["same seed", "torch.Generator"], False),
    "mistake_loader_drop_last.py": ("make_loader", ["last batch", "drop_last=False"], False),
    "mistake_loader_always_shuffles.py": ("make_loader", ["shuffle=False", "order"], False),
    "mistake_train_no_zero_grad.py": ("train_epoch", ["gradients pile up", "zero_grad"], False),
    "mistake_train_no_train_mode.py": ("train_epoch", ["eval mode", "model.train()"], False),
    "mistake_train_percentage.py": ("train_epoch", ["percentage"], False),
    "mistake_train_batches_not_moved.py": ("train_epoch", ["device"], True),
    "mistake_evaluate_no_eval_mode.py": ("evaluate", ["train mode", "model.eval()"], False),
    "mistake_evaluate_tracks_gradients.py": ("evaluate", ["tracked gradients", "no_grad"], False),
    "mistake_fit_sgd.py": ("fit", ["Adam(model.parameters(), lr=lr)"], False),
    "mistake_fit_new_optimizer_each_epoch.py": ("fit", ["no new one per epoch"], False),
    "mistake_fit_model_not_moved.py": ("fit", ["device"], True),
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
    results = grade(zygote, tmp_path / "ws", (VARIANTS / "mistake_train_no_zero_grad.py").read_text(encoding="utf-8"),
                    device="cpu", lang="es")
    feedback = results[f"{TOPIC}/train_epoch"].feedback
    assert "se acumulan" in feedback and "zero_grad" in feedback, feedback
