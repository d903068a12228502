"""Numbers as people write them in their language: parsed and shown with babel's CLDR data.

Nothing here is written per language: the decimal and grouping symbols come from babel
(Unicode CLDR), so Spanish or Arabic work once the language is enabled. Forms parse what a
person typed with :func:`number_parse` and hand the canonical text to ``answer_value_clean``;
the API and imports keep the language-independent form (digits and a decimal point).

>>> str(number_parse("1 234,5", "fr")), str(number_parse("1,234.5", "en"))
('1234.5', '1234.5')
>>> number_format(1234.5, "fr") == "1\\u202f234,5"
True
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, get_group_symbol, parse_decimal


class NumberParseError(ValueError):
    """The text is not a number as written in the given language.

    ``suggestion``: the number it most likely meant, written in that language ("1.5" for
    "1,5" typed in English), or "" when there is none.
    """

    def __init__(self, text: str, suggestion: str = "") -> None:
        super().__init__(text)
        self.suggestion = suggestion


def _babel_locale(language: str) -> str:
    return language.replace("-", "_")


def _normalised(text: str, group: str) -> str:
    # Any decimal digit (Arabic-Indic, Devanagari…) counts as its ASCII digit.
    text = "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text.strip()
    )
    # Languages that group with a space (CLDR: U+202F in French) are typed with an ordinary
    # or a no-break space just as often: read any space as the group symbol.
    if unicodedata.category(group) == "Zs":
        text = "".join(group if unicodedata.category(char) == "Zs" else char for char in text)
    return text


def number_parse(text: str, language: str) -> Decimal:
    """``text`` as written in ``language`` (decimal and grouping symbols), as a Decimal.

    A number written with a decimal point (1234.5) is accepted too where the point is not the
    language's grouping symbol, since figures are often pasted from spreadsheets.

    Raises
    ------
    NumberParseError
        When ``text`` is not a finite number in that language.
    """
    locale = _babel_locale(language)
    group = get_group_symbol(locale)
    cleaned = _normalised(text, group)
    if not cleaned or any(char.isalpha() for char in cleaned):
        raise NumberParseError(text)
    try:
        number = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError as error:
        if group == "." or not _is_plain(cleaned):
            # babel suggests readings of a misplaced separator, the decimal one last.
            suggestions = getattr(error, "suggestions", None) or []
            raise NumberParseError(text, suggestions[-1] if suggestions else "") from None
        number = Decimal(cleaned)
    if not number.is_finite():
        raise NumberParseError(text)
    return number


def _is_plain(text: str) -> bool:
    """Digits with at most one decimal point and an optional sign: ``-12.5``, ``.5``."""
    body = text[1:] if text[:1] in "+-" else text
    whole, _point, fraction = body.partition(".")
    return bool(whole + fraction) and all(part.isdigit() for part in (whole, fraction) if part)


def number_format(value: float | int | Decimal, language: str) -> str:
    """``value`` as ``language`` writes it (its decimal and grouping symbols, all decimals)."""
    return format_decimal(value, locale=_babel_locale(language), decimal_quantization=False)


def number_example(language: str) -> str:
    """A number with decimals and thousands, as ``language`` writes it (for help texts)."""
    return number_format(Decimal("1234.5"), language)
