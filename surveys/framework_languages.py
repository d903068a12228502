"""Framework languages the interface lacks (issue 21, item 6).

A framework may be written in a language the interface has no catalogue for (a Portuguese
framework for Lusophone countries, say). A reader who chooses that language for the framework's
texts keeps an interface in the closest language the platform speaks, and every framework text
then comes, in this order, from:

1. the chosen framework language;
2. its fallback chain, ``settings.FRAMEWORK_LANGUAGE_FALLBACKS`` (e.g. pt → es), then English;
3. the interface language, and any text at all: never a blank.

The choice is the reader's own (a cookie, like the interface language), not the assessment's:
a focal point in Maputo answers in Portuguese while the ITU reviewer of the same assessment reads
it in English or French, and both expect their choice to follow them to the score page and the
country report. The interface language stays the one the reader chose; a reader who never chose
one gets the first interface language of the chain (Spanish for Portuguese).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from surveys.frameworks.reading import LANGUAGE_PATTERN
from surveys.frameworks.spec import text_languages

__all__ = [
    "COOKIE_NAME",
    "FrameworkLanguageMiddleware",
    "extra_languages",
    "fallback_chain",
    "interface_language_for",
    "language_name",
    "requested_framework_language",
]

COOKIE_NAME = "framework_language"


def interface_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def fallback_chain(language: str) -> tuple[str, ...]:
    """``language``, its configured fallbacks and English, without repeats.

    >>> from django.conf import settings
    >>> fallback_chain("pt")
    ('pt', 'es', 'en')
    """
    base = language.split("-")[0]
    fallbacks = settings.FRAMEWORK_LANGUAGE_FALLBACKS
    chain = [language, base, *fallbacks.get(language, fallbacks.get(base, ())), "en"]
    return tuple(dict.fromkeys(chain))


def interface_language_for(language: str) -> str:
    """The first language of ``language``'s chain the interface speaks (English at worst)."""
    available = interface_languages()
    return next((code for code in fallback_chain(language) if code in available), "en")


def extra_languages(languages: Iterable[str]) -> list[str]:
    """The framework languages the interface does not have, in the framework's order."""
    available = interface_languages()
    return [
        code for code in languages if code not in available and code.split("-")[0] not in available
    ]


def language_name(code: str) -> str:
    """The language's own name (``português``), from Babel's CLDR data; the code if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name() or code
    except (ValueError, UnknownLocaleError):
        return code


def requested_framework_language(request: HttpRequest) -> str:
    """The reader's chosen framework language, when it is one the interface lacks; else ""."""
    code = request.COOKIES.get(COOKIE_NAME, "")
    if not code or not LANGUAGE_PATTERN.match(code) or not extra_languages([code]):
        return ""
    return code


class FrameworkLanguageMiddleware:
    """Framework texts in the reader's chosen framework language for the whole request.

    Placed after LocaleMiddleware, which has activated the interface language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = requested_framework_language(request)
        request.framework_language = code  # type: ignore[attr-defined]
        if not code:
            return self.get_response(request)
        with text_languages(fallback_chain(code), get_language() or settings.LANGUAGE_CODE):
            return self.get_response(request)
