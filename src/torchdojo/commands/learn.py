"""``torchdojo learn [TOPIC] [--part ID]``: read a topic's lesson in the terminal."""

from __future__ import annotations

import argparse

from torchdojo.console import make_console
from torchdojo.errors import UserError
from torchdojo.i18n import pick
from torchdojo.manifest import course


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learn", help="read a lesson / lee una lección",
                       description="Show the lesson of TOPIC (rich Markdown), in the course language. "
                                   "Without TOPIC, list the lessons and their parts.")
    p.add_argument("topic", metavar="TOPIC", nargs="?", help="a topic id, e.g. tensors")
    p.add_argument("--part", metavar="ID", help="only this part of the lesson (ids: torchdojo learn)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from torchdojo.lessons import lesson_topics, load_lesson
    from torchdojo.lessons.render import lesson_markdown, terminal_link

    the_course = course()
    topics = lesson_topics(the_course)
    console = make_console()
    if args.topic is None:
        if args.part:
            raise UserError(pick(args.lang, "--part necesita un TEMA: torchdojo learn TEMA --part ID",
                                 "--part needs a TOPIC: torchdojo learn TOPIC --part ID"))
        for topic_id in topics:
            lesson = load_lesson(topic_id, the_course=the_course)
            console.print(f"[bold]{topic_id}[/bold] · {the_course.topic(topic_id).title.get(args.lang)}")
            for part in lesson.parts:
                console.print(f"  {part.id:<28} {part.heading(args.lang)}", markup=False)
        console.print(pick(args.lang, "[dim]Lee una lección: torchdojo learn TEMA [--part ID][/dim]",
                           "[dim]Read a lesson: torchdojo learn TOPIC [--part ID][/dim]"))
        return 0
    if args.topic not in topics:
        known = ", ".join(topics) or "none"
        raise UserError(pick(args.lang, f"no hay lección para el tema '{args.topic}' (temas: {known})",
                             f"no lesson for topic '{args.topic}' (topics: {known})"))
    lesson = load_lesson(args.topic, the_course=the_course)
    parts = lesson.parts
    if args.part is not None:
        try:
            parts = (lesson.part(args.part),)
        except KeyError:
            ids = ", ".join(p.id for p in lesson.parts)
            raise UserError(pick(args.lang, f"la lección {args.topic} no tiene la parte '{args.part}' (partes: {ids})",
                                 f"the {args.topic} lesson has no part '{args.part}' (parts: {ids})")) from None
    from rich.markdown import Markdown

    text = lesson_markdown(lesson, the_course.topic(args.topic).title, args.lang, terminal_link(args.lang), parts)
    # Wrapped to the terminal's width (the default console keeps long lines whole, which crops list items).
    console.print(Markdown(text, code_theme="ansi_dark", hyperlinks=False), soft_wrap=False)
    return 0
