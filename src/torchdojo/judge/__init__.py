"""The judge side: everything that decides a grade, in processes that never run student code.

* :mod:`~torchdojo.judge.service` - the caller's handle on a warm judge (no torch needed);
* :mod:`~torchdojo.judge.server` - the warm judge: forks a judge child per job;
* :mod:`~torchdojo.judge.run` - one job: student process, hidden grader, verdicts;
* :mod:`~torchdojo.judge.session` - the student process seen from the judge (clocks, watchdog);
* :mod:`~torchdojo.judge.remote` - what graders hold: module proxy, handles, the lab bench;
* :mod:`~torchdojo.judge.plugin` - the pytest plugin that records verdicts;
* :mod:`~torchdojo.judge.compare`, :mod:`~torchdojo.judge.feedback`, :mod:`~torchdojo.judge.helpers`,
  :mod:`~torchdojo.judge.props`, :mod:`~torchdojo.judge.seeding` - the graders' vocabulary;
* :mod:`~torchdojo.judge.aggregate` - verdicts to per-exercise results (in the caller).
"""
