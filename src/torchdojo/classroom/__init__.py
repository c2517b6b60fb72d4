"""Grading a whole class: ``torchdojo grade``.

* :mod:`layout` finds each student's files (folder per student, nbgrader's
  ``submitted/<student>/<assignment>/``, or a ``.zip`` of either);
* :mod:`gradebook` keeps results in SQLite, one transaction per graded file, so a
  killed run resumes without losing or recounting anything;
* :mod:`executor` grades on warm zygotes, one per worker, in parallel;
* :mod:`batch` ties them together (``grade_class``);
* :mod:`exports` writes grades.csv, grades.json, feedback, Gradescope results and
  report.html.
"""
