"""Course languages: Spanish first, English second.

Every student-facing text is a pair ``(es, en)``; :func:`pick` chooses one.
"""

from __future__ import annotations

import locale
import os

LANGS = ("es", "en")
DEFAULT = "es"


def default_lang() -> str:
    """The language from ``TORCHDOJO_LANG`` or the locale; Spanish otherwise.

    English is chosen only when the locale says English, since the course
    notes are Spanish.
    """
    env = os.environ.get("TORCHDOJO_LANG", "").lower()
    if env in LANGS:
        return env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "en" if loc.lower().startswith("en") else DEFAULT


def pick(lang: str, es: str, en: str) -> str:
    """The text in ``lang`` (``es`` or ``en``)."""
    return en if lang == "en" else es
