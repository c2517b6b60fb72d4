"""The ``cnns`` grader (graders/test_cnns.py), judged from outside.

* The reference solution and correct solutions written in other styles
  (``tests/variants/cnns/correct_*.py``) get full marks.
* Each mistake of ``tests/variants/cnns/mistakes.py`` is the reference with ONE
  realistic mistake (a function replaced, a ``# MISTAKE`` comment on the line); it
  loses points on exactly the exercise below, whose feedback names the problem.
  Mistakes that only an accelerator can reveal (a batch or a model left on the
  CPU) lose points only where one is present; on a CPU-only machine they pass.

Every submission is graded once, through the real engine
(:func:`torchdojo.learner.check.check_workspace`), with one shared warm judge.
"""

from __future__ import annotations

import pytest

from capture_attack import run_capture_attack
from variant_suite import VariantSuite


class TestCnnsVariants(VariantSuite):
    TOPIC = "cnns"
    # fit's accuracy bar runs the student's own train_epoch and evaluate (the contract lets only it follow their bugs).
    OWN_HELPER_TESTS = {"fit": ("test_fit_reaches_accuracy_bar",)}
    # Training with gradients that pile up, or with gradient tracking left off by evaluate, fails it: those two
    # mistakes say ``"follows": "fit"`` in tests/variants/cnns/mistakes.py.
    SPANISH = ("mistake_train_no_zero_grad.py", "train_epoch", ["se acumulan", "zero_grad"])



@pytest.mark.process
def test_nothing_lent_while_fit_is_graded_solves_train_epoch_or_evaluate(grade):
    """A submission with empty train_epoch/evaluate that captures every source text in its process during fit,
    and re-uses what it captured on a rerun, gains nothing, and sees no line of the solution's helpers."""
    fit = r'''
def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        try:
            train_epoch(model, train_loader, loss_fn, optimizer, device)
            evaluate(model, test_loader, loss_fn, device)
        except BaseException:
            pass
    _report_capture()
'''
    run_capture_attack(grade, "cnns", ("train_epoch", "evaluate"), {"fit": fit}, "fit")
