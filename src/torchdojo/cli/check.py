"""``torchdojo check``: grade the learner's work in a workspace."""

from __future__ import annotations

import argparse

from torchdojo.cli.common import add_workspace
from torchdojo.text.i18n import tr
from torchdojo.wire.job import DEVICE_CHOICES
#: Statuses that are not failures: the exercise passed, or is still to do.
NOT_FAILURES = ("passed", "not_attempted")


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("check", help=tr(lang, "grade your exercises"),
                       description=tr(lang, "Grade TOPIC or TOPIC/EXERCISE (all topics when none is given). "
                                            "Exit status 0 when everything you attempted passed, 1 when "
                                            "something you attempted did not, 2 for bad input."))
    p.add_argument("targets", nargs="*", metavar="TOPIC[/EXERCISE]",
                   help=tr(lang, "what to check (default: everything)"))
    add_workspace(p, lang)
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto",
                   help=tr(lang, "auto: CPU and every accelerator present; or only cpu, cuda or mps"))
    p.add_argument("--json", action="store_true", help=tr(lang, "print the torchdojo.report/2 JSON document"))
    p.set_defaults(func=run)


def exit_status(report) -> int:
    """0 when every exercise was passed or not attempted yet; 1 when an attempted one did not pass."""
    statuses = {e.status for t in report.topics for e in t.exercises}
    return 0 if statuses <= set(NOT_FAILURES) else 1


def run(args: argparse.Namespace) -> int:
    from torchdojo.course import edition, targets
    from torchdojo.course.manifest import course
    from torchdojo.learner.workspace import find_workspace, require_work

    plan = targets.topics(course(), args.targets)  # a mistyped target is told first, wherever one stands
    folder = find_workspace(args.workspace)
    require_work(folder, [topic for topic, _ in plan])
    if edition.is_student():
        from torchdojo.learner.public_tests import run_public_check

        return run_public_check(folder, args.targets, args.lang, as_json=args.json)
    from torchdojo.learner.check import check_workspace

    def import_the_report() -> None:
        import torchdojo.text.console  # noqa: F401 - rich: a twentieth of a second, not on the way to the grade
        import torchdojo.text.terminal  # noqa: F401

    report = check_workspace(folder, args.targets, device=args.device, lang=args.lang, plan=plan,
                             meanwhile=None if args.json else import_the_report)
    if args.json:
        print(report.to_json())
    else:
        from torchdojo.text.console import make_console
        from torchdojo.text.terminal import print_report

        titles = {t.id: t.title.get(args.lang) for t in course().topics}
        print_report(make_console(), report, args.lang, titles)
    return exit_status(report)
