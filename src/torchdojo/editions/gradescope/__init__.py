"""Grading on Gradescope: ``torchdojo gradescope build TOPIC... -o autograder.zip``.

* :mod:`bundle` writes the autograder zip Gradescope asks for: ``setup.sh`` and
  ``run_autograder`` at the root, plus a private copy of torchdojo (engine and
  course content, without reference solutions) under ``vendor/``;
* :mod:`autograder` is what ``run_autograder`` runs on Gradescope: it grades
  ``/autograder/submission`` exactly as ``torchdojo grade`` grades one student,
  and writes ``/autograder/results/results.json``.

``AUTOGRADER_ROOT`` (default ``/autograder``) moves the whole layout, so the
bundle can be tried on any machine (see ``docs/gradescope.md``).
"""

from torchdojo.editions.gradescope.bundle import build_bundle

__all__ = ["build_bundle"]
