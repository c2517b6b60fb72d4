"""The ``fc_nets`` grader (graders/test_fc_nets.py), judged from outside (see ``variant_suite.py``).

* The reference solution and correct solutions written in other styles
  (``tests/variants/fc_nets/correct_*.py``) get full marks.
* Each mistake of ``tests/variants/fc_nets/mistakes.py`` is the reference
  solution with ONE realistic mistake; it fails exactly the exercise below,
  every other exercise keeps full marks, and its feedback names the problem.
  Mistakes that only an accelerator can reveal pass on a CPU.
"""

from __future__ import annotations

from variant_suite import VariantSuite


class TestFcNetsVariants(VariantSuite):
    TOPIC = "fc_nets"
    MISTAKE_STATUS = "failed"
    SPANISH = ("mistake_step_without_zero_grad.py", "train_step", ["gradientes viejos no se borraron"])
