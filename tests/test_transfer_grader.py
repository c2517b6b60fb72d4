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
    # fine_tune's accuracy bar runs the student's own helpers (the contract lets only it follow their bugs).
    OWN_HELPER_TESTS = {"fine_tune": ("test_fine_tune_learns_new_task",)}
    # Adam over a list of names fails it: mistake_trainable_names.py says ``"follows": "fine_tune"``
    # in tests/variants/transfer_learning/mistakes.py.
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
