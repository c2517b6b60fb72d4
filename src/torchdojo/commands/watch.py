"""``torchdojo watch [TOPIC] [-w DIR]``: grade again on every save.

The workspace's ``.py`` and ``.ipynb`` files are polled (their modification time
and size, every 0.2 s, with the standard library: no file-watching dependency).
A change to ``<module>.py`` or ``<module>.ipynb`` re-grades that topic; a change
to any other ``.py`` (a helper module that submissions import) re-grades every
watched topic. One grading process stays alive the whole time, so torch and the
graders are imported once and a save costs only the grading itself. Ctrl-C ends
it cleanly.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from torchdojo.check import DEVICES, check_workspace, resolve_targets
from torchdojo.commands._common import add_workspace
from torchdojo.console import make_console
from torchdojo.errors import UserError
from torchdojo.i18n import pick
from torchdojo.manifest import Topic, course
from torchdojo.render.terminal import print_topic
from torchdojo.judge.service import Judge

Snapshot = dict[Path, tuple[int, int]]
SUFFIXES = (".py", ".ipynb")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("watch", help="grade again on every save / califica de nuevo al guardar",
                       description="Grade TOPIC (default: every topic) now and again after every save of a "
                                   ".py or .ipynb file in the workspace. Ctrl-C to stop.")
    p.add_argument("topic", nargs="?", metavar="TOPIC", help="the topic to watch (default: every topic)")
    add_workspace(p)
    p.add_argument("--device", choices=DEVICES, default="auto",
                   help="auto: CPU and every accelerator present; or only cpu, cuda or mps")
    p.add_argument("--interval", type=float, default=0.2, metavar="S",
                   help="seconds between two looks at the files (default: 0.2)")
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


def _grade(judge: Judge, folder: Path, topics: list[Topic], args: argparse.Namespace) -> None:
    console = make_console()
    for topic in topics:
        start = time.perf_counter()
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
    folder = Path(args.workspace)
    if not folder.is_dir():
        raise UserError(f"workspace '{folder}' is not a folder (create one with 'torchdojo start {folder}')")
    if args.interval <= 0:
        raise UserError("--interval must be a positive number of seconds")
    watched = [t for t, _ in resolve_targets(course(), [args.topic] if args.topic else None)]
    judge = Judge()
    try:
        judge.start()
        before = snapshot(folder)
        _grade(judge, folder, watched, args)
        print(pick(args.lang, f"Vigilando {folder} (Ctrl-C para salir)", f"Watching {folder} (Ctrl-C to stop)"),
              flush=True)
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
        print(pick(args.lang, "\nFin de la vigilancia.", "\nStopped watching."), flush=True)
        return 0
    finally:
        judge.close()
