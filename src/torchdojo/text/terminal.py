"""A report on the terminal: status, points, and what was expected vs what came back."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from torchdojo.text.i18n import N_, tr
from torchdojo.wire.report import NOT_ATTEMPTED_MSGID
from torchdojo.wire.report import Report, TopicResult

STYLE = {
    "passed": ("✔", "green"),
    "failed": ("✘", "red"),
    "not_attempted": ("·", "dim"),
    "error": ("!", "red"),
    "timeout": ("⧗", "yellow"),
    "crashed": ("☠", "magenta"),
}
#: Each status's label, a message of the catalog.
STATUS = {
    "passed": N_("passed"),
    "failed": N_("failed"),
    "not_attempted": N_("not attempted"),
    "error": N_("error"),
    "timeout": N_("timeout"),
    "crashed": N_("crashed"),
}


def status_label(status: str, lang: str) -> str:
    """The label of a result status in ``lang``."""
    return tr(lang, STATUS[status]) if status in STATUS else status


def _points(x: float) -> str:
    return f"{x:g}"


def print_topic(console: Console, topic: TopicResult, lang: str, title: str = "") -> None:
    head = title or topic.topic
    console.print(f"[bold]{escape(head)}[/bold]  {_points(topic.score)}/{_points(topic.max_score)}"
                  + (f"  [dim]({escape(topic.source)})[/dim]" if topic.source else ""))
    width = max((len(e.id) for e in topic.exercises), default=10)

    def worth_a_line(item) -> bool:
        # The stub's own "not attempted" adds nothing to the label; other reasons
        # (no file handed in) are worth a line.
        return bool(item.feedback) and item.status != "passed" and item.feedback != tr(lang, NOT_ATTEMPTED_MSGID)

    # One cause shared by several exercises (a syntax error, a missing file) is said
    # once, under the list, not once per exercise.
    counts: dict[str, int] = {}
    for item in topic.exercises:
        if worth_a_line(item):
            counts[item.feedback] = counts.get(item.feedback, 0) + 1
    for item in topic.exercises:
        mark, colour = STYLE.get(item.status, ("?", "white"))
        label = status_label(item.status, lang)
        console.print(f"  [{colour}]{mark} {escape(item.id.ljust(width))}[/{colour}]  "
                      f"{_points(item.score)}/{_points(item.max_score)}  [{colour}]{label}[/{colour}]")
        if worth_a_line(item) and counts[item.feedback] == 1:
            console.print(f"      [dim]{escape(item.feedback)}[/dim]")
    for text, n in counts.items():
        if n > 1:
            console.print("  " + escape(tr(lang, "all {count} exercises above: {reason}", count=n, reason=text)
                                        if n == len(topic.exercises) else
                                        tr(lang, "{count} exercises above: {reason}", count=n, reason=text)))
    for note in topic.notes:
        console.print(f"  [yellow]{escape(note)}[/yellow]")


def print_report(console: Console, report: Report, lang: str, titles: dict[str, str] | None = None) -> None:
    for topic in report.topics:
        print_topic(console, topic, lang, (titles or {}).get(topic.topic, ""))
        console.print()
    done = sum(1 for t in report.topics for e in t.exercises if e.status == "passed")
    total = sum(len(t.exercises) for t in report.topics)
    console.print(f"[bold]Total: {_points(report.score)}/{_points(report.max_score)}[/bold]  ("
                  + tr(lang, "{done} of {total} exercises passed", done=done, total=total) + ")")
