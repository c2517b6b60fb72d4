"""Time bounds for the class steps that run after grading (copy detection, item analysis, each export).

A step that does not finish in its time is abandoned (its thread is left to
end on its own; it holds no lock the run needs): the run goes on, writes every
other output, and says which step did not finish. A step that fails says why.
Nothing a step does can stop the others.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from torchdojo.text.i18n import N_

# English catalog messages kept as text (the report's step notes), translated where the report shows them.
N_UNFINISHED = N_("{what} did not finish within {seconds} s")
N_FAILED = N_("{what} failed: {error}")
N_ITEM_ANALYSIS = N_("item analysis")
NOTES = (N_UNFINISHED, N_FAILED)

#: Seconds any one class step may take (copy detection, item analysis, each output file).
STEP_TIME_LIMIT_S = 300.0


class StepFailed(Exception):
    """A step that raised or did not finish in its time; the message is one line for the instructor."""


def bounded(fn: Callable[[], Any], what: str, seconds: float | None = None) -> Any:
    """``fn()`` in a thread, waited on for at most ``seconds`` (default :data:`STEP_TIME_LIMIT_S`).

    Returns what ``fn`` returns; raises :class:`StepFailed` with a one-line
    reason when it raised or did not finish in time.
    """
    limit = STEP_TIME_LIMIT_S if seconds is None else seconds
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the caller, in its thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name=f"torchdojo-{what}")
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        raise StepFailed(N_UNFINISHED.format(what=what, seconds=f"{limit:g}"))
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise exc
        text = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise StepFailed(N_FAILED.format(what=what, error=text[:300]))
    return box.get("value")
