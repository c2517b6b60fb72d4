"""Options and lookups shared by several verbs."""

from __future__ import annotations

import argparse
import os

from torchdojo.errors import UserError
from torchdojo.manifest import Course, Exercise, course


def add_workspace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", "-w", default=os.environ.get("TORCHDOJO_WORKSPACE", "."),
                        help="the learner's workspace folder (default: TORCHDOJO_WORKSPACE or the current folder)")


def exercise_arg(value: str, the_course: Course | None = None) -> Exercise:
    """``tensors/seeded_rand`` -> the exercise, or a one-line error."""
    the_course = the_course or course()
    topic_id, sep, name = value.partition("/")
    if not sep or not name:
        raise UserError(f"'{value}' is not an exercise id: use TOPIC/EXERCISE, e.g. tensors/seeded_rand")
    try:
        topic = the_course.topic(topic_id)
    except KeyError:
        raise UserError(f"unknown topic '{topic_id}'") from None
    try:
        return topic.exercise(name)
    except KeyError:
        names = ", ".join(e.name for e in topic.exercises) or "none"
        raise UserError(f"unknown exercise '{value}' (exercises of {topic_id}: {names})") from None
