"""The student side: everything that runs in the process that runs student code.

* :mod:`~torchdojo.student.zygote` - the warm parent that forks student processes;
* :mod:`~torchdojo.shared.confine` - namespaces, limits and Landlock;
* :mod:`~torchdojo.student.process` - a student process: confine, import, serve;
* :mod:`~torchdojo.student.loader` - importing a ``.py`` file or a notebook by path;
* :mod:`~torchdojo.student.server` - the fixed set of operations the judge may ask for;
* :mod:`~torchdojo.shared.recipes` - trusted builders and probes graders name.

Nothing here decides a grade, and nothing here imports the judge, the graders or
the course content: after Landlock the student process can read none of them.
"""
