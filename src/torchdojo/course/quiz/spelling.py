"""How a learner's number is read, the same way in the terminal and in answer files.

Spanish-speaking countries write numbers two ways: Spain and Argentina write
``3.500`` for three thousand five hundred and ``3,5`` for three and a half;
Mexico and Central America write ``3,500`` and ``3.5``. English writes
``3,500`` and ``3.5``. A number is therefore read from its spelling, in the
language of the quiz, and never guessed (:data:`RULE` is the rule as the quiz
states it on screen):

- digits may be grouped by thousands with spaces (``2 560``, also the
  non-breaking and thin spaces) or ``_``, in both languages;
- a mark that can only be decimal is decimal in both languages (``3.5`` and
  ``3,5``: groups have three digits), and so is a single mark when both
  appear (``2.560,5`` and ``2,560.5`` are 2560.5) or before an exponent
  (``1.50528e8``);
- a mark that repeats groups thousands (``150.528.000``, ``150,528,000``);
- a single mark between a group (1 to 3 digits, not starting with 0) and
  exactly three digits is read differently in different countries: in a
  Spanish quiz both ``3.500`` and ``109,386`` are refused; in an English quiz
  ``2,560`` is 2560 and ``2.560`` is refused (a Spanish speaker means 2560).
  The refusal says how to write each reading unambiguously (``3500``, ``3.5``,
  ``109.3860``), never read one way silently (``0,560`` and ``1234,567`` are
  not ambiguous).

Babel (CLDR) is not used: it is no dependency of torchdojo, and its parser
reads one locale at a time (strictly: ``3,5`` is an error under ``es_MX``),
while this rule must refuse what two locales read differently.
"""

from __future__ import annotations

import math
import re

from torchdojo.course.quiz.reading import Unreadable
from torchdojo.text.i18n import N_, tr

#: Longest number spelling read at all (a 5000-digit "number" is refused early).
MAX_CHARS = 40

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "_": " ", "\u2212": "-"})
_SHAPE = re.compile(r"([+-]?)([0-9., ]*?)(?:[eE]([+-]?[0-9]+))?")
_DIGITS = re.compile(r"[0-9]*")
_GROUPS = re.compile(r"[1-9][0-9]{0,2}")
#: The mark that, alone before three digits, can only group thousands (none in Spanish).
THOUSANDS = {"es": "", "en": ","}

#: The rule, as the quiz states it on screen and in answer-file templates: a catalog message, whose
#: Spanish translation states the Spanish rule (the rules differ, as :data:`THOUSANDS` does).
RULE = N_("Decimals with a point (3.5); thousands with no separator, spaces or commas "
          "(3500, 3 500, 3,500). A point followed by three digits (3.500) means thousands "
          "to many Spanish speakers and is refused.")


class NumberError(Unreadable):
    """An entry that is not read as a number; its message says why and how to write it."""


def _not_a_number(text: str) -> NumberError:
    # The Spanish translation gives Spanish examples (2 560, 2,5): a translation, not a pair.
    return NumberError("'{text}' is not a number; type, for example, 2560, 2,560 or 2.5.", text=text)


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
    finite, or is ambiguous: ``2,560`` and ``2.560`` in Spanish, ``2.560`` in English.
    """
    raw = str(text).strip()
    if len(raw) > MAX_CHARS:
        raise NumberError("A number longer than {n} characters is not read.", n=MAX_CHARS)
    m = _SHAPE.fullmatch(raw.translate(_SPACES))
    if not m or not any(ch.isdigit() for ch in m.group(2)):
        raise _not_a_number(raw)
    sign, mantissa, exponent = m.groups()
    mantissa = mantissa.strip()
    thousands = THOUSANDS.get(lang, "")
    decimal_mark = _decimal_mark(raw, mantissa, thousands, exponent is not None, "-" if sign == "-" else "")
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
        raise NumberError("'{raw}' is too large.", raw=raw)
    return value


def _decimal_mark(raw: str, mantissa: str, thousands: str, has_exponent: bool, sign: str) -> str:
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
    raise _ambiguous(raw, sign + int_part, mark, frac)


def _ambiguous(raw: str, int_part: str, mark: str, frac: str) -> NumberError:
    """Why ``raw`` (signed ``int_part``, one ``mark``, three digits) is refused; how to write each reading."""
    whole = int_part + frac  # thousands, written with no separator: unambiguous
    kept = frac.rstrip("0")
    if len(kept) == 3:  # 109.386 would be ambiguous again: a fourth digit makes it a decimal
        kept += "0"
    point = f"{int_part}.{kept}" if kept else int_part
    comma = f"{int_part},{kept}" if kept else int_part
    # Spanish reads either mark as decimal, so its message offers both spellings; English, the point.
    decimal = point if point == comma else Spellings(point, comma)
    return NumberError("'{raw}' is a decimal in some countries and {whole} in others: type {decimal} "
                       "for a decimal, or {whole} (no thousands separator) for thousands.",
                       raw=raw, whole=whole, decimal=decimal)


class Spellings:
    """A decimal written with a point, and in Spanish also with a comma: ``3.5 (o 3,5)``."""

    def __init__(self, point: str, comma: str):
        self.point, self.comma = point, comma

    def render(self, lang: str) -> str:
        return self.point if lang == "en" else tr(lang, "{point} (or {comma})", point=self.point, comma=self.comma)
