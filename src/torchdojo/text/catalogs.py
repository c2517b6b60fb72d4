"""The gettext catalog of program messages: extract, merge, compile, check.

Maintainer tooling, run by ``python scripts/sync_content.py`` (like the stubs):

1. :func:`extract` reads every module of the package and collects the English
   messages: the first argument of ``UserError(...)``, ``Message(...)`` and
   ``N_(...)`` and ``tr_pair(...)``, the second of ``tr(lang, ...)``, the second and third (singular
   and plural) of ``ntr(lang, ...)`` (and the first of the quiz engine's
   ``msg(...)``, ``Unreadable(...)``, ``NumberError(...)``); and ``_("...")`` in
   the Jinja templates. A message must be a string
   literal (or a name or table entry holding one marked with ``N_``; never an
   f-string), and every ``{field}`` in it must be passed by keyword.
2. :func:`merged_po` brings ``locale/es/LC_MESSAGES/torchdojo.po`` up to date:
   new messages are added untranslated, messages no longer used are dropped,
   translations are kept.
3. :func:`compile_mo` writes the ``.mo`` file that :mod:`gettext` reads (the
   format of GNU ``msgfmt``, written here so that no build tool is needed).

``problems()`` lists what is wrong (untranslated messages, a translation whose
``{fields}`` differ from its message's, stale files); ``tests/test_i18n.py``
and ``sync_content.py --check`` fail on any.
"""

from __future__ import annotations

import ast
import re
import string
import struct
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo.text.i18n import DOMAIN, LANGS, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parents[1]  # src/torchdojo: every module is scanned
#: Callables whose argument at this position is a message id.
MESSAGE_CALLS = {"UserError": 0, "Message": 0, "N_": 0, "tr": 1, "ntr": 1, "tr_pair": 0,
                 # the quiz engine: Feedback.msg / Session.msg, and what cannot be read as an answer
                 "msg": 0, "Unreadable": 0, "NumberError": 0}
#: Callables with a plural form: the position of the plural message id.
PLURAL_CALLS = {"ntr": 2}
#: Modules that pass messages through (they translate, they do not say anything).
MACHINERY = {"torchdojo/text/i18n.py", "torchdojo/text/errors.py"}
_TEMPLATE_MSG = re.compile(r'(?<![\w.])_\(\s*("(?:[^"\\]|\\.)*")\s*[,)]')
_PERCENT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[srdifg%]")
HEADER = {
    "es": ("Project-Id-Version: torchdojo\n"
           "Language: es\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=UTF-8\n"
           "Content-Transfer-Encoding: 8bit\n"
           "Plural-Forms: nplurals=2; plural=(n != 1);\n"),
}
#: How many plural forms each catalog has (its header's ``nplurals``).
NPLURALS = {"es": 2}


@dataclass
class Entry:
    msgid: str
    msgstr: str = ""
    where: list[str] = field(default_factory=list)  # "#: file" references
    msgid_plural: str = ""  # set for a message with plural forms (then msgstr_plural holds its forms)
    msgstr_plural: list[str] = field(default_factory=list)  # msgstr[0], msgstr[1]...

    def forms(self) -> list[str]:
        """The translations: the one ``msgstr``, or every plural form."""
        return self.msgstr_plural if self.msgid_plural else [self.msgstr]

    def translated(self) -> bool:
        forms = self.forms()
        return bool(forms) and all(forms)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def translated_langs() -> list[str]:
    """Languages with a catalog: every course language but English, the source language."""
    return [lang for lang in LANGS if lang != "en"]


# -- extraction --------------------------------------------------------------

def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def fields_of(template: str) -> set[str]:
    """The named fields of a ``str.format`` template (``{path}``, ``{n:g}`` -> ``path``, ``n``)."""
    out = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            out.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    return out


def extract(package: Path = PACKAGE) -> tuple[dict[str, list[str]], list[str]]:
    """``({msgid: [file, ...]}, problems)`` for every message of the package's modules, in source order.

    A message with a plural form is keyed ``(singular, plural)`` (see :func:`extract_plurals`).
    """
    found, problems, _ = _extract(package)
    return found, problems


def extract_plurals(package: Path = PACKAGE) -> dict[str, str]:
    """``{singular: plural}`` for every message said with ``ntr(lang, singular, plural, n)``."""
    return _extract(package)[2]


def message_calls(trees: list[ast.Module]) -> dict[str, int]:
    """:data:`MESSAGE_CALLS` and every function of the package that takes a ``msgid`` parameter (a helper
    that says a message, such as a quiz ``Feedback.msg``): its name (a class's, for ``__init__``) and the
    position of ``msgid`` among the arguments of a call. So no helper can hide its messages from the catalog."""
    calls: dict[str, int] = {}
    for tree in trees:
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)] + [tree]:
            for node in getattr(cls, "body", []):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if isinstance(cls, ast.ClassDef) and names[:1] in (["self"], ["cls"]):
                    names = names[1:]
                if "msgid" in names:
                    name = cls.name if isinstance(cls, ast.ClassDef) and node.name == "__init__" else node.name
                    calls[name] = names.index("msgid")
        for node in ast.walk(tree):  # local helpers (a function inside a function)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if names and names[0] == "msgid":
                    calls.setdefault(node.name, 0)
    return {**calls, **MESSAGE_CALLS}


def _extract(package: Path) -> tuple[dict[str, list[str]], list[str], dict[str, str]]:
    found: dict[str, list[str]] = {}
    plurals: dict[str, str] = {}
    sources = {path: path.read_text(encoding="utf-8") for path in sorted(package.rglob("*.py"))}
    trees = {path: ast.parse(text, str(path)) for path, text in sources.items()}
    calls_by_name = message_calls(list(trees.values()))
    problems: list[str] = []
    for path, tree in trees.items():
        rel = path.relative_to(package.parent).as_posix()
        calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
        for node in calls:
            name = _call_name(node)
            if name not in calls_by_name:
                continue
            pos = calls_by_name[name]
            if len(node.args) <= pos:
                continue  # e.g. a definition's own recursion; nothing to extract
            arg = node.args[pos]
            if isinstance(arg, (ast.Name, ast.Attribute, ast.Subscript)) or rel in MACHINERY:
                continue  # a constant or table entry marked with N_() where it is defined; or the machinery
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                problems.append(f"{rel}:{node.lineno}: {name}() needs a string literal as its message "
                                "(pass the variable parts as keyword fields)")
                continue
            msgid = arg.value
            plural = ""
            if name in PLURAL_CALLS:
                parg = node.args[PLURAL_CALLS[name]] if len(node.args) > PLURAL_CALLS[name] else None
                if not (isinstance(parg, ast.Constant) and isinstance(parg.value, str)):
                    problems.append(f"{rel}:{node.lineno}: {name}() needs string literals as its singular "
                                    "and plural messages")
                    continue
                plural = parg.value
                if plurals.get(msgid, plural) != plural:
                    problems.append(f"{rel}:{node.lineno}: {msgid!r} has two different plurals")
                plurals[msgid] = plural
            # (a discovered helper may fill some fields itself, as judge.compare's ``what``: not checked here)
            if name != "N_" and name in MESSAGE_CALLS and not any(k.arg is None for k in node.keywords):
                given = {k.arg for k in node.keywords}
                missing = (fields_of(msgid) | fields_of(plural)) - given
                if missing:
                    problems.append(f"{rel}:{node.lineno}: {name}() message has fields {sorted(missing)} "
                                    "that are not passed")
            refs = found.setdefault(msgid, [])
            if rel not in refs:
                refs.append(rel)
    for path in sorted(package.rglob("*.j2")):
        # Templates say their program text as {{ _("English message") }}, a string literal.
        rel = path.relative_to(package.parent).as_posix()
        for m in _TEMPLATE_MSG.finditer(path.read_text(encoding="utf-8")):
            refs = found.setdefault(ast.literal_eval(m.group(1)), [])
            if rel not in refs:
                refs.append(rel)
    return found, problems, plurals


# -- .po files -----------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}
_UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t"}


def _quote(text: str) -> str:
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


def _unquote(token: str, where: str) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string")
    out, i, body = [], 0, token[1:-1]
    while i < len(body):
        c = body[i]
        if c == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _UNESCAPES:
                raise ValueError(f"{where}: unknown escape")
            out.append(_UNESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file (the header entry, ``msgid ""``, included first)."""
    return parse_po(path.read_text(encoding="utf-8"), str(path))


def parse_po(text: str, name: str = "<po>") -> list[Entry]:
    """The entries of ``.po`` text; errors name ``name`` and the line."""
    entries: list[Entry] = []
    current: Entry | None = None
    key: str | None = None
    refs: list[str] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{name}:{n}"
        if not line:
            continue
        if line.startswith("#:"):
            refs.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            current = Entry(_unquote(line[6:].strip(), where), where=refs)
            entries.append(current)
            refs, key = [], "msgid"
        elif line.startswith("msgid_plural "):
            if current is None or key != "msgid":
                raise ValueError(f"{where}: msgid_plural without msgid")
            current.msgid_plural = _unquote(line[13:].strip(), where)
            key = "msgid_plural"
        elif line.startswith("msgstr["):
            m = re.match(r"msgstr\[(\d+)\]\s+(.*)", line)
            if current is None or not current.msgid_plural or m is None \
                    or int(m.group(1)) != len(current.msgstr_plural):
                raise ValueError(f"{where}: msgstr[n] out of order or without msgid_plural")
            current.msgstr_plural.append(_unquote(m.group(2).strip(), where))
            key = "msgstr_plural"
        elif line.startswith("msgstr "):
            if current is None or key != "msgid":
                raise ValueError(f"{where}: msgstr without msgid")
            current.msgstr = _unquote(line[7:].strip(), where)
            key = "msgstr"
        elif line.startswith('"'):
            if current is None or key is None:
                raise ValueError(f"{where}: a string outside an entry")
            if key == "msgstr_plural":
                current.msgstr_plural[-1] += _unquote(line, where)
            else:
                setattr(current, key, getattr(current, key) + _unquote(line, where))
        else:
            raise ValueError(f"{where}: not a line of a .po file")
    return entries


def _po_string(keyword: str, text: str) -> str:
    if "\n" not in text.rstrip("\n") and len(text) < 70:
        return f"{keyword} {_quote(text)}\n"
    parts = text.splitlines(keepends=True)
    return f'{keyword} ""\n' + "".join(_quote(p) + "\n" for p in parts)


def write_po(entries: list[Entry]) -> str:
    """The ``.po`` text of ``entries``, deterministic (so that it can be checked for staleness)."""
    out = []
    for e in entries:
        if e.where:
            out.append(f"#: {' '.join(e.where)}\n")
        out.append(_po_string("msgid", e.msgid))
        if e.msgid_plural:
            out.append(_po_string("msgid_plural", e.msgid_plural))
            for i, form in enumerate(e.msgstr_plural):
                out.append(_po_string(f"msgstr[{i}]", form))
        else:
            out.append(_po_string("msgstr", e.msgstr))
        out.append("\n")
    return "".join(out).rstrip("\n") + "\n"


def merged_po(lang: str, extracted: dict[str, list[str]] | None = None,
              plurals: dict[str, str] | None = None) -> str:
    """``lang``'s ``.po`` brought up to date with the source: new messages empty, unused ones dropped."""
    if extracted is None:
        extracted, _ = extract()
    if plurals is None:
        plurals = extract_plurals()
    path = po_path(lang)
    old = {e.msgid: e for e in read_po(path)} if path.is_file() else {}
    entries = [Entry("", HEADER[lang])]
    for msgid, refs in extracted.items():
        prev = old.get(msgid)
        if msgid in plurals:
            forms = list(prev.msgstr_plural) if prev is not None and prev.msgid_plural == plurals[msgid] else []
            forms = (forms + [""] * NPLURALS[lang])[:NPLURALS[lang]]
            entries.append(Entry(msgid, "", refs, plurals[msgid], forms))
        else:
            entries.append(Entry(msgid, prev.msgstr if prev is not None and not prev.msgid_plural else "", refs))
    return write_po(entries)


def compile_mo(entries: list[Entry]) -> bytes:
    """GNU ``.mo`` bytes for the translated entries (what ``msgfmt`` writes; untranslated ones are left out).

    A plural entry is stored as ``msgid NUL msgid_plural`` -> ``form0 NUL form1 ...``, as gettext reads it.
    """
    def key(e: Entry) -> bytes:
        return (e.msgid + "\0" + e.msgid_plural if e.msgid_plural else e.msgid).encode("utf-8")

    pairs = sorted((key(e), "\0".join(e.forms()).encode("utf-8")) for e in entries if e.translated())
    n = len(pairs)
    ids = strs = b""
    offsets = []
    for msgid, msgstr in pairs:
        offsets.append((len(ids), len(msgid), len(strs), len(msgstr)))
        ids += msgid + b"\0"
        strs += msgstr + b"\0"
    header_size = 7 * 4
    ids_start = header_size + n * 16
    strs_start = ids_start + len(ids)
    key_table, value_table = [], []
    for id_off, id_len, str_off, str_len in offsets:
        key_table += [id_len, ids_start + id_off]
        value_table += [str_len, strs_start + str_off]
    header = struct.pack("<7I", 0x950412DE, 0, n, header_size, header_size + n * 8, 0, 0)
    return (header + struct.pack(f"<{2 * n}I", *key_table) + struct.pack(f"<{2 * n}I", *value_table)
            + ids + strs)


def expected_files() -> dict[Path, bytes]:
    """Every catalog file as the source says it should be: the merged ``.po`` and its ``.mo``."""
    extracted, _, plurals = _extract(PACKAGE)
    out: dict[Path, bytes] = {}
    for lang in translated_langs():
        po = merged_po(lang, extracted, plurals)
        out[po_path(lang)] = po.encode("utf-8")
        out[mo_path(lang)] = compile_mo(parse_po(po, str(po_path(lang))))
    return out


def problems() -> list[str]:
    """Everything wrong with the catalogs (empty: all good)."""
    extracted, out = extract()
    for path, data in expected_files().items():
        try:
            if path.read_bytes() != data:
                out.append(f"out of date: {path} (run python scripts/sync_content.py)")
        except FileNotFoundError:
            out.append(f"missing: {path} (run python scripts/sync_content.py)")
    for lang in translated_langs():
        if not po_path(lang).is_file():
            continue
        for e in read_po(po_path(lang)):
            if not e.msgid:
                continue
            if not e.translated():
                out.append(f"{po_path(lang).name} ({lang}): untranslated: {e.msgid!r}")
            elif e.msgid_plural:
                # A form may leave a field out ("un archivo"), never add one the message lacks.
                known = fields_of(e.msgid) | fields_of(e.msgid_plural)
                if any(not fields_of(f) <= known for f in e.msgstr_plural) \
                        or fields_of(e.msgstr_plural[-1]) != fields_of(e.msgid_plural):
                    out.append(f"{po_path(lang).name} ({lang}): fields differ from the message's: {e.msgid!r}")
            elif (fields_of(e.msgstr) != fields_of(e.msgid)
                  or sorted(_PERCENT.findall(e.msgstr)) != sorted(_PERCENT.findall(e.msgid))):
                out.append(f"{po_path(lang).name} ({lang}): fields differ from the message's: {e.msgid!r}")
    return out
