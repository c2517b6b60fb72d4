"""``torchdojo watch [TOPIC] [-w DIR]``: grade again on every save.

The workspace's ``.py`` and ``.ipynb`` files are polled (their modification time
and size, every 0.2 s, with the standard library: no file-watching dependency).
A change to ``<module>.py`` or ``<module>.ipynb`` re-grades that topic; a change
to any other ``.py`` (a helper module that submissions import) re-grades every
watched topic. One grading process stays alive the whole time, so torch and the
graders are imported once and a save costs only the grading itself. Ctrl-C ends
it (exit status 130, as every verb).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torchdojo.cli.common import EXIT_INTERRUPTED, add_workspace
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr
from torchdojo.wire.job import DEVICE_CHOICES

if TYPE_CHECKING:
    from torchdojo.course.manifest import Topic

Snapshot = dict[Path, tuple[int, int]]
SUFFIXES = (".py", ".ipynb")


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("watch", help=tr(lang, "grade again on every save"),
                       description=tr(lang, "Grade TOPIC (default: every topic) now and again after every save "
                                            "of a .py or .ipynb file in the workspace. Ctrl-C to stop."))
    p.add_argument("topic", nargs="?", metavar="TOPIC", help=tr(lang, "the topic to watch (default: every topic)"))
    add_workspace(p, lang)
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto",
                   help=tr(lang, "auto: CPU and every accelerator present; or only cpu, cuda or mps"))
    p.add_argument("--interval", type=float, default=0.2, metavar="S",
                   help=tr(lang, "seconds between two looks at the files (default: 0.2)"))
    p.set_defaults(func=run)


def snapshot(folder: Path) -> Snapshot:
    """Modification time and size of the workspace's gradable files (hidden and temp files skipped)."""
    out: Snapshot = {}
    for path in folder.iterdir():
        if path.suffix in SUFFIXES and not path.name.startswith((".", "~")):
            try:
                st = path.stat()
            except OSError:
                continue  # removed between listing and stat
            out[path] = (st.st_mtime_ns, st.st_size)
    return out


def changed(before: Snapshot, after: Snapshot) -> set[Path]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def topics_to_grade(paths_changed: set[Path], watched: list[Topic]) -> list[Topic]:
    """The watched topics a change concerns, in course order."""
    modules = {t.module_name: t for t in watched}
    if any(p.stem not in modules for p in paths_changed if p.suffix == ".py"):
        return list(watched)  # a helper module: any topic may import it
    stems = {p.stem for p in paths_changed}
    return [t for t in watched if t.module_name in stems]


def _grade(judge: Any, folder: Path, topics: list[Topic], args: argparse.Namespace) -> None:
    from torchdojo.learner.check import check_workspace
    from torchdojo.text.console import make_console
    from torchdojo.text.terminal import print_topic

    console = make_console()
    for topic in topics:
        start = time.perf_counter()
        if judge is None:  # the student edition: its public tests, no grading process
            from torchdojo.learner.public_tests import run_public_check

            run_public_check(folder, [topic.id], args.lang)
            sys.stdout.flush()
            continue
        report = check_workspace(folder, [topic.id], device=args.device, lang=args.lang, judge=judge)
        result = report.topics[0]
        stamp = time.strftime("%H:%M:%S")
        console.print(f"[dim]── {stamp}[/dim]")
        print_topic(console, result, args.lang, topic.title.get(args.lang))
        # One stable summary line per result, easy to spot (and to wait for in tests).
        console.print(f"⟳ {topic.id} {result.score:g}/{result.max_score:g} "
                      f"({result.source or '-'}, {time.perf_counter() - start:.2f} s)")
        sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    from torchdojo.course import edition
    from torchdojo.course.manifest import course
    from torchdojo.course import targets
    from torchdojo.learner.workspace import find_workspace, require_work

    folder = find_workspace(args.workspace)
    if args.interval <= 0:
        raise UserError("--interval must be a positive number of seconds")
    watched = [t for t, _ in targets.topics(course(), [args.topic] if args.topic else None)]
    require_work(folder, watched)
    if edition.is_student():
        judge = None
    else:
        from torchdojo.judge.service import Judge

        judge = Judge()
    try:
        if judge is not None:
            judge.start()
        before = snapshot(folder)
        _grade(judge, folder, watched, args)
        print(tr(args.lang, "Watching {path} (Ctrl-C to stop)", path=folder), flush=True)
        while True:
            time.sleep(args.interval)
            after = snapshot(folder)
            paths_changed = changed(before, after)
            if not paths_changed:
                continue
            time.sleep(0.05)  # let an editor finish writing before reading the file
            before = snapshot(folder)
            _grade(judge, folder, topics_to_grade(paths_changed, watched), args)
    except KeyboardInterrupt:
        if judge is not None:
            judge.kill()  # a grading in progress is abandoned at once
        print("\n" + tr(args.lang, "Stopped watching."), flush=True)
        return EXIT_INTERRUPTED  # Ctrl-C is how watch ends, and it ends as every verb does
    finally:
        if judge is not None:
            judge.close()
