"""The ``fc_nets`` grader (graders/test_fc_nets.py), judged from outside.

* The reference solution and correct solutions written in other styles
  (``tests/variants/fc_nets/correct_*.py``) get full marks.
* Each mistake of ``tests/variants/fc_nets/mistakes.py`` is the reference
  solution with ONE realistic mistake (a function or class replaced, a
  ``# MISTAKE`` comment on the line); it loses points on exactly the exercise
  below, every other exercise keeps full marks, and its feedback names the
  problem. Mistakes that only an accelerator can reveal pass on a CPU.

Every submission is graded once, through the real engine
(:func:`torchdojo.check.check_workspace`), with one shared warm judge.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from variant_suite import build_mistake, load_mistakes

from torchdojo.check import check_workspace
from torchdojo.manifest import course
from torchdojo.report import PASSED
from torchdojo.judge.service import Judge

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "fc_nets.py"
VARIANTS = ROOT / "tests" / "variants" / "fc_nets"
EXERCISE_IDS = [e.id for e in course().topic("fc_nets").exercises]
HAS_ACCELERATOR = torch.cuda.is_available() or torch.backends.mps.is_available()


def grade(judge: Judge, workspace: Path, source: str, *, device: str = "cpu", lang: str = "en") -> dict:
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "fc_nets.py").write_text(source, encoding="utf-8")
    # One torch thread per grading child: the exercises' tensors are tiny, and on a
    # busy 2-core machine two OpenMP threads per child make them many times slower.
    report = check_workspace(workspace, ["fc_nets"], device=device, lang=lang, record=False,
                             judge=judge, threads=1)
    (topic,) = report.topics
    return {item.id: item for item in topic.exercises}


def assert_full_marks(results: dict) -> None:
    assert sorted(results) == sorted(EXERCISE_IDS)
    wrong = {i: (r.status, r.feedback) for i, r in results.items() if r.status != PASSED or r.score != r.max_score}
    assert not wrong, wrong


# -- correct solutions ------------------------------------------------------

CORRECT = sorted(p.name for p in VARIANTS.glob("correct_*.py"))


def test_there_are_correct_variants_in_several_styles():
    assert len(CORRECT) >= 4, CORRECT


def test_reference_solution_gets_full_marks(judge, tmp_path):
    # "auto": on a machine with a GPU, device exercises are graded there too.
    assert_full_marks(grade(judge, tmp_path / "ws", SOLUTION.read_text(encoding="utf-8"), device="auto"))


def test_reference_solution_full_marks_in_spanish(judge, tmp_path):
    assert_full_marks(grade(judge, tmp_path / "ws", SOLUTION.read_text(encoding="utf-8"), lang="es"))


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_full_marks(judge, tmp_path, name):
    assert_full_marks(grade(judge, tmp_path / "ws", (VARIANTS / name).read_text(encoding="utf-8"), device="auto"))


def test_stub_is_not_attempted(judge, tmp_path):
    results = grade(judge, tmp_path / "ws", (ROOT / "exercises" / "fc_nets.py").read_text(encoding="utf-8"))
    assert {i: r.status for i, r in results.items()} == {i: "not_attempted" for i in EXERCISE_IDS}


# -- one mistake each ---------------------------------------------------------

# mistake (tests/variants/fc_nets/mistakes.py) -> (exercise that must lose points,
# words that the English feedback must contain, whether only an accelerator reveals it)
MISTAKES = {
    "mistake_softmax_on_logits.py": ("FCNet", ['softmax', 'raw logits'], False),
    "mistake_relu_after_last_layer.py": ("FCNet", ['ReLU after the last layer'], False),
    "mistake_no_relu_between_layers.py": ("FCNet", ['ReLU between layers is missing'], False),
    "mistake_hidden_layers_without_bias.py": ("FCNet", ['parameters', 'bias'], False),
    "mistake_counts_frozen_parameters.py": ("count_parameters", ['requires_grad'], False),
    "mistake_counts_tensors_not_values.py": ("count_parameters", ['numel'], False),
    "mistake_step_without_zero_grad.py": ("train_step", ['zero_grad', 'stale gradients'], False),
    "mistake_step_without_optimizer_step.py": ("train_step", ['optimizer.step()'], False),
    "mistake_step_in_eval_mode.py": ("train_step", ['model.train()'], False),
    "mistake_step_returns_tensor.py": ("train_step", ['tensor', 'item()'], False),
    "mistake_step_returns_loss_after_step.py": ("train_step", ['after the step'], False),
    "mistake_accuracy_max_values_not_argmax.py": ("accuracy", ['argmax'], False),
    "mistake_accuracy_argmax_without_dim.py": ("accuracy", ['argmax without dim'], False),
    "mistake_accuracy_percentage.py": ("accuracy", ['percentage'], False),
    "mistake_predict_in_train_mode.py": ("predict_proba", ['model.eval()'], False),
    "mistake_predict_after_a_train_mode_forward.py": ("predict_proba", ['changed the model',
                                                                       'model.eval() before any forward pass'], False),
    "mistake_predict_tracks_gradients.py": ("predict_proba", ['requires_grad', 'no_grad'], False),
    "mistake_predict_returns_logits.py": ("predict_proba", ['softmax'], False),
    "mistake_predict_softmax_over_rows.py": ("predict_proba", ['wrong dimension'], False),
    "mistake_fit_line_defaults_too_small.py": ("fit_line", ['within 0.05', 'epochs'], False),
    "mistake_fit_line_without_zero_grad.py": ("fit_line", ['within 0.05'], False),
    "mistake_fit_line_returns_tensors.py": ("fit_line", ['tensor', '.item()'], False),
    "mistake_losses_as_tensors.py": ("train_classifier", ['tensor', 'loss.item()'], False),
    "mistake_losses_after_the_step.py": ("train_classifier", ['after each step'], False),
    "mistake_classifier_with_sgd.py": ("train_classifier", ['Adam'], False),
    "mistake_classifier_in_eval_mode.py": ("train_classifier", ['model.train()'], False),
    "mistake_classifier_without_zero_grad.py": ("train_classifier", ['zero_grad'], False),
    "mistake_classifier_trains_a_copy.py": ("train_classifier", ['in place'], False),
    "mistake_saves_whole_model.py": ("save_weights", ['weights_only=True', 'state_dict()'], False),
    "mistake_load_returns_load_state_dict.py": ("save_weights", ['return the model', 'load_state_dict'], False),
    # caught once the grader ran in the judge (wider inputs, layouts and side effects)
    "mistake_fcnet_squeezes_output.py": ("FCNet", ["squeeze()", "batch"], False),
    "mistake_count_iterates_layers.py": ("count_parameters", ["not every model is an nn.Sequential",
                                                              "model.parameters()"], False),
    "mistake_step_ignores_loss_fn.py": ("train_step", ["not the loss_fn it was given"], False),
    "mistake_predict_leaves_grad_off.py": ("predict_proba", ["gradient tracking switched off",
                                                             "with torch.no_grad():"], False),
    "mistake_fit_line_unseeded.py": ("fit_line", ["same seed", "torch.manual_seed(seed)"], False),
    "mistake_fit_line_fixed_seed.py": ("fit_line", ["must set the initial weights", "not a fixed number"], False),
    "mistake_classifier_extra_forward.py": ("train_classifier", ["BatchNorm's running statistics",
                                                                 "one forward pass per epoch"], False),
    "mistake_classifier_picks_its_device.py": ("train_classifier", ["the model's parameters", "device"], True),
}


def test_mistake_table_and_expectations_agree():
    assert sorted(load_mistakes("fc_nets")) == sorted(MISTAKES)
    assert all(m["what"] and m["replace"] for m in load_mistakes("fc_nets").values())
    names = {e.name for e in course().topic("fc_nets").exercises}
    assert {exercise for exercise, _, _ in MISTAKES.values()} == names  # every exercise has a mistake it catches


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_one_mistake_costs_exactly_one_exercise(judge, tmp_path, mistake):
    exercise, words, accelerator_only = MISTAKES[mistake]
    results = grade(judge, tmp_path / "ws", build_mistake("fc_nets", mistake))
    if accelerator_only and not HAS_ACCELERATOR:
        assert_full_marks(results)  # a CPU cannot tell where a tensor would have been
        return
    failing = f"fc_nets/{exercise}"
    lost = sorted(i for i, r in results.items() if r.score < r.max_score)
    assert lost == [failing], {i: (r.status, r.feedback) for i, r in results.items() if i in lost}
    item = results[failing]
    assert item.status == "failed", (item.status, item.feedback)
    for word in words:
        assert word in item.feedback, (word, item.feedback)
    for other in EXERCISE_IDS:
        if other != failing:
            assert results[other].status == PASSED and results[other].score == results[other].max_score


def test_feedback_is_in_spanish_too(judge, tmp_path):
    results = grade(judge, tmp_path / "ws", build_mistake("fc_nets", "mistake_step_without_zero_grad.py"), lang="es")
    assert "gradientes viejos no se borraron" in results["fc_nets/train_step"].feedback
