"""A report on the terminal: status, points, and what was expected vs what came back."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from torchdojo.report import NOT_ATTEMPTED_TEXT
from torchdojo.i18n import pick
from torchdojo.report import Report, TopicResult

STYLE = {
    "passed": ("✔", "green"),
    "failed": ("✘", "red"),
    "not_attempted": ("·", "dim"),
    "error": ("!", "red"),
    "timeout": ("⧗", "yellow"),
    "crashed": ("☠", "magenta"),
}
LABEL = {
    "passed": ("correcto", "passed"),
    "failed": ("incorrecto", "failed"),
    "not_attempted": ("sin hacer", "not attempted"),
    "error": ("error", "error"),
    "timeout": ("tiempo agotado", "timeout"),
    "crashed": ("proceso caído", "crashed"),
}


def _points(x: float) -> str:
    return f"{x:g}"


def print_topic(console: Console, topic: TopicResult, lang: str, title: str = "") -> None:
    head = title or topic.topic
    console.print(f"[bold]{escape(head)}[/bold]  {_points(topic.score)}/{_points(topic.max_score)}"
                  + (f"  [dim]({escape(topic.source)})[/dim]" if topic.source else ""))
    width = max((len(e.id) for e in topic.exercises), default=10)
    for item in topic.exercises:
        mark, colour = STYLE.get(item.status, ("?", "white"))
        label = pick(lang, *LABEL.get(item.status, (item.status, item.status)))
        console.print(f"  [{colour}]{mark} {escape(item.id.ljust(width))}[/{colour}]  "
                      f"{_points(item.score)}/{_points(item.max_score)}  [{colour}]{label}[/{colour}]")
        # The stub's own "not attempted" adds nothing to the label; other reasons
        # (no file handed in) are worth a line.
        if item.feedback and item.status != "passed" and item.feedback not in NOT_ATTEMPTED_TEXT:
            console.print(f"      [dim]{escape(item.feedback)}[/dim]")
    for note in topic.notes:
        console.print(f"  [yellow]{escape(note)}[/yellow]")


def print_report(console: Console, report: Report, lang: str, titles: dict[str, str] | None = None) -> None:
    for topic in report.topics:
        print_topic(console, topic, lang, (titles or {}).get(topic.topic, ""))
        console.print()
    done = sum(1 for t in report.topics for e in t.exercises if e.status == "passed")
    total = sum(len(t.exercises) for t in report.topics)
    console.print(pick(lang, f"[bold]Total: {_points(report.score)}/{_points(report.max_score)}[/bold]  "
                             f"({done} de {total} ejercicios correctos)",
                       f"[bold]Total: {_points(report.score)}/{_points(report.max_score)}[/bold]  "
                       f"({done} of {total} exercises passed)"))
