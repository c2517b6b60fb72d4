"""``torchdojo check``: grade the learner's work in a workspace."""

from __future__ import annotations

import argparse

from torchdojo.check import DEVICES, check_workspace
from torchdojo.commands._common import add_workspace
from torchdojo.console import make_console
from torchdojo.manifest import course
from torchdojo.render.terminal import print_report


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="grade your exercises / califica tus ejercicios",
                       description="Grade TOPIC or TOPIC/EXERCISE (all topics when none is given).")
    p.add_argument("targets", nargs="*", metavar="TOPIC[/EXERCISE]", help="what to check (default: everything)")
    add_workspace(p)
    p.add_argument("--device", choices=DEVICES, default="auto",
                   help="auto: CPU and every accelerator present; or only cpu, cuda or mps")
    p.add_argument("--json", action="store_true", help="print the torchdojo.report/1 JSON document")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    report = check_workspace(args.workspace, args.targets, device=args.device, lang=args.lang)
    if args.json:
        print(report.to_json())
    else:
        titles = {t.id: t.title.get(args.lang) for t in course().topics}
        print_report(make_console(), report, args.lang, titles)
    all_passed = all(e.status == "passed" for t in report.topics for e in t.exercises)
    return 0 if all_passed else 1
