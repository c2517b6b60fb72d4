"""Languages: Spanish first, English second, chosen in one place.

There are two kinds of text, and one language setting for both:

* **Program messages** (errors, CLI output, ``--help``) are written in English
  in the source and translated through a gettext catalog:
  ``torchdojo/text/locale/es/LC_MESSAGES/torchdojo.po`` is the source, edited by
  hand; ``torchdojo.mo`` is compiled from it by ``python scripts/sync_content.py``
  and both ship in the wheel (:mod:`torchdojo.text.catalogs` extracts, merges,
  compiles and checks them). :func:`tr` translates one message.
* **Course content** (hints, quiz questions, grader feedback, titles) is data:
  pairs ``(es, en)`` written side by side by the authors; :func:`pick` chooses
  one.

The language is chosen by :func:`resolve_lang`: ``--lang``, else
``TORCHDOJO_LANG``, else the locale, else Spanish.

Messages are ``str.format`` templates with named fields, so that a translation
may reorder them::

    tr("es", "unknown topic '{topic}'", topic="tensor")  # "tema desconocido 'tensor'"
"""

from __future__ import annotations

import gettext
import locale
import os
import re
import string
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

LANGS = ("es", "en")
DEFAULT = "es"
DOMAIN = "torchdojo"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: Environment variables of the locale, in the order the C library reads them.
_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def _lang_of(value: str) -> str | None:
    """``"en_US.UTF-8"`` -> ``"en"``; ``"es"`` -> ``"es"``; anything else -> None."""
    value = value.strip().lower()
    for lang in LANGS:
        if value == lang or value.startswith((f"{lang}_", f"{lang}-", f"{lang}.")):
            return lang
    return None


def resolve_lang(explicit: str | None = None) -> str:
    """The course language: ``explicit`` (``--lang``), else ``TORCHDOJO_LANG``, else the locale, else Spanish.

    The locale picks English only when it says English: the course notes are
    Spanish, so any other locale (``C``, ``fr_FR``...) gives Spanish.
    """
    if explicit:
        lang = _lang_of(explicit)
        if lang is None:
            raise ValueError(f"unknown language {explicit!r} (choose from {', '.join(LANGS)})")
        return lang
    env = _lang_of(os.environ.get("TORCHDOJO_LANG", ""))
    if env:
        return env
    for var in _LOCALE_VARS:
        value = os.environ.get(var, "")
        if value:
            return "en" if _lang_of(value) == "en" else DEFAULT
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "en" if _lang_of(loc) == "en" else DEFAULT


def default_lang() -> str:
    """The language when none is given explicitly (same rule as :func:`resolve_lang`)."""
    return resolve_lang(None)


def pick(lang: str, es: str, en: str) -> str:
    """Course content: the text of a pair in ``lang`` (``es`` or ``en``)."""
    return en if lang == "en" else es


@lru_cache(maxsize=None)
def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang``; English is the source language and needs none."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang], fallback=True)


def N_(msgid: str) -> str:
    """Mark a message for the catalog without translating it yet (gettext's convention)."""
    return msgid


def tr(lang: str, msgid: str, /, **params: Any) -> str:
    """The program message ``msgid`` in ``lang``, with its ``{fields}`` filled in.

    A parameter that is itself translatable (a :class:`Message`, a
    :class:`~torchdojo.text.errors.UserError`) is rendered in the same language.
    """
    text = catalog(lang).gettext(msgid)
    if not params:
        return text
    return text.format(**{k: (v.render(lang) if hasattr(v, "render") else v) for k, v in params.items()})


def ntr(lang: str, singular: str, plural: str, n: int, /, **params: Any) -> str:
    """The message for a count ``n`` in ``lang``: gettext's ``ngettext``, the form chosen by the catalog's
    ``Plural-Forms`` rule (``1 archivo``, ``2 archivos``), with its ``{fields}`` filled in like :func:`tr`.

    ``n`` picks the form only; pass it again as a field to show it: ``ntr(lang, "{n} file", "{n} files", k, n=k)``.
    """
    text = catalog(lang).ngettext(singular, plural, n)
    if not params:
        return text
    return text.format(**{k: (v.render(lang) if hasattr(v, "render") else v) for k, v in params.items()})


class Rendered(NamedTuple):
    """A program message already rendered in both languages, ``(es, en)``: what crosses a process
    or goes to disk as data when the language it will be shown in is not known yet (a verdict's
    feedback, shown later in the report's language). Made by :func:`tr_pair`; as a field of
    another message it renders in that message's language. A named tuple: it unpacks, pickles,
    copies and serialises as the plain pair.
    """

    es: str
    en: str

    def render(self, lang: str) -> str:
        return self.en if lang == "en" else self.es


def tr_pair(msgid: str, /, **params: Any) -> Rendered:
    """The program message ``msgid`` rendered in Spanish and in English, fields filled in like :func:`tr`."""
    return Rendered(tr("es", msgid, **params), tr("en", msgid, **params))


_SAID: dict[str, re.Pattern[str]] = {}


def tr_said(lang: str, text: str, msgids: Iterable[str], /) -> str:
    """English ``text`` that was formatted from one of ``msgids`` and kept as text (it crossed a process
    or went to disk, as data in English), shown in ``lang``: its fields are read back and the
    message is rendered from the catalog. Text that matches none of ``msgids`` is returned as it is.
    """
    if lang == "en":
        return text
    for msgid in msgids:
        pattern = _SAID.get(msgid)
        if pattern is None:
            out = ""
            for literal, name, _, _ in string.Formatter().parse(msgid):
                out += re.escape(literal) + (f"(?P<{name}>.+?)" if name is not None else "")
            pattern = _SAID[msgid] = re.compile(out + r"\Z", re.S)
        m = pattern.match(text)
        if m is not None:
            # A field may be a message itself ("a link, not a student folder"): gettext translates it if so.
            return tr(lang, msgid, **{k: catalog(lang).gettext(v) for k, v in m.groupdict().items()})
    return text


class Message:
    """A program message kept untranslated until it is shown: ``Message(msgid, **params)``."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, lang: str) -> str:
        return tr(lang, self.msgid, **self.params)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"
