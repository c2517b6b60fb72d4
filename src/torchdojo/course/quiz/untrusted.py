"""Parse a student's answer file safely: bounded size, depth, numbers and values.

Answer files come from students and are read in the instructor's process (a
whole class at a time), so a file must never be able to stop the run, eat the
memory or take minutes: every problem is a one-line
:class:`~torchdojo.text.errors.UserError` naming the file and, where known, the line.

- At most :data:`MAX_BYTES` bytes, :data:`MAX_DEPTH` levels of nesting,
  :data:`MAX_VALUES` values, and numbers of at most :data:`MAX_NUMBER_CHARS`
  characters (``int("9" * 5000)`` alone is refused by Python).
- YAML is read event by event, never with a constructor: no anchors or
  aliases (the "billion laughs" bomb), no tags (``!!python/...``), one
  document, duplicate keys refused rather than silently overwritten.
- Numbers keep their spelling, as text: an unquoted ``2.560`` stays ``"2.560"``
  and the numeric question reads it in the quiz's language
  (:mod:`torchdojo.course.quiz.spelling`), exactly as if it had been typed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from torchdojo.text.errors import UserError
from torchdojo.text.i18n import Message
from torchdojo.course.quiz.feedback import clip
from torchdojo.course.quiz.spelling import MAX_CHARS as MAX_NUMBER_CHARS

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NUMBER_CHARS", "MAX_VALUES", "parse_document", "read_text"]

#: Largest answer file read (a filled-in template is about 12 kB).
MAX_BYTES = 256 * 1024
#: Deepest nesting: the document, ``answers``, a matching answer, and room to spare.
MAX_DEPTH = 8
#: Most values (scalars, lists and mappings) in one file.
MAX_VALUES = 20_000

try:  # libyaml's parser: fast, and its events carry the same marks
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_RESOLVER = yaml.resolver.Resolver()
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_NUMBER = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_BOOL_VALUES = yaml.constructor.SafeConstructor.bool_values

# JSON tokens that matter for the limits: strings are skipped whole.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[{]|[\]}]|-?[0-9][-+0-9.eE]*', re.S)


def _where(path: Path, line: int | None = None) -> str:
    name = clip(str(path), 200)
    return f"{name}:{line}" if line else name


def read_text(path: Path) -> str:
    """The text of an answer file, refused beyond :data:`MAX_BYTES` or if not UTF-8."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UserError("{path}: no such answer file", path=_where(path)) from None
    except IsADirectoryError:
        raise UserError("{path}: is a directory, not an answer file", path=_where(path)) from None
    except OSError as exc:
        raise UserError("{path}: cannot read: {detail}", path=_where(path), detail=exc.strerror or str(exc)) from None
    if len(data) > MAX_BYTES:
        raise UserError("{path}: larger than {kib} KiB; an answer file is much smaller",
                        path=_where(path), kib=MAX_BYTES // 1024)
    try:
        return data.decode("utf-8-sig")  # tolerate a BOM from Windows editors
    except UnicodeDecodeError:
        raise UserError("{path}: not UTF-8 text", path=_where(path)) from None


def parse_document(text: str, path: Path) -> Any:
    """The data of an answer file: JSON for ``.json``, YAML (which also reads JSON) otherwise.

    Mappings, lists, ``str``, ``bool`` and ``None`` only: numbers come back as
    their spelling (``str``). Raises a one-line :class:`UserError`.
    """
    if path.suffix.lower() == ".json":
        return _parse_json(text, path)
    return _parse_yaml(text, path)


# --- JSON --------------------------------------------------------------------

class _Refused(Exception):
    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


def _check_json(text: str, path: Path) -> None:
    """Depth, count and number-length limits, before ``json`` (whose parser recurses) sees the text."""
    depth = values = 0
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        values += 1
        if values > MAX_VALUES:
            raise UserError("{path}: more than {n} values",
                            path=_where(path, text.count(chr(10), 0, m.start()) + 1), n=MAX_VALUES)
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise UserError("{path}: nested deeper than {n} levels",
                                path=_where(path, text.count(chr(10), 0, m.start()) + 1), n=MAX_DEPTH)
        elif token in "]}":
            depth -= 1
        elif token[0] != '"' and len(token) > MAX_NUMBER_CHARS:
            raise UserError("{path}: a number of {n} characters (at most {most})",
                            path=_where(path, text.count(chr(10), 0, m.start()) + 1), n=len(token),
                            most=MAX_NUMBER_CHARS)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:  # json would silently keep the last one
            raise _Refused(Message("duplicate key '{key}'", key=clip(key)))
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise _Refused(Message("{name} is not a number an answer can have", name=name))


def _parse_json(text: str, path: Path) -> Any:
    _check_json(text, path)
    try:
        # parse_int/parse_float keep the spelling; nothing big is ever converted.
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_int=str, parse_float=str,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise UserError("{path}:{line}: invalid JSON: {detail} (column {column})",
                        path=_where(path), line=exc.lineno, detail=exc.msg, column=exc.colno) from None
    except _Refused as exc:
        raise UserError("{path}: {detail}", path=_where(path), detail=exc.message) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # belt and braces: never a traceback
        raise UserError("{path}: invalid JSON: {detail}", path=_where(path), detail=clip(str(exc))) from None


# --- YAML --------------------------------------------------------------------

class _Builder:
    """Builds plain data from YAML events, refusing what a safe answer file never needs."""

    def __init__(self, path: Path):
        self.path = path
        # Open containers: [container, pending key (mappings), line of that key]
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.values = 0
        self.documents = 0

    def fail(self, event: yaml.Event, message: Message) -> UserError:
        return UserError("{path}: {detail}", path=_where(self.path, event.start_mark.line + 1), detail=message)

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(event, Message("more than one YAML document (a second '---')"))
            if event.tags:
                raise self.fail(event, Message("YAML %TAG directives are not allowed in answer files"))
            return
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return
        if isinstance(event, yaml.AliasEvent):
            raise self.fail(event, Message("YAML aliases (*{name}) are not allowed in answer files",
                                           name=clip(event.anchor or '', 20)))
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            container = self.stack.pop()[0]
            self.add(event, container, is_key_ok=False)
            return
        assert isinstance(event, yaml.NodeEvent)
        if event.anchor is not None:
            raise self.fail(event, Message("YAML anchors (&{name}) are not allowed in answer files",
                                           name=clip(event.anchor, 20)))
        if event.tag is not None:
            raise self.fail(event, Message("YAML tags ({name}) are not allowed in answer files",
                                           name=clip(event.tag, 40)))
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.fail(event, Message("more than {n} values", n=MAX_VALUES))
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if self.stack and isinstance(self.stack[-1][0], dict) and self.stack[-1][1] is None:
                raise self.fail(event, Message("a key must be plain text, not a list or a mapping"))
            if len(self.stack) >= MAX_DEPTH:
                raise self.fail(event, Message("nested deeper than {n} levels", n=MAX_DEPTH))
            self.stack.append([{} if isinstance(event, yaml.MappingStartEvent) else [], None, 0])
            return
        assert isinstance(event, yaml.ScalarEvent)
        self.add(event, self.scalar(event), is_key_ok=True)

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        value = event.value
        if not event.implicit[0]:  # quoted or block text: a string, whatever it looks like
            return value
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
        if tag == _BOOL:
            return _BOOL_VALUES[value.lower()]
        if tag == _NULL:
            return None
        if tag in _NUMBER and len(value) > MAX_NUMBER_CHARS:
            raise self.fail(event, Message("a number of {n} characters (at most {most})", n=len(value),
                                           most=MAX_NUMBER_CHARS))
        return value  # numbers keep their spelling; dates and the rest are text

    def add(self, event: yaml.Event, value: Any, is_key_ok: bool) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        container = top[0]
        if isinstance(container, list):
            container.append(value)
        elif top[1] is None:  # a key
            key = event.value if isinstance(event, yaml.ScalarEvent) else None
            if not is_key_ok or key is None:
                raise self.fail(event, Message("a key must be plain text"))
            if key in container:  # PyYAML would silently keep the last one
                raise self.fail(event, Message("duplicate key '{key}'", key=clip(key)))
            top[1] = key
        else:
            container[top[1]] = value
            top[1] = None


def _parse_yaml(text: str, path: Path) -> Any:
    builder = _Builder(path)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = str(exc.problem or exc.context)
        if "nesting depth" in problem:  # libyaml's own limit (1000) can trip first, scanning ahead
            raise UserError("{path}: nested deeper than {n} levels", path=_where(path, line), n=MAX_DEPTH) from None
        raise UserError("{path}: invalid YAML: {detail}", path=_where(path, line), detail=clip(problem, 120)) from None
    except yaml.YAMLError as exc:
        raise UserError("{path}: invalid YAML: {detail}", path=_where(path),
                        detail=clip(" ".join(str(exc).split()), 120)) from None
    except (RecursionError, MemoryError):  # belt and braces: never a traceback
        raise UserError("{path}: invalid YAML: too complex", path=_where(path)) from None
    return builder.root
