"""A lesson in one language, as Markdown for a file, a notebook or the terminal.

The three differ only in how a figure is shown: a relative link to the SVG file
(the release), the SVG inlined as a ``data:`` URL (notebooks, which travel alone),
or a line with the figure's description and path (the terminal cannot draw it).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from torchdojo.course import paths
from torchdojo.course.lessons.model import FURTHER, Lesson, Part
from torchdojo.course.lessons.parse import OUTPUT
from torchdojo.course.manifest import Text

_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target>figures/[^)\s]+)\)")
_OUTPUT_FENCE = re.compile(rf"^```{OUTPUT}\s*$", re.MULTILINE)

#: ``(alt, target) -> Markdown``: how a figure appears.
FigureLink = Callable[[str, str], str]

OUTPUT_LABEL = Text(es="Salida:", en="Output:")


def file_link(alt: str, target: str) -> str:
    """The figure as a link relative to the lesson file (``figures/<name>.<lang>.svg``)."""
    return f"![{alt}]({target})"


def inline_link(alt: str, target: str) -> str:
    """The figure inlined as a ``data:`` URL, for a notebook that travels without the SVG files."""
    data = (paths.lessons_dir() / target).read_bytes()
    return f"![{alt}](data:image/svg+xml;base64,{base64.b64encode(data).decode('ascii')})"


def terminal_link(lang: str) -> FigureLink:
    """The figure as a line of text: its description and where the SVG file is."""
    label = Text(es="Figura", en="Figure").get(lang)

    def link(alt: str, target: str) -> str:
        return f"*[{label}: {alt}]* `{paths.lessons_dir() / target}`"

    return link


def part_markdown(part: Part, lang: str, figure: FigureLink = file_link) -> str:
    """One part in ``lang``: its heading (labelled when it goes beyond the notes) and its text."""
    text = part.text.get(lang)
    if part.further:
        heading, _, rest = text.partition("\n")
        text = f"## {FURTHER.get(lang)} · {heading.lstrip('#').strip()}\n{rest}"
    text = _OUTPUT_FENCE.sub(f"*{OUTPUT_LABEL.get(lang)}*\n\n```text", text)
    return _IMAGE.sub(lambda m: figure(m["alt"], m["target"]), text)


def lesson_markdown(lesson: Lesson, title: Text, lang: str, figure: FigureLink = file_link,
                    parts: tuple[Part, ...] | None = None) -> str:
    """The whole lesson (or ``parts`` of it) in ``lang``, under the topic's title."""
    chosen = lesson.parts if parts is None else parts
    body = "\n\n".join(part_markdown(p, lang, figure) for p in chosen)
    return f"# {title.get(lang)}\n\n{body}\n"
