"""Figures in words: one formatter per kind of figure, used by every page, dashboard and PDF.

Users compared pages and found the same figure written three ways ("12.5 pts", "12.50",
"12.5"). Each kind of figure is written here once, in the active language (or ``language``):

============== ===================================== ==========================
kind           English                               French
============== ===================================== ==========================
score (0–100)  ``54.9``                              ``54,9``
points (gap)   ``24.5 points``, ``1.0 points``       ``24,5 points``, ``1,0 point``
money          ``USD 1,250,000``                     ``1 250 000 USD``
share          ``95 %``                              ``95 %``
counts         ``3 open queries``, ``12 of 40        ``3 demandes de précision
               questions answered``, ``6             ouvertes``, ``6 pays``
               countries``, ``120 participants``
============== ===================================== ==========================

Decimal and grouping symbols are CLDR's (babel, as :mod:`surveys.numbers` uses for what people
type), so a figure reads the same on a page, in a dashboard and in the PDF of the same
language. Plurals go through ``ngettext``; a figure with decimals takes the plural form CLDR
gives it (English "1.0 points", French "1,5 point"), see :func:`plural_count`.

A figure in a table cell whose column header names the unit or the thing counted ("Open
queries", "Cost (USD)") is the bare number from :func:`number_text`; everywhere else it carries
its unit through the functions below.

>>> from django.utils import translation
>>> with translation.override("en"):
...     points_text(24.49), money_text(1250000), score_text(None)
('24.5 points', 'USD 1,250,000', '—')
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_decimal
from django.utils import translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

#: What a figure without a value shows (no score, no data).
NO_VALUE = "—"

# CLDR groups French thousands with a narrow no-break space (U+202F), which the PDF fonts and
# some screen readers lack; the ordinary no-break space looks the same and never breaks.
_NARROW_NO_BREAK_SPACE = "\u202f"
_NO_BREAK_SPACE = "\u00a0"


def _language(language: str | None) -> str:
    return (language or get_language() or "en").replace("-", "_")


def _words_in(language: str | None) -> AbstractContextManager[object]:
    """The words of ``language`` (PDFs are drawn with no active language), else the active."""
    return translation.override(language) if language else nullcontext()


def number_text(
    value: float | int | Decimal | None, digits: int = 1, language: str | None = None
) -> str:
    """``value`` with exactly ``digits`` decimals, in the language's symbols; "—" for none.

    >>> number_text(1234.56, 1, "fr") == "1\\u00a0234,6"
    True
    >>> number_text(-0.04, 1, "en")
    '0.0'
    """
    if value is None or value == "":
        return NO_VALUE
    exact = Decimal(str(value))
    if not exact.is_finite():
        return NO_VALUE
    rounded = round(exact, digits)
    if rounded == 0:
        rounded = abs(rounded)  # "-0.0" reads as a negative figure
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    text = format_decimal(rounded, format=pattern, locale=_language(language))
    return text.replace(_NARROW_NO_BREAK_SPACE, _NO_BREAK_SPACE)


@cache
def _gettext_number_for(language: str, category: str) -> int:
    """The smallest whole number of CLDR plural ``category`` in ``language``.

    gettext's plural formulas (the catalogues' ``Plural-Forms``) take whole numbers only; the
    whole numbers of a CLDR category always share one gettext form in these catalogues.
    """
    locale = Locale.parse(language)
    for number in range(1000):
        if locale.plural_form(number) == category:
            return number
    return 2


def plural_count(value: float | int | Decimal, digits: int, language: str | None = None) -> int:
    """The number to hand ``ngettext`` for ``value`` shown with ``digits`` decimals.

    CLDR chooses the plural of a decimal figure by how it is written: English says "1.0
    points" and "1.5 points", French "1,5 point" and "2,0 points".

    >>> plural_count(1.0, 1, "en"), plural_count(1.5, 1, "fr"), plural_count(1, 0, "en")
    (0, 0, 1)
    """
    language = _language(language)
    shown = round(Decimal(str(value)), digits)
    return _gettext_number_for(language, Locale.parse(language).plural_form(abs(shown)))


def score_text(value: float | None, language: str | None = None) -> str:
    """A 0–100 score: one decimal, no unit (the scale is said once per page)."""
    return number_text(value, 1, language)


def points_text(value: float | None, language: str | None = None) -> str:
    """A gap or a gain in points of a 0–100 score: one decimal and the unit."""
    shown = number_text(value, 1, language)
    if shown == NO_VALUE:
        return NO_VALUE
    with _words_in(language):
        form = ngettext("%(points)s point", "%(points)s points", plural_count(value, 1, language))
    return form % {"points": shown}


def money_text(value: float | None, language: str | None = None) -> str:
    """An amount in whole US dollars with the currency, as the language writes it."""
    if value is None:
        return NO_VALUE
    # The reports' own wording of the currency (charts.texts.common_text), so a page and the
    # PDF write an amount alike.
    with _words_in(language):
        wording = _("USD {amount}")
    return wording.format(amount=number_text(value, 0, language))


def percent_text(share: float | None, language: str | None = None, digits: int = 0) -> str:
    """A share in [0, 1] as a percentage: ``95 %``."""
    if share is None:
        return NO_VALUE
    return f"{number_text(share * 100, digits, language)} %"


def open_queries_text(count: int, language: str | None = None) -> str:
    with _words_in(language):
        form = ngettext("%(counter)s open query", "%(counter)s open queries", count)
    return form % {"counter": number_text(count, 0, language)}


def countries_text(count: int, language: str | None = None) -> str:
    with _words_in(language):
        form = ngettext("%(counter)s country", "%(counter)s countries", count)
    return form % {"counter": number_text(count, 0, language)}


def participants_text(count: float, language: str | None = None) -> str:
    """People to train; plans may hold fractions of a seat, shown as whole people."""
    whole = round(count)
    with _words_in(language):
        form = ngettext("%(counter)s participant", "%(counter)s participants", whole)
    return form % {"counter": number_text(whole, 0, language)}


def answered_text(answered: int, total: int, language: str | None = None) -> str:
    with _words_in(language):
        form = ngettext(
            "%(answered)s of %(total)s question answered",
            "%(answered)s of %(total)s questions answered",
            total,
        )
    return form % {
        "answered": number_text(answered, 0, language),
        "total": number_text(total, 0, language),
    }
