"""Running untrusted student code.

Three processes, so that student code never runs where limits are enforced:

* the **caller** (CLI or API, no torch needed) starts a zygote and sends it jobs
  (:mod:`torchdojo.sandbox.client`);
* the **zygote** imports torch, pytest and the grading modules once, never runs a
  torch op (fork after OpenMP work deadlocks the child), and for each job forks
  a child, watches its wall clock and memory, and kills its whole process group
  and every orphan it left (:mod:`torchdojo.sandbox.zygote`,
  :mod:`torchdojo.sandbox.runner`);
* the **child** applies resource limits, moves into a private temp folder,
  imports the submission by path and runs the hidden pytest grader in-process,
  reporting over a private pipe (:mod:`torchdojo.sandbox.child`).

The threat model is in ``docs/sandbox.md``.
"""
