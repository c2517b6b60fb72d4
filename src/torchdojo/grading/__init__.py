"""What hidden graders use: feedback, pinned comparisons and the pytest plugin.

A grader is a plain pytest file ``graders/test_<topic>.py``. Vocabulary:

* ``@pytest.mark.exercise("name")`` - the exercise a test counts for (required);
* ``@pytest.mark.weight(w)`` - its share of the exercise's points (default 1);
* ``@pytest.mark.hidden`` - a hidden test: its feedback is withheld from students
  in batch feedback (self-learners see it);
* ``@pytest.mark.hint(es=..., en=...)`` - a hint shown when this test fails;
* fixture ``student`` - the student's module (a missing name is reported as such);
* fixture ``device`` - for exercises marked ``device = true`` in ``course.toml``,
  each test runs once per grading device (``cpu``, ``cuda``, ``mps``).

Failures are raised with :func:`torchdojo.grading.feedback.fail` (both languages)
or the helpers of :mod:`torchdojo.grading.compare`.
"""
