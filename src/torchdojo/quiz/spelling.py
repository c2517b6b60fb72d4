"""How a learner's number is read, the same way in the terminal and in answer files.

Spanish writes ``2.560`` for two thousand five hundred sixty and ``2,5`` for two
and a half; English writes ``2,560`` and ``2.5``. A number is therefore read
from its spelling, in the language of the quiz, and never guessed:

- digits may be grouped by thousands with spaces (``2 560``, also the
  non-breaking and thin spaces) or ``_``, in both languages;
- the language's thousands separator (``.`` in Spanish, ``,`` in English)
  groups digits: ``2.560`` (es) and ``2,560`` (en) are 2560;
- the other mark is the decimal one: ``2,5`` (es), ``2.5`` (en);
- a mark that can only be decimal is decimal in both languages (``2.5`` in a
  Spanish quiz: groups have three digits), and so is a single mark when both
  appear (``2.560,5`` and ``2,560.5`` are 2560.5) or before an exponent
  (``1.50528e8``);
- the language's decimal mark between a group (1 to 3 digits, not starting
  with 0) and exactly three digits (``2,560`` in a Spanish quiz, ``2.560`` in
  an English one) could be either: it is refused with a message that says how
  to write it, never read one way silently (``0,560`` and ``1234,567`` are not
  ambiguous).
"""

from __future__ import annotations

import math
import re

#: Longest number spelling read at all (a 5000-digit "number" is refused early).
MAX_CHARS = 40

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "_": " ", "\u2212": "-"})
_SHAPE = re.compile(r"([+-]?)([0-9., ]*?)(?:[eE]([+-]?[0-9]+))?")
_DIGITS = re.compile(r"[0-9]*")
_GROUPS = re.compile(r"[1-9][0-9]{0,2}")
THOUSANDS = {"es": ".", "en": ","}


class NumberError(ValueError):
    """An entry that is not read as a number; ``es`` and ``en`` say why and how to write it."""

    def __init__(self, es: str, en: str):
        super().__init__(en)
        self.es = es
        self.en = en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.es


def _not_a_number(text: str) -> NumberError:
    return NumberError(f"«{text}» no es un número; escribe, por ejemplo, 2560, 2.560 o 2,5.",
                       f"'{text}' is not a number; type, for example, 2560, 2,560 or 2.5.")


def _grouped(int_part: str, sep: str) -> str | None:
    """The digits of ``int_part`` if it is validly grouped by ``sep`` (1-3 digits, then threes)."""
    groups = int_part.split(sep)
    if not _GROUPS.fullmatch(groups[0]) or not all(len(g) == 3 and g.isdigit() for g in groups[1:]):
        return None
    return "".join(groups)


def read_number(text: str, lang: str = "es") -> float:
    """The number spelled by ``text`` in a quiz in ``lang`` (``"es"`` or ``"en"``).

    Raises :class:`NumberError` (with a message in both languages) for an
    entry that is not a number, is longer than :data:`MAX_CHARS`, is not
    finite, or is ambiguous: ``2,560`` in Spanish, ``2.560`` in English.
    """
    raw = str(text).strip()
    if len(raw) > MAX_CHARS:
        raise NumberError(f"Un número de más de {MAX_CHARS} caracteres no se lee.",
                          f"A number longer than {MAX_CHARS} characters is not read.")
    m = _SHAPE.fullmatch(raw.translate(_SPACES))
    if not m or not any(ch.isdigit() for ch in m.group(2)):
        raise _not_a_number(raw)
    sign, mantissa, exponent = m.groups()
    mantissa = mantissa.strip()
    thousands = THOUSANDS.get(lang, ".")
    decimal_mark = _decimal_mark(raw, mantissa, thousands, exponent is not None)
    if decimal_mark:
        int_part, _, frac = mantissa.partition(decimal_mark)
    else:
        int_part, frac = mantissa, ""
    if not _DIGITS.fullmatch(frac):
        raise _not_a_number(raw)
    marks = {ch for ch in int_part if not ch.isdigit()}
    if len(marks) > 1:  # "1.234 567": two ways of grouping in one number
        raise _not_a_number(raw)
    digits = _grouped(int_part, marks.pop()) if marks else int_part
    if digits is None:
        raise _not_a_number(raw)
    value = float(f"{sign}{digits or '0'}.{frac or '0'}e{exponent or '0'}")
    if not math.isfinite(value):
        raise NumberError(f"«{raw}» es demasiado grande.", f"'{raw}' is too large.")
    return value


def _decimal_mark(raw: str, mantissa: str, thousands: str, has_exponent: bool) -> str:
    """Which of ``.`` and ``,`` is the decimal mark of ``mantissa`` ('' for none)."""
    dots, commas = mantissa.count("."), mantissa.count(",")
    if dots and commas:  # both: the last one is the decimal mark, and it appears once
        mark = "." if mantissa.rfind(".") > mantissa.rfind(",") else ","
        if mantissa.count(mark) != 1:
            raise _not_a_number(raw)
        return mark
    if not (dots or commas):
        return ""
    mark = "." if dots else ","
    if dots + commas > 1:  # 1.234.567: only grouping repeats
        return ""
    int_part, _, frac = mantissa.partition(mark)
    could_group = (not has_exponent and " " not in int_part and len(frac) == 3 and frac.isdigit()
                   and _GROUPS.fullmatch(int_part) is not None)
    if not could_group:
        return mark
    if mark == thousands:
        return ""
    whole, part = int_part + frac, f"{int_part}{mark}{frac.rstrip('0')}".rstrip(mark)
    other = "," if mark == "." else "."
    raise NumberError(
        f"«{raw}» puede leerse como {whole} o como {part}: escribe {whole} (o {int_part}{other}{frac}) "
        f"si son miles, o {part} si es un decimal.",
        f"'{raw}' could be read as {whole} or as {part}: type {whole} (or {int_part}{other}{frac}) "
        f"for thousands, or {part} for a decimal.")
