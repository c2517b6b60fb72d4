"""Run a lesson's examples, in order, in one namespace, as a reader would.

The tests run every lesson this way and compare what each example prints with its
``output`` block. Maintainers write a new ``output`` block from what this prints::

    python -m torchdojo.course.lessons.examples tensors
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass

from torchdojo.course.lessons.model import Example, Lesson


@dataclass(frozen=True)
class ExampleRun:
    """What one example did."""

    example: Example
    stdout: str
    #: The traceback, when the example raised.
    error: str | None

    @property
    def ok(self) -> bool:
        """No exception, and the printed text equals the ``output`` block (when there is one)."""
        return self.error is None and (self.example.output is None or self.stdout == self.example.output)


def run_examples(lesson: Lesson) -> list[ExampleRun]:
    """Run every example of ``lesson`` in a fresh namespace, inside a temporary working folder.

    They run on one thread. The global random state of torch and its thread count are restored
    afterwards, so running a lesson leaves its caller as it was. Stops at the
    first example that raises (the ones after it would fail for that reason).
    """
    namespace: dict = {"__name__": f"lesson_{lesson.topic}"}
    runs: list[ExampleRun] = []
    import torch  # the examples use it; imported here so that its random state can be restored

    state = torch.random.get_rng_state()
    threads = torch.get_num_threads()
    # The examples are tiny: one thread runs them fastest, and on a busy machine more threads only wait.
    torch.set_num_threads(1)
    cwd = os.getcwd()
    try:
        with tempfile.TemporaryDirectory(prefix="torchdojo-lesson-") as tmp:
            os.chdir(tmp)
            for example in lesson.examples:
                out = io.StringIO()
                error = None
                try:
                    code = compile(example.code, f"{lesson.source}:{example.line + 1}", "exec")
                    with contextlib.redirect_stdout(out):
                        exec(code, namespace)
                except Exception:  # noqa: BLE001 - reported to the caller, with its traceback
                    error = traceback.format_exc()
                runs.append(ExampleRun(example, out.getvalue(), error))
                if error is not None:
                    break
    finally:
        os.chdir(cwd)
        torch.random.set_rng_state(state)
        torch.set_num_threads(threads)
    return runs


def main(argv: list[str] | None = None) -> int:
    """Print what each example of the given topics' lessons prints; exit 1 if one fails."""
    from torchdojo.course.lessons import lesson_topics, load_lesson

    topics = (argv if argv is not None else sys.argv[1:]) or lesson_topics()
    failed = False
    for topic in topics:
        for run in run_examples(load_lesson(topic)):
            status = "ok" if run.ok else "FAILED"
            print(f"--- {topic} {run.example.line}: {status}")
            print(run.stdout, end="")
            if run.error:
                print(run.error, end="")
            elif not run.ok:
                print(f"--- expected:\n{run.example.output}", end="")
            failed |= not run.ok
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
