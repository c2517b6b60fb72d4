"""What a learner names on the command line: ``TOPIC`` or ``TOPIC/EXERCISE``.

The same rules and messages for every verb that takes them (``hint``,
``solution``, ``watch``, ``check``), decided once by :func:`topics`: what it
returns is carried to the grading engine, never resolved again.
"""

from __future__ import annotations

from torchdojo.text.errors import UserError
from torchdojo.course.manifest import Course, Exercise, Topic


def exercise(value: str, the_course: Course) -> Exercise:
    """``tensors/seeded_rand`` -> the exercise, or a one-line error."""
    topic_id, sep, name = value.partition("/")
    if not sep or not name:
        raise UserError("'{value}' is not an exercise id: use TOPIC/EXERCISE, e.g. tensors/seeded_rand", value=value)
    topic = exercise_topic(topic_id, the_course)
    try:
        return topic.exercise(name)
    except KeyError:
        names = ", ".join(e.name for e in topic.exercises)
        raise UserError("unknown exercise '{value}' (exercises of {topic}: {names})",
                        value=value, topic=topic_id, names=names) from None


def exercise_topic(topic_id: str, the_course: Course) -> Topic:
    """The topic ``topic_id``, which must have exercises, or a one-line error."""
    try:
        topic = the_course.topic(topic_id)
    except KeyError:
        known = ", ".join(t.id for t in the_course.exercise_topics)
        raise UserError("unknown topic '{topic}' (topics with exercises: {known})",
                        topic=topic_id, known=known) from None
    if not topic.module:
        raise UserError("topic '{topic}' has only a quiz: use 'torchdojo quiz {topic}'", topic=topic_id)
    return topic


def topics(the_course: Course, targets: list[str] | None) -> list[tuple[Topic, list[Exercise]]]:
    """``["tensors", "fc_nets/FCNet"]`` -> topics with the exercises asked for, in course order.

    No targets means every topic with exercises, each with all its exercises.
    """
    chosen: dict[str, set[str] | None] = {}
    for target in targets or []:
        if "/" in target:
            ex = exercise(target, the_course)
            topic_id = target.partition("/")[0]
            names = chosen.setdefault(topic_id, set())
            if names is not None:
                names.add(ex.name)
        else:
            chosen[exercise_topic(target, the_course).id] = None
    if not targets:
        chosen = {t.id: None for t in the_course.exercise_topics}
    out = []
    for t in the_course.exercise_topics:
        if t.id in chosen:
            names = chosen[t.id]
            out.append((t, [e for e in t.exercises if names is None or e.name in names]))
    return out
