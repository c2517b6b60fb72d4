"""Read and validate a lesson source (``lessons/<topic>.md``, ``docs/lesson-format.md``).

A lesson is Markdown with four kinds of marker, each an HTML comment alone on its
line (invisible where the Markdown is rendered)::

    <!-- lesson format_version=1 topic=tensors -->
    <!-- part id=what_is section=tensor prepares=tensor_info -->
    <!-- es -->
    ## ¿Qué es un tensor?
    ...
    <!-- en -->
    ## What is a tensor?
    ...
    <!-- part id=broadcasting further prepares=safe_matmul -->

Every error names the file and the line: ``lessons/tensors.md:42: part
'broadcasting': ...``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from torchdojo.course.lessons.model import Example, Lesson, LessonError, Part
from torchdojo.course.lessons.sections import Section
from torchdojo.course.manifest import Course, Text

FORMAT_VERSION = 1
LANGS = ("es", "en")
_MARKER = re.compile(r"^<!--\s*(?P<kind>[A-Za-z_]+)(?P<attrs>(?:\s+[^\s>]+)*)\s*-->\s*$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FENCE = re.compile(r"^```(?P<info>.*)$")
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target>[^)\s]*)\)")
_FIGURE = re.compile(r"^figures/(?P<name>[a-z][a-z0-9_]*)\.(?P<lang>es|en)\.svg$")
#: Code block languages: ``python`` blocks run, ``output`` blocks hold what the block before printed.
RUN, OUTPUT = "python", "output"
_PART_KEYS = {"id", "section", "prepares", "further"}


@dataclass
class _Block:
    info: str
    code: str
    line: int  # of the opening fence
    end: int = 0  # of the closing fence


class _Reader:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def fail(self, line: int | None, message: str, part: str | None = None) -> LessonError:
        where = f"{self.path}:{line}" if line else str(self.path)
        if part:
            message = f"part '{part}': {message}"
        return LessonError(f"{where}: {message}")


def _attrs(reader: _Reader, line_no: int, raw: str, allowed: set[str]) -> dict[str, str | bool]:
    out: dict[str, str | bool] = {}
    for token in raw.split():
        key, eq, value = token.partition("=")
        if key not in allowed:
            raise reader.fail(line_no, f"unknown attribute '{key}' (allowed: {', '.join(sorted(allowed))})")
        if key in out:
            raise reader.fail(line_no, f"attribute '{key}' given twice")
        out[key] = value if eq else True
    return out


def _code_key(code: str) -> list[tuple[int, str]]:
    """The code's tokens without comments and line breaks: what must match across languages."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type not in skip]


def _blocks(reader: _Reader, lines: list[tuple[int, str]], part: str, lang: str) -> list[_Block]:
    """The fenced code blocks of one language's text; checks headings, images and fences."""
    blocks: list[_Block] = []
    open_block: _Block | None = None
    body: list[str] = []
    for line_no, line in lines:
        fence = _FENCE.match(line)
        if open_block is not None:
            if fence and not fence["info"].strip():
                open_block.code = "\n".join(body) + ("\n" if body else "")
                open_block.end = line_no
                blocks.append(open_block)
                open_block, body = None, []
            else:
                body.append(line)
            continue
        if fence:
            open_block = _Block(fence["info"].strip().split(" ")[0] if fence["info"].strip() else "", "", line_no)
            continue
        if re.match(r"^#\s", line):
            raise reader.fail(line_no, "a part has no level-1 heading ('# ...'): the topic's title comes "
                                       "from course.toml; start the part with '## '", part)
        for m in _IMAGE.finditer(line):
            fig = _FIGURE.match(m["target"])
            if not fig:
                raise reader.fail(line_no, f"image '{m['target']}': a lesson shows only its own figures, "
                                           f"'figures/<name>.{lang}.svg'", part)
            if fig["lang"] != lang:
                raise reader.fail(line_no, f"image '{m['target']}' is in the {lang} text: use "
                                           f"'figures/{fig['name']}.{lang}.svg'", part)
            if not m["alt"].strip():
                raise reader.fail(line_no, f"image '{m['target']}' needs a description: ![description](...)", part)
            if not (reader.path.parent / m["target"]).is_file():
                raise reader.fail(line_no, f"no figure {reader.path.parent / m['target']} "
                                           f"(figures are drawn by 'python scripts/sync_content.py')", part)
    if open_block is not None:
        raise reader.fail(open_block.line, "code block never closed (a line with ``` alone)", part)
    text_at = dict(lines)
    previous: _Block | None = None
    for block in blocks:
        if block.info == OUTPUT and (previous is None or previous.info != RUN or any(
                text_at.get(n, "").strip() for n in range(previous.end + 1, block.line))):
            raise reader.fail(block.line, "an 'output' block comes right after the 'python' block whose "
                                          "output it shows (only blank lines between)", part)
        if block.info == RUN:
            try:
                ast.parse(block.code)
            except SyntaxError as exc:
                raise reader.fail(block.line + (exc.lineno or 0), f"example does not parse: {exc.msg}", part) from None
        previous = block
    return blocks


def _examples(reader: _Reader, blocks: list[_Block], part: str) -> tuple[Example, ...]:
    out = []
    for i, block in enumerate(blocks):
        if block.info == RUN:
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            output = nxt.code if nxt is not None and nxt.info == OUTPUT else None
            out.append(Example(block.code, output, block.line))
    return tuple(out)


def _section(reader: _Reader, lines: list[tuple[int, str]]) -> str:
    while lines and not lines[0][1].strip():
        lines.pop(0)
    while lines and not lines[-1][1].strip():
        lines.pop()
    return "\n".join(text for _, text in lines)


def parse_lesson(text: str, path: str | Path = "lesson.md") -> Lesson:
    """Parse a lesson's source and check its own structure (see :func:`check_lesson` for the rest)."""
    reader = _Reader(Path(path), text)
    in_fence, fence_line = False, 0
    header: dict[str, str | bool] | None = None
    parts_raw: list[dict] = []
    current: dict | None = None
    lang: str | None = None
    for i, line in enumerate(reader.lines, start=1):
        fence = _FENCE.match(line)
        if in_fence:
            if fence and not fence["info"].strip():
                in_fence = False
            current[lang].append((i, line))  # a fence only opens inside a language section
            continue
        marker = _MARKER.match(line)
        if marker is None and line.lstrip().startswith("<!--"):
            raise reader.fail(i, "the only HTML comments in a lesson are its markers: "
                                 "<!-- lesson ... -->, <!-- part ... -->, <!-- es -->, <!-- en -->")
        if marker is None:
            if header is None:
                if line.strip():
                    raise reader.fail(i, "a lesson starts with <!-- lesson format_version=1 topic=<id> -->")
                continue
            if current is None or lang is None:
                if line.strip():
                    what = "<!-- part ... -->" if current is None else "<!-- es -->"
                    raise reader.fail(i, f"text outside a language section: expected {what} first")
                continue
            if fence:
                in_fence, fence_line = True, i
            current[lang].append((i, line))
            continue
        kind = marker["kind"]
        if kind == "lesson":
            if header is not None:
                raise reader.fail(i, "a second <!-- lesson ... --> marker")
            header = _attrs(reader, i, marker["attrs"], {"format_version", "topic"})
            if header.get("format_version") != str(FORMAT_VERSION):
                raise reader.fail(i, f"format_version: must be {FORMAT_VERSION}, got {header.get('format_version')!r}")
            topic = header.get("topic")
            if not isinstance(topic, str) or not _ID.match(topic):
                raise reader.fail(i, f"topic: must be a topic id, got {topic!r}")
            continue
        if header is None:
            raise reader.fail(i, "a lesson starts with <!-- lesson format_version=1 topic=<id> -->")
        if kind == "part":
            if current is not None and lang != "en":
                raise reader.fail(i, "a part needs <!-- es --> and then <!-- en --> before the next part",
                                  current["id"])
            attrs = _attrs(reader, i, marker["attrs"], _PART_KEYS)
            pid = attrs.get("id")
            if not isinstance(pid, str) or not _ID.match(pid):
                raise reader.fail(i, f"id: must be a lower-case identifier, got {pid!r}")
            if any(p["id"] == pid for p in parts_raw):
                raise reader.fail(i, f"duplicate part id '{pid}'")
            further = attrs.get("further", False)
            section = attrs.get("section")
            if further is not True and further is not False:
                raise reader.fail(i, "'further' is a flag: write it without a value", pid)
            if bool(further) == (section is not None):
                raise reader.fail(i, "a part has either section=<id> (it teaches the notes) or the flag "
                                     "'further' (it goes beyond them), not both and not neither", pid)
            if section is not None and (not isinstance(section, str) or not _ID.match(section)):
                raise reader.fail(i, f"section: must be a section id, got {section!r}", pid)
            prepares = attrs.get("prepares", "")
            if prepares is True:
                raise reader.fail(i, "prepares: needs a list, e.g. prepares=tensor_info,summarize", pid)
            names = tuple(n for n in str(prepares).split(",") if n)
            if len(set(names)) != len(names):
                raise reader.fail(i, "prepares: an exercise is listed twice", pid)
            current = {"id": pid, "section": section, "prepares": names, "line": i, "es": [], "en": [],
                       "lang_lines": {}}
            parts_raw.append(current)
            lang = None
            continue
        if kind in LANGS:
            if marker["attrs"].strip():
                raise reader.fail(i, f"<!-- {kind} --> takes no attributes")
            if current is None:
                raise reader.fail(i, f"<!-- {kind} --> before any <!-- part ... -->")
            expected = "es" if lang is None else "en" if lang == "es" else None
            if kind != expected:
                order = "<!-- es --> first, then <!-- en -->, once each"
                raise reader.fail(i, f"unexpected <!-- {kind} -->: a part has {order}", current["id"])
            lang = kind
            current["lang_lines"][kind] = i
            continue
        raise reader.fail(i, f"unknown marker '{kind}' (markers: lesson, part, es, en)")
    if header is None:
        raise reader.fail(None, "empty lesson: it starts with <!-- lesson format_version=1 topic=<id> -->")
    if in_fence:
        raise reader.fail(fence_line, "code block never closed (a line with ``` alone)")
    if not parts_raw:
        raise reader.fail(None, "a lesson has at least one <!-- part ... -->")
    if current is not None and lang != "en":
        raise reader.fail(current["line"], "a part needs <!-- es --> and then <!-- en -->", current["id"])
    parts = [_part(reader, raw) for raw in parts_raw]
    seen_further = None
    for p in parts:
        if p.further:
            seen_further = seen_further or p
        elif seen_further is not None:
            raise reader.fail(p.line, f"parts that teach the notes come before the parts that go further "
                                      f"(this one follows '{seen_further.id}')", p.id)
    return Lesson(topic=str(header["topic"]), parts=tuple(parts), source=reader.path, format_version=FORMAT_VERSION)


def _part(reader: _Reader, raw: dict) -> Part:
    pid = raw["id"]
    texts: dict[str, str] = {}
    blocks: dict[str, list[_Block]] = {}
    figures: dict[str, list[str]] = {}
    for lang in LANGS:
        lines = list(raw[lang])
        body = _section(reader, lines)
        if not body.strip():
            raise reader.fail(raw["lang_lines"][lang], f"the {lang} text is empty", pid)
        first_no, first = next((n, t) for n, t in raw[lang] if t.strip())
        if not first.startswith("## "):
            raise reader.fail(first_no, f"the {lang} text starts with its title, a '## ' heading", pid)
        blocks[lang] = _blocks(reader, raw[lang], pid, lang)
        figures[lang] = [f["name"] for _, t in raw[lang] for m in _IMAGE.finditer(t)
                         if (f := _FIGURE.match(m["target"]))]
        texts[lang] = body
    es_runs = [b for b in blocks["es"] if b.info in (RUN, OUTPUT)]
    en_runs = [b for b in blocks["en"] if b.info in (RUN, OUTPUT)]
    if len(es_runs) != len(en_runs):
        raise reader.fail(raw["lang_lines"]["en"], f"{len(es_runs)} python/output blocks in Spanish but "
                                                   f"{len(en_runs)} in English: both languages show the same examples",
                          pid)
    for es, en in zip(es_runs, en_runs):
        same = es.info == en.info and (_code_key(es.code) == _code_key(en.code) if es.info == RUN
                                       else es.code == en.code)
        if not same:
            raise reader.fail(en.line, f"this {en.info} block differs from the Spanish one at line {es.line} "
                                       f"(only comments may differ)", pid)
    if sorted(figures["es"]) != sorted(figures["en"]):
        raise reader.fail(raw["lang_lines"]["en"], f"figures differ between languages: {figures['es']} "
                                                   f"vs {figures['en']}", pid)
    return Part(id=pid, section=raw["section"], prepares=raw["prepares"], text=Text(es=texts["es"], en=texts["en"]),
                line=raw["line"], examples=_examples(reader, blocks["es"], pid), figures=tuple(figures["es"]))


def check_lesson(lesson: Lesson, course: Course, sections: tuple[Section, ...]) -> None:
    """Check a lesson against the course and the notes' sections.

    The topic exists and matches the file name; every section is one of the notes'
    and lists the topic; the notes' parts follow the notes' order; every section
    that lists the topic is taught; every ``prepares`` names an exercise of the topic.
    """
    reader = _Reader(lesson.source, "")
    text_lines = lesson.source.read_text(encoding="utf-8").splitlines() if lesson.source.is_file() else []
    header_line = next((i for i, t in enumerate(text_lines, start=1) if t.startswith("<!-- lesson")), None)
    try:
        topic = course.topic(lesson.topic)
    except KeyError:
        raise reader.fail(header_line, f"topic: '{lesson.topic}' is not a topic of course.toml") from None
    if lesson.source.suffix == ".md" and lesson.source.stem != lesson.topic:
        raise reader.fail(header_line, f"topic '{lesson.topic}' lives in '{lesson.topic}.md', not "
                                       f"'{lesson.source.name}'")
    order = {s.id: i for i, s in enumerate(sections)}
    exercises = {e.name for e in topic.exercises}
    last = -1
    for p in lesson.parts:
        for name in p.prepares:
            if name not in exercises:
                known = ", ".join(sorted(exercises)) or "none"
                raise reader.fail(p.line, f"prepares: '{name}' is not an exercise of {topic.id} ({known})", p.id)
        if p.section is None:
            continue
        if p.section not in order:
            raise reader.fail(p.line, f"section: '{p.section}' is not a section of the notes "
                                      f"({', '.join(order)})", p.id)
        section = sections[order[p.section]]
        if lesson.topic not in section.topics:
            raise reader.fail(p.line, f"section '{p.section}' is taught by {', '.join(section.topics)} "
                                      f"(lessons/sections.toml), not by {lesson.topic}", p.id)
        if order[p.section] < last:
            raise reader.fail(p.line, f"section '{p.section}' comes earlier in the notes than the part "
                                      f"before it: follow the notes' order", p.id)
        last = order[p.section]
    taught = {p.section for p in lesson.parts}
    missing = [s.id for s in sections if lesson.topic in s.topics and s.id not in taught]
    if missing:
        raise reader.fail(header_line, f"no part teaches the section(s) {', '.join(missing)} "
                                       f"(lessons/sections.toml gives them to {lesson.topic})")
