"""Typed reading of composed YAML nodes, for the question banks.

Banks are validated on the composed nodes rather than the loaded data, so every
error names the file, the line and the question id. Each question kind reads
its own fields with a :class:`NodeReader` (see :mod:`torchdojo.course.quiz.kinds`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from torchdojo.text.errors import UserError
from torchdojo.course.manifest import Text

ID = re.compile(r"^[a-z][a-z0-9_]*$")
TAG = re.compile(r"^[a-z][a-z0-9_-]*$")
# Ids that PyYAML reads as booleans or null: an answer file saying `q: no`
# would hand the grader False instead of the option 'no'.
YAML_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "null"})
STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
_READ_AS = {INT: "a number", FLOAT: "a number", BOOL: "a boolean", NULL: "null"}
#: The interactive quiz labels options a..z.
MAX_OPTIONS = 26


class BankError(UserError):
    """A malformed question bank; the message names file, line and question."""


def line_of(node: yaml.Node) -> int:
    """The 1-based line where ``node`` starts."""
    return node.start_mark.line + 1


class NodeReader:
    """Typed accessors over YAML nodes that fail with file:line and question id."""

    def __init__(self, path: Path):
        self.path = path
        self.qid: str | None = None  # the question being read, for messages
        self._constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node | None, message: str) -> BankError:
        """A :class:`BankError` at ``node`` (its line) for the current question."""
        loc = f"{self.path}:{line_of(node)}" if node is not None else str(self.path)
        who = f"question '{self.qid}': " if self.qid else ""
        return BankError(f"{loc}: {who}{message}")

    def scalar(self, node: yaml.Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, where: str, allowed: set[str] | frozenset[str] | None = None,
                required: tuple[str, ...] = ()) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{where}: must be a mapping (key: value lines)")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == STR):
                raise self.fail(key_node, f"{where}: keys must be plain words")
            key = key_node.value
            if key in out:  # PyYAML would silently keep the last one
                raise self.fail(key_node, f"{where}: duplicate key '{key}'")
            if allowed is not None and key not in allowed:
                raise self.fail(key_node, f"{where}: unknown field '{key}' (allowed: {', '.join(sorted(allowed))})")
            out[key] = value_node
        for key in required:
            if key not in out:
                raise self.fail(node, f"{where}: missing field '{key}'")
        return out

    def sequence(self, node: yaml.Node, where: str, min_len: int = 0) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{where}: must be a list")
        if len(node.value) < min_len:
            raise self.fail(node, f"{where}: needs at least {min_len} item(s), got {len(node.value)}")
        return list(node.value)

    def string(self, node: yaml.Node, where: str) -> str:
        if isinstance(node, yaml.ScalarNode) and node.tag in _READ_AS:
            # `en: Yes` or `es: 0` is not text to YAML; say so, or the author is puzzled.
            raise self.fail(node, f"{where}: YAML reads {node.value!r} as {_READ_AS[node.tag]}, "
                                  "not text; put it in quotes")
        if not (isinstance(node, yaml.ScalarNode) and node.tag == STR) or not node.value.strip():
            raise self.fail(node, f"{where}: must be a non-empty string")
        return str(node.value).strip()

    def ident(self, node: yaml.Node, where: str, pattern: re.Pattern[str] = ID) -> str:
        # Numbers and booleans are not ids, even if they look like one.
        if not (isinstance(node, yaml.ScalarNode) and node.tag == STR):
            raise self.fail(node, f"{where}: must be an id (lower-case letters, digits, '_'), "
                                  f"got {getattr(node, 'value', '?')!r}")
        value = node.value
        if not pattern.match(value):
            raise self.fail(node, f"{where}: {value!r} is not an id (lower-case letters, digits, '_')")
        if value in YAML_WORDS:
            raise self.fail(node, f"{where}: {value!r} reads as a boolean or null in YAML answer files; "
                                  "pick another id")
        return value

    def number(self, node: yaml.Node, where: str) -> float:
        if not (isinstance(node, yaml.ScalarNode) and node.tag in (INT, FLOAT)):
            raise self.fail(node, f"{where}: must be a number, got {getattr(node, 'value', '?')!r}")
        value = float(self.scalar(node))
        if not math.isfinite(value):
            raise self.fail(node, f"{where}: must be a finite number")
        return value

    def boolean(self, node: yaml.Node, where: str) -> bool:
        if node.tag != BOOL:
            raise self.fail(node, f"{where}: must be true or false, got {getattr(node, 'value', '?')!r}")
        return bool(self.scalar(node))

    def text(self, node: yaml.Node, where: str) -> Text:
        raw = self.mapping(node, where, allowed={"es", "en"}, required=("es", "en"))
        return Text(es=self.string(raw["es"], f"{where}.es"), en=self.string(raw["en"], f"{where}.en"))
