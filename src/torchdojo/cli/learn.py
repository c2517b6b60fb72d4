"""``torchdojo learn [TOPIC] [--part ID]``: read a topic's lesson in the terminal."""

from __future__ import annotations

import argparse

from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("learn", help=tr(lang, "read a lesson"),
                       description=tr(lang, "Show the lesson of TOPIC (rich Markdown), in the course language. "
                                            "Without TOPIC, list the lessons and their parts."))
    p.add_argument("topic", metavar="TOPIC", nargs="?", help=tr(lang, "a topic id, e.g. tensors"))
    p.add_argument("--part", metavar="ID", help=tr(lang, "only this part of the lesson (ids: torchdojo learn)"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from torchdojo.text.console import make_console
    from torchdojo.course.lessons import lesson_topics, load_lesson
    from torchdojo.course.lessons.render import lesson_markdown, terminal_link
    from torchdojo.course.manifest import course

    the_course = course()
    topics = lesson_topics(the_course)
    console = make_console()
    if args.topic is None:
        if args.part:
            raise UserError("--part needs a TOPIC: torchdojo learn TOPIC --part ID")
        for topic_id in topics:
            lesson = load_lesson(topic_id, the_course=the_course)
            console.print(f"[bold]{topic_id}[/bold] · {the_course.topic(topic_id).title.get(args.lang)}")
            for part in lesson.parts:
                console.print(f"  {part.id:<28} {part.heading(args.lang)}", markup=False)
        console.print("[dim]" + escape(tr(args.lang, "Read a lesson: torchdojo learn TOPIC [--part ID]")) + "[/dim]")
        return 0
    if args.topic not in topics:
        raise UserError("no lesson for topic '{topic}' (topics: {known})", topic=args.topic,
                        known=", ".join(topics) or "-")
    lesson = load_lesson(args.topic, the_course=the_course)
    parts = lesson.parts
    if args.part is not None:
        try:
            parts = (lesson.part(args.part),)
        except KeyError:
            raise UserError("the {topic} lesson has no part '{part}' (parts: {ids})", topic=args.topic,
                            part=args.part, ids=", ".join(p.id for p in lesson.parts)) from None
    from rich.markdown import Markdown

    text = lesson_markdown(lesson, the_course.topic(args.topic).title, args.lang, terminal_link(args.lang), parts)
    # Wrapped to the terminal's width (the default console keeps long lines whole, which crops list items).
    console.print(Markdown(text, code_theme="ansi_dark", hyperlinks=False), soft_wrap=False)
    return 0
