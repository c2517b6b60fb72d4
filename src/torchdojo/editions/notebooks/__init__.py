"""Notebooks made from the course's single source (``solutions/*.py``).

* :mod:`~torchdojo.editions.notebooks.split` cuts a solution module into its parts
  (lesson text, setup code, one piece per exercise);
* :mod:`~torchdojo.text.nbjson` writes nbformat-v4 JSON deterministically;
* :mod:`~torchdojo.editions.notebooks.build` makes the learner's notebooks
  (``exercises/notebooks/<topic>.ipynb``), kept in sync by
  ``scripts/sync_content.py``;
* :mod:`~torchdojo.editions.notebooks.nbgrader_source` makes nbgrader source notebooks
  (with :mod:`~torchdojo.editions.notebooks.quizcells` for the quiz questions).

The student release (:mod:`torchdojo.editions.release`) ships the learner notebooks.

Checking from inside a running notebook is :mod:`torchdojo.learner.notebook` (singular).
"""
