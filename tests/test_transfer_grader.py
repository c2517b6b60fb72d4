"""The ``transfer_learning`` grader (graders/test_transfer_learning.py), judged from outside.

* The reference solution and correct solutions written in other styles
  (``tests/variants/transfer_learning/correct_*.py``) get full marks.
* Each mistake of ``tests/variants/transfer_learning/mistakes.py`` is the
  reference with ONE realistic mistake (a function replaced, a ``# MISTAKE``
  comment on the line); it loses points on exactly the exercise below, whose feedback names the
  problem. Data left on the CPU shows only where an accelerator is present.

Every submission is graded once, through the real engine
(:func:`torchdojo.learner.check.check_workspace`), with one shared warm judge.
"""

from __future__ import annotations

import pytest

from capture_attack import run_capture_attack
from variant_suite import VariantSuite


class TestTransferLearningVariants(VariantSuite):
    TOPIC = "transfer_learning"
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
        "mistake_trainable_named_pairs.py": ("trainable_parameters", ["list of parameters", "nn.Parameter"], False),
        "mistake_finetune_train_mode.py": ("fine_tune", ["BatchNorm statistics", "running_mean", "model.eval()"], False),
        "mistake_finetune_all_parameters.py": ("fine_tune", ["frozen parameters", "trainable_parameters(model)"], False),
        "mistake_finetune_unfreezes.py": ("fine_tune", ["changed frozen parameters"], False),
        "mistake_finetune_sgd.py": ("fine_tune", ["uses SGD", "Adam"], False),
        "mistake_finetune_data_not_moved.py": ("fine_tune", ["device"], True),
        # Caught since the grader tries every layout and recomputes fine_tune's training:
        "mistake_freeze_children_only.py": ("freeze", ["1 of 9 parameters still require gradients", "layer_scale",
                                                       "model.children() does not"], False),
        "mistake_head_first_linear.py": ("replace_head", ["nn.Sequential VGG", "in place of the last layer"], False),
        "mistake_build_freeze_features_only.py": ("build_transfer_model", ["AttributeError", "features"], False),
        "mistake_trainable_children_only.py": ("trainable_parameters", ["missing ['layer_scale']",
                                                                        "belongs to the model itself"], False),
        "mistake_finetune_no_zero_grad.py": ("fine_tune", ["gradients pile up", "optimizer.zero_grad()"], False),
        "mistake_finetune_sums_batch_losses.py": ("fine_tune", ["the sum of its 2 mini-batches' losses",
                                                                "their mean was expected"], False),
        "mistake_finetune_classifier_parameters.py": ("fine_tune", ["AttributeError", "classifier"], False),
        "mistake_finetune_adam_each_epoch.py": ("fine_tune", ["new Adam every epoch", "before the loop"], False),
    }
    # fine_tune's accuracy bar runs the student's own helpers (the contract lets only it follow their bugs).
    OWN_HELPER_TESTS = {"fine_tune": ("test_fine_tune_learns_new_task",)}
    # Adam over a list of names fails it.
    FOLLOWS = {"mistake_trainable_names.py": "fine_tune"}
    SPANISH = ("mistake_finetune_train_mode.py", "fine_tune", ["estadísticas de BatchNorm", "model.eval()"])


@pytest.mark.process
def test_nothing_lent_solves_freeze_replace_head_or_trainable_parameters(grade):
    """A submission with empty freeze, replace_head and trainable_parameters that captures every source text in
    its process while build_transfer_model and fine_tune are graded, and re-uses it on a rerun, gains nothing
    on them, and sees no line of the solution's helpers."""
    callers = {
        "build_transfer_model": """
def build_transfer_model(backbone, num_classes):
    for call in (lambda: freeze(backbone), lambda: replace_head(backbone, num_classes)):
        try:
            call()
        except BaseException:
            pass
    _report_capture()
""",
        "fine_tune": """
def fine_tune(model, X, y, *, epochs, lr, device):
    try:
        trainable_parameters(model)
    except BaseException:
        pass
    _report_capture()
""",
    }
    run_capture_attack(grade, "transfer_learning", ("freeze", "replace_head", "trainable_parameters"), callers,
                       "build_transfer_model")
